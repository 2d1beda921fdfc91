/// The one error shape every endpoint answers with:
/// `{"error": {"code": "validation_failed", "message": "...", "fields": [{"field": "phone", "reason": "..."}]}}`.
public struct HTTPError: Error, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var reason: String
        public init(field: String, reason: String) { self.field = field; self.reason = reason }
    }

    public var status: Int
    public var code: String
    public var message: String
    public var fields: [FieldError]
    public var headers: [String: String]

    public init(status: Int, code: String, message: String, fields: [FieldError] = [], headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public static func malformedJSON(_ message: String) -> HTTPError {
        HTTPError(status: 400, code: "malformed_json", message: message)
    }
    public static func unauthorized(_ message: String) -> HTTPError {
        HTTPError(status: 401, code: "unauthorized", message: message)
    }
    public static func forbidden(_ message: String) -> HTTPError {
        HTTPError(status: 403, code: "forbidden", message: message)
    }
    public static func notFound(_ message: String = "not found") -> HTTPError {
        HTTPError(status: 404, code: "not_found", message: message)
    }
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPError(status: 405, code: "method_not_allowed", message: "allowed methods: \(allow)", headers: ["Allow": allow])
    }
    public static func conflict(_ message: String, code: String = "conflict") -> HTTPError {
        HTTPError(status: 409, code: code, message: message)
    }
    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(status: 413, code: "payload_too_large", message: "request body is larger than \(limit) bytes")
    }
    public static func unsupportedMediaType(_ got: String?, expected: String) -> HTTPError {
        HTTPError(status: 415, code: "unsupported_media_type",
                  message: "Content-Type must be \(expected)" + (got.map { ", not \($0)" } ?? ""))
    }
    public static func validation(_ fields: [FieldError], message: String = "the request has invalid fields") -> HTTPError {
        HTTPError(status: 422, code: "validation_failed", message: message, fields: fields)
    }
    public static func tooManyRequests(retryAfter seconds: Int) -> HTTPError {
        HTTPError(status: 429, code: "rate_limited", message: "rate limit exceeded; retry in \(seconds) s",
                  headers: ["Retry-After": String(seconds)])
    }
    public static func insufficientStorage(_ message: String) -> HTTPError {
        HTTPError(status: 507, code: "insufficient_storage", message: message)
    }
    public static func serviceUnavailable(_ message: String) -> HTTPError {
        HTTPError(status: 503, code: "unavailable", message: message)
    }
    public static let internalError = HTTPError(status: 500, code: "internal_error", message: "internal error; see the server log")

    public var response: Response {
        struct Envelope: Encodable {
            struct Body: Encodable { let code: String; let message: String; let fields: [FieldError] }
            let error: Body
        }
        var response = (try? Response.json(Envelope(error: .init(code: code, message: message, fields: fields)), status: status))
            ?? Response.text(message, status: status)
        for (name, value) in headers { response.headers.set(name, value) }
        return response
    }
}

/// Errors of other layers (validation, conflicts) say how they show over HTTP by conforming to this.
public protocol HTTPErrorConvertible: Error {
    var httpError: HTTPError { get }
}

extension HTTPError: HTTPErrorConvertible {
    public var httpError: HTTPError { self }
}
