import LeadlineCrypto

/// What `serve --demo` puts into an empty database so there is something to try at once: the demo tenant, an API key
/// and a first console user (both printed once), and on every start a fresh key for the simulated traffic that keeps
/// the demo alive (the previous one is revoked). Campaigns, buyers and destinations are set up through the API by
/// the simulator, as a developer's script would.
public struct DemoSeed: Sendable {
    public struct Result: Sendable {
        public var tenant: Tenant
        /// Made now, on an empty database: shown once.
        public var key: IssuedKey?
        public var adminEmail: String?
        public var adminPassword: String?
        /// The key the demo's traffic uses, made on each start.
        public var trafficKey: IssuedKey
    }

    public static let tenantName = "demo"
    public static let adminEmail = "admin@demo.example"
    static let trafficKeyName = "demo traffic"

    /// Seeds an empty database, or picks the demo up again on a database it seeded before; nil on any other
    /// database (the demo never writes into real data).
    public static func prepare(tenants: Tenants, keys: APIKeys, users: AdminUsers) throws -> Result? {
        if try tenants.isEmpty() {
            let tenant = try tenants.create(name: tenantName)
            let key = try keys.create(.init(tenantID: tenant.id, name: "demo key", scopes: Scope.allCases))
            var email: String?, password: String?
            if try users.count() == 0 {
                let made = SecureRandom.bytes(12).hex
                _ = try users.create(email: adminEmail, password: made, role: .operator, tenantID: nil)
                email = adminEmail
                password = made
            }
            return Result(tenant: tenant, key: key, adminEmail: email, adminPassword: password,
                          trafficKey: try trafficKey(tenant, keys))
        }
        guard try tenants.all().map(\.name) == [tenantName] else { return nil }
        let tenant = try tenants.named(tenantName)
        return Result(tenant: tenant, key: nil, adminEmail: nil, adminPassword: nil, trafficKey: try trafficKey(tenant, keys))
    }

    static func trafficKey(_ tenant: Tenant, _ keys: APIKeys) throws -> IssuedKey {
        for old in try keys.list(tenantID: tenant.id) where old.name == trafficKeyName && old.revokedAt == nil {
            _ = try keys.revoke(id: old.id, tenantID: tenant.id)
        }
        return try keys.create(.init(tenantID: tenant.id, name: trafficKeyName, scopes: Scope.allCases, rateLimitPerMinute: 0))
    }
}
