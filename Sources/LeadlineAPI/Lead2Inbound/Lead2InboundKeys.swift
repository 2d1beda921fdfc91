import HTTPServer
import LeadlineCore

/// A key as the API and `leadline key create --json` show it. `key` is present only in the answer that creates it.
struct KeyView: Encodable {
    var id: String
    var key: String?
    var name: String
    var prefix: String
    var tenant: String
    var scopes: [String]
    var rateLimitPerMinute: Int
    var createdAt: String
    @Nullable var lastUsedAt: String?
    @Nullable var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, key, name, prefix, tenant, scopes
        case rateLimitPerMinute = "rate_limit_per_minute"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    init(_ key: APIKey, tenant: String, token: String? = nil) {
        id = key.id
        self.key = token
        name = key.name
        prefix = key.prefix
        self.tenant = tenant
        scopes = key.scopeList.map(\.rawValue)
        rateLimitPerMinute = key.rateLimitPerMinute ?? APIKeys.defaultRateLimitPerMinute
        createdAt = key.createdAt
        lastUsedAt = key.lastUsedAt
        revokedAt = key.revokedAt
    }
}

extension Routes {
    /// `/v1/me` tells a caller which key and tenant it is using; `/v1/keys` manages the tenant's keys (admin scope).
    mutating func addKeys() {
        let keys = self.keys
        add(.GET, "/v1/me", access: .authenticated) { request in
            let caller = try request.caller
            struct Me: Encodable {
                let key_id: String, tenant: String, scopes: [String], rate_limit_per_minute: Int
            }
            return try .json(Me(key_id: caller.keyID, tenant: caller.tenantName, scopes: caller.scopes.map { $0.rawValue },
                                rate_limit_per_minute: caller.rateLimitPerMinute))
        }

        add(.GET, "/v1/keys", access: .admin) { request in
            let caller = try request.caller
            let views = try keys.list(tenantID: caller.tenantID).map {
                KeyView($0, tenant: caller.tenantName)
            }
            return try .json(["items": views])
        }

        addAsync(.POST, "/v1/keys", access: .admin) { request in
            struct Body: Decodable {
                var name: String?
                var scopes: [String]
                var rate_limit_per_minute: Int?
            }
            let caller = try request.caller
            let body = try request.decode(Body.self)
            let issued = try await keys.create(.init(tenantID: caller.tenantID, name: body.name ?? "", scopes: try Scope.parse(body.scopes),
                                                     rateLimitPerMinute: body.rate_limit_per_minute))
            return try .json(KeyView(issued.key, tenant: caller.tenantName, token: issued.token), status: 201)
        }

        add(.DELETE, "/v1/keys/{id}", access: .admin) { request in
            let caller = try request.caller
            let key = try keys.revoke(id: try request.parameter("id"), tenantID: caller.tenantID)
            return try .json(KeyView(key, tenant: caller.tenantName))
        }
    }
}
