import HTTPServer
import LeadlineCore

/// Who may call a route.
public enum Access: Sendable {
    /// No key needed (`/healthz`).
    case open
    /// Any valid key, whatever its scopes (`/v1/me`).
    case authenticated
    /// A key with any one of these scopes (`admin` always qualifies).
    case anyOf([Scope])

    /// The default rule: reading needs `read`; changing needs `write`.
    static func defaultFor(_ method: HTTPMethod) -> Access {
        method.isUnsafe ? .anyOf([.write]) : .anyOf([.read])
    }

    static let admin = Access.anyOf([.admin])
    /// Ping-post and compliance endpoints.
    static let complianceOrWrite = Access.anyOf([.compliance, .write])
}

/// How a dialect carries its key: lead2inbound (`/v1`) as `Authorization: Bearer`, EZLeeds (`/api/v1`) as
/// `X-API-Key` or `X-Compliance-API-Key`.
public enum KeyDialect: Sendable {
    case bearer
    case ezleeds
    /// Either form (operational endpoints such as `/metrics`).
    case any

    static func forPath(_ path: String) -> KeyDialect {
        if path.hasPrefix("/api/") { return .ezleeds }
        if path.hasPrefix("/v1/") || path == "/v1" { return .bearer }
        return .any
    }

    var howToSend: String {
        switch self {
        case .bearer: return "send it as 'Authorization: Bearer <key>'"
        case .ezleeds: return "send it as 'X-API-Key: <key>'"
        case .any: return "send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        }
    }

    /// The presented key: nil when none was sent, `.failure` when the header is there but unusable.
    func presentedKey(_ headers: HTTPHeaders) -> Result<String, HTTPError>? {
        if self != .ezleeds, let authorization = headers["Authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .failure(.unauthorized("malformed Authorization header; \(howToSend)"))
            }
            return .success(parts[1].trimmingSpaces)
        }
        if self != .bearer {
            for name in ["X-API-Key", "X-Compliance-API-Key"] {
                if let value = headers[name] { return .success(value.trimmingSpaces) }
            }
        }
        return nil
    }
}
