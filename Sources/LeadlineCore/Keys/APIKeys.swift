import Foundation
import GRDB
import LeadlineCrypto
import Store
import Synchronization

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
    private let recent = RecentlyVerified()
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

    /// Runs on the single writer, so it does only the insert: the foreign key, not a query first, proves the tenant exists.
    private func insert(_ issued: IssuedKey, _ db: GRDB.Database) throws -> IssuedKey {
        let key = issued.key
        do {
            try db.cachedStatement(sql: """
                INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, rate_limit_per_minute, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [key.id, key.tenantID, key.name, key.prefix, key.hash, key.scopes,
                                         key.rateLimitPerMinute, key.createdAt])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw CoreError.notFound("tenant \(key.tenantID)")
        }
        return issued
    }

    static func hash(_ token: String) -> String { Digest.sha256(token).hex }

    public enum Check: Sendable, Equatable {
        case valid(Caller)
        case malformed
        case unknown
        case revoked
    }

    /// How long a verified key is trusted from memory before the database is asked again. A revocation made by this
    /// process applies at once; one made by another process (`leadline key revoke`) applies within this time.
    public static let verificationLifetime: Duration = .seconds(1)

    /// Checks a presented key.
    public func check(_ token: String) throws -> Check {
        guard token.utf8.count == Self.tokenLength, token.hasPrefix(Self.tokenPrefix),
              token.utf8.dropFirst(Self.tokenPrefix.utf8.count).allSatisfy({ c in
                  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
              })
        else { return .malformed }
        let hash = Self.hash(token)
        if let caller = recent.caller(hash: hash) { return .valid(caller) }
        let found = try store.lookup { db -> (APIKey, String)? in
            let statement = try db.cachedStatement(sql: """
                SELECT api_keys.*, tenants.name AS tenant_name FROM api_keys JOIN tenants ON tenants.id = api_keys.tenant_id
                WHERE api_keys.hash = ?
                """)
            guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
            return (try APIKey(row: row), row["tenant_name"])
        }
        guard let (key, tenantName) = found else { return .unknown }
        if key.revokedAt != nil { return .revoked }
        let caller = Caller(keyID: key.id, tenantID: key.tenantID, tenantName: tenantName, scopes: key.scopeList,
                            rateLimitPerMinute: key.rateLimitPerMinute ?? Self.defaultRateLimitPerMinute)
        recent.remember(hash: hash, caller: caller, for: Self.verificationLifetime)
        noteUse(key)
        return .valid(caller)
    }

    /// Records when a key was last used, at most once per `lastUsedResolution`, as a write of its own.
    private func noteUse(_ key: APIKey) {
        let now = clock.now
        if let last = key.lastUsedAt.flatMap(Timestamp.parse), now.timeIntervalSince(last) < Self.lastUsedResolution { return }
        guard recent.claimLastUsedWrite(keyID: key.id, now: now, resolution: Self.lastUsedResolution) else { return }
        let stamp = Timestamp.format(now), id = key.id
        store.writeSoon { db in
            try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [stamp, id])
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
            recent.forget(hash: key.hash)
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

/// Keys verified in the last moment, so a busy client's every request is not a database read.
private final class RecentlyVerified: Sendable {
    private struct Entry { let caller: Caller; let until: ContinuousClock.Instant }
    private let entries = Mutex<[String: Entry]>([:])
    private let lastUsedWrites = Mutex<[String: Date]>([:])

    func caller(hash: String) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.until < .now { entries[hash] = nil; return nil }
            return entry.caller
        }
    }

    func remember(hash: String, caller: Caller, for lifetime: Duration) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }  // only valid keys are kept, so this is a generous bound
            entries[hash] = Entry(caller: caller, until: .now + lifetime)
        }
    }

    func forget(hash: String) {
        _ = entries.withLock { $0.removeValue(forKey: hash) }
    }

    /// True for the one caller that should write the last-used time now (the stored value is read only on cache misses).
    func claimLastUsedWrite(keyID: String, now: Date, resolution: TimeInterval) -> Bool {
        lastUsedWrites.withLock { writes in
            if let last = writes[keyID], now.timeIntervalSince(last) < resolution { return false }
            if writes.count >= 10_000 { writes.removeAll() }
            writes[keyID] = now
            return true
        }
    }
}
