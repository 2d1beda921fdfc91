import Foundation
import GRDB
import LeadlineCrypto
import Store

/// Issues, checks and revokes API keys. Keys look like `ll_` + 40 base62 characters (≈238 random bits); the first
/// 11 characters are kept as the visible prefix.
public struct APIKeys: Sendable {
    public static let tokenPrefix = "ll_"
    static let tokenLength = 43
    static let visiblePrefixLength = 11
    /// Last-used times are written at most this often per key, so checking a key is a read, not a write.
    static let lastUsedResolution: TimeInterval = 60

    let store: SQLiteStore
    let clock: any Clock
    /// Requests per minute for a key created without a limit of its own.
    public static let defaultRateLimitPerMinute = 100

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public struct Request: Sendable {
        public var tenantID: String
        public var name: String
        public var scopes: [Scope]
        public var rateLimitPerMinute: Int?

        public init(tenantID: String, name: String, scopes: [Scope], rateLimitPerMinute: Int? = nil) {
            self.tenantID = tenantID
            self.name = name
            self.scopes = scopes
            self.rateLimitPerMinute = rateLimitPerMinute
        }
    }

    /// Creates a key in a transaction of its own (command line).
    public func create(_ request: Request) throws -> IssuedKey {
        let issued = try prepare(request)
        return try store.writeNow { db in try insert(issued, db) }
    }

    /// Creates a key through the group-committed writer (HTTP).
    public func create(_ request: Request) async throws -> IssuedKey {
        let issued = try prepare(request)
        return try await store.write { db in try insert(issued, db) }
    }

    private func prepare(_ request: Request) throws -> IssuedKey {
        var problems: [CoreError.FieldProblem] = []
        let name = request.name.trimmingCharacters(in: .whitespaces)
        if name.count > 100 { problems.append(.init("name", "must be at most 100 characters")) }
        if request.scopes.isEmpty { problems.append(.init("scopes", "at least one scope is required")) }
        if let limit = request.rateLimitPerMinute, limit < 0 || limit > 1_000_000 {
            problems.append(.init("rate_limit_per_minute", "must be between 0 (unlimited) and 1000000"))
        }
        if !problems.isEmpty { throw CoreError.invalid(problems) }

        let token = Self.tokenPrefix + SecureRandom.base62(length: Self.tokenLength - Self.tokenPrefix.count)
        let key = APIKey(id: Identifier.make("key"), tenantID: request.tenantID, name: name.isEmpty ? "unnamed" : name,
                         prefix: String(token.prefix(Self.visiblePrefixLength)), hash: Self.hash(token),
                         scopes: Set(request.scopes).sorted().map(\.rawValue).joined(separator: ","),
                         rateLimitPerMinute: request.rateLimitPerMinute, createdAt: Timestamp.format(clock.now))
        return IssuedKey(key: key, token: token)
    }

    private func insert(_ issued: IssuedKey, _ db: GRDB.Database) throws -> IssuedKey {
        guard try Tenant.fetchOne(db, key: issued.key.tenantID) != nil else { throw CoreError.notFound("tenant \(issued.key.tenantID)") }
        try issued.key.insert(db)
        return issued
    }

    static func hash(_ token: String) -> String { Digest.sha256(token).hex }

    public enum Check: Sendable, Equatable {
        case valid(Caller)
        case malformed
        case unknown
        case revoked
    }

    /// Checks a presented key. Revocation takes effect at once (every check reads the database, which a
    /// `leadline key revoke` in another process writes).
    public func check(_ token: String) throws -> Check {
        guard token.utf8.count == Self.tokenLength, token.hasPrefix(Self.tokenPrefix),
              token.utf8.dropFirst(Self.tokenPrefix.utf8.count).allSatisfy({ c in
                  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
              })
        else { return .malformed }
        let hash = Self.hash(token)
        let found = try store.read { db -> (APIKey, String)? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT api_keys.*, tenants.name AS tenant_name FROM api_keys JOIN tenants ON tenants.id = api_keys.tenant_id
                WHERE api_keys.hash = ?
                """, arguments: [hash]) else { return nil }
            return (try APIKey(row: row), row["tenant_name"])
        }
        guard let (key, tenantName) = found else { return .unknown }
        if key.revokedAt != nil { return .revoked }
        noteUse(key)
        return .valid(Caller(keyID: key.id, tenantID: key.tenantID, tenantName: tenantName, scopes: key.scopeList,
                             rateLimitPerMinute: key.rateLimitPerMinute ?? Self.defaultRateLimitPerMinute))
    }

    private func noteUse(_ key: APIKey) {
        let now = clock.now
        if let last = key.lastUsedAt.flatMap(Timestamp.parse), now.timeIntervalSince(last) < Self.lastUsedResolution { return }
        let stamp = Timestamp.format(now), id = key.id
        Task { [store] in
            try? await store.write { db in
                try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [stamp, id])
            }
        }
    }

    /// Revokes a key. With `tenantID`, only a key of that tenant (API callers); without, any key (command line).
    @discardableResult
    public func revoke(id: String, tenantID: String? = nil) throws -> APIKey {
        try store.writeNow { db in
            var request = APIKey.filter(Column("id") == id)
            if let tenantID { request = request.filter(Column("tenant_id") == tenantID) }
            guard var key = try request.fetchOne(db) else { throw CoreError.notFound("API key \(id)") }
            if key.revokedAt == nil {
                key.revokedAt = Timestamp.format(clock.now)
                try key.update(db)
            }
            return key
        }
    }

    public func list(tenantID: String) throws -> [APIKey] {
        try store.read { db in
            try APIKey.filter(Column("tenant_id") == tenantID).order(Column("created_at").desc, Column("id")).fetchAll(db)
        }
    }

    public func all() throws -> [APIKey] {
        try store.read { db in try APIKey.order(Column("created_at").desc).fetchAll(db) }
    }
}
