import Foundation
import GRDB

/// A tenant's API key as stored: only the SHA-256 of the key, and a visible prefix to recognise it by.
public struct APIKey: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_keys"
    public var id: String
    public var tenantID: String
    public var name: String
    public var prefix: String
    public var hash: String
    public var scopes: String
    public var rateLimitPerMinute: Int?
    public var createdAt: String
    public var lastUsedAt: String?
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, hash, scopes
        case tenantID = "tenant_id"
        case rateLimitPerMinute = "rate_limit_per_minute"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    public var scopeList: [Scope] { scopes.split(separator: ",").compactMap { Scope(rawValue: String($0)) } }
}

/// A key as it is handed out: the only moment the secret exists outside the caller's hands.
public struct IssuedKey: Sendable {
    public var key: APIKey
    public var token: String
}

/// Who is calling, once a key has been checked.
public struct Caller: Sendable, Equatable {
    public var keyID: String
    public var tenantID: String
    public var tenantName: String
    public var scopes: [Scope]
    /// Requests per minute; 0 means unlimited.
    public var rateLimitPerMinute: Int

    public func has(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}
