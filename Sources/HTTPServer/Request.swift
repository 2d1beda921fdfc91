import Foundation

public struct Request: Sendable {
    public var method: HTTPMethod
    /// The decoded path, without the query string.
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The body, when the route writes it to a file instead (`Route.bodyToFile`).
    public var bodyFile: BodyFile?
    /// Parameters captured by the matched route's `{name}` segments.
    public var parameters: [String: String] = [:]
    /// The matched route's pattern, e.g. `/v1/leads/{id}`; nil when nothing matched. Logs and metrics use it, never the raw path.
    public var route: String?
    public var remoteAddress: String?
    public var requestID: String = ""
    /// Who is calling, for the log line (an API key id); never a person's data.
    public var actor: String?
    public var receivedAt: ContinuousClock.Instant
    public var attributes = Attributes()

    public init(method: HTTPMethod, path: String, query: [String: String] = [:], headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], remoteAddress: String? = nil, receivedAt: ContinuousClock.Instant = .now) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
    }

    /// True when the peer is on this machine and no proxy forwarded the request on someone else's behalf.
    public var isFromLoopback: Bool {
        guard headers["X-Forwarded-For"] == nil, headers["Forwarded"] == nil, let address = remoteAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw HTTPError.notFound("no \(name) in path") }
        return value
    }

    public var hasBody: Bool { !body.isEmpty || (bodyFile?.size ?? 0) > 0 }

    /// The media type without parameters, lowercased: `application/json`.
    /// Read for every request with a body: no array of parts, and no lower-cased copy of a type already in lower case.
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value[..<(value.utf8.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex)].trimmingSpaces
        return type.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? type.lowercased() : type
    }
}
