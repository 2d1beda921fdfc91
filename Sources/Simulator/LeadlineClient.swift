import Foundation
import OutboundHTTP

/// The simulator's way to a Leadline server: JSON over HTTP with a key, as any publisher, buyer tool or call platform
/// would talk to it, so a rehearsal exercises the same paths real traffic does.
public struct LeadlineClient: Sendable {
    public struct Answer: @unchecked Sendable {
        /// The HTTP status; 0 when no answer came (refused connection, timeout).
        public let status: Int
        public let json: [String: Any]
        public let milliseconds: Int
        public let failure: String?

        public subscript(key: String) -> Any? { json[key] }
        public var ok: Bool { (200..<300).contains(status) }
        public var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    }

    public let base: String
    public let key: String
    let outbound: OutboundClient

    public init(base: String, key: String, outbound: OutboundClient) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.key = key
        self.outbound = outbound
    }

    /// Sends `body` as JSON (or none) with the key in the header the path's dialect expects.
    public func send(_ method: String, _ path: String, _ body: [String: Any]? = nil, headers: [(String, String)] = [],
                     timeout: Duration = .seconds(30)) async -> Answer {
        var all: [(name: String, value: String)] = path.hasPrefix("/api/") ? [("X-API-Key", key)] : [("Authorization", "Bearer \(key)")]
        all += headers.map { (name: $0.0, value: $0.1) }
        var bytes: [UInt8] = []
        if let body {
            bytes = Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
            all.append(("Content-Type", "application/json"))
        }
        return await raw(OutboundRequest(method: method, url: base + path, headers: all, body: bytes, timeout: timeout,
                                         maxResponseBytes: 8 << 20, policy: AddressPolicy(allowPrivate: true)))
    }

    /// Sends a request as it is (a postback with its own token, say) and reads a JSON answer if there is one.
    public func raw(_ request: OutboundRequest) async -> Answer {
        let result = await outbound.send(request)
        guard let response = result.response else {
            return Answer(status: 0, json: [:], milliseconds: result.milliseconds, failure: result.failure?.description ?? "no answer")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return Answer(status: response.status, json: json, milliseconds: result.milliseconds, failure: nil)
    }
}
