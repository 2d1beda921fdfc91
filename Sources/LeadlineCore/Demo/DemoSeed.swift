/// What `serve --demo` puts into an empty database so there is something to try at once.
public struct DemoSeed: Sendable {
    public struct Result: Sendable {
        public var tenant: Tenant
        public var key: IssuedKey
    }

    public static let tenantName = "demo"

    /// Seeds only an empty database; returns nil when there was already data.
    public static func seed(tenants: Tenants, keys: APIKeys) throws -> Result? {
        guard try tenants.isEmpty() else { return nil }
        let tenant = try tenants.create(name: tenantName)
        let key = try keys.create(.init(tenantID: tenant.id, name: "demo key", scopes: Scope.allCases))
        return Result(tenant: tenant, key: key)
    }
}
