import Foundation
import HTTPServer
import Synchronization

/// A loopback endpoint that records what is delivered to it (body and headers), answering with a chosen status.
public final class WebhookReceiver: @unchecked Sendable {
    public struct Delivery: Sendable {
        public let body: [UInt8]
        public let headers: [String: String]
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public let server: RawServer
    public var url: String { "http://127.0.0.1:\(server.port)/hook" }
    private final class Log: Sendable {
        let received = Mutex<[Delivery]>([])
        let status = Atomic<Int>(200)
    }
    private let log = Log()

    /// Answers the next deliveries with this status.
    public func answer(_ status: Int) { log.status.store(status, ordering: .relaxed) }

    public init() throws {
        let log = self.log
        server = try RawServer(maxBodyBytes: 1 << 20) { router in
            router.add(.POST, "/hook") { request in
                let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
                log.received.withLock { $0.append(Delivery(body: request.body, headers: headers)) }
                return .text("OK", status: log.status.load(ordering: .relaxed))
            }
        }
    }

    public var deliveries: [Delivery] { log.received.withLock { $0 } }
}
