import Foundation
import HTTPServer
import Synchronization

/// A buyer's own ping and post endpoints, on a loopback port: it bids, hesitates, times out, declines and rejects as
/// told, in JSON, XML or plain text, so the exchange is rehearsed and tested over real HTTP. Every request it
/// receives is kept (headers and body) for a test to inspect.
public final class MockBuyer: Sendable {
    public struct Behavior: Sendable {
        public enum Format: String, Sendable, CaseIterable {
            /// `{"accepted": true, "price_cents": 1234, "reason": null}`: the standard reading, no rule needed.
            case json
            /// `<response><status>Matched</status><price>12.34</price></response>`: read by regex, prices in dollars.
            case xml
            /// HTTP 200 `ACCEPTED` or HTTP 409 `REJECTED`: read by HTTP status, the price is the buyer's bid_cents.
            case text
        }

        /// Bids are drawn uniformly from this range.
        public var bidCents: ClosedRange<Int>
        /// How long each answer takes, plus up to `jitter` more (and up to 1 ms, so that answers due together go out
        /// together).
        public var latency: Duration
        public var jitter: Duration
        /// Share of pings answered only after `hang` (past any sensible timeout).
        public var timeoutRate: Double
        public var hang: Duration
        /// Share of pings answered "no bid".
        public var declineRate: Double
        /// Share of posts answered "rejected".
        public var rejectRate: Double
        public var format: Format

        public init(bidCents: ClosedRange<Int> = 1000...1000, latency: Duration = .zero, jitter: Duration = .zero, timeoutRate: Double = 0,
                    hang: Duration = .seconds(5), declineRate: Double = 0, rejectRate: Double = 0, format: Format = .json) {
            self.bidCents = bidCents
            self.latency = latency
            self.jitter = jitter
            self.timeoutRate = timeoutRate
            self.hang = hang
            self.declineRate = declineRate
            self.rejectRate = rejectRate
            self.format = format
        }

        /// The buyer's `response_parsing` for this format (nil: the standard JSON reading).
        public var responseParsing: [String: Any]? {
            switch format {
            case .json: return nil
            case .xml: return ["type": "regex", "accept_pattern": "<status>Matched</status>", "price_pattern": "<price>([0-9.]+)</price>",
                               "reason_pattern": "<reason>([^<]*)</reason>", "price_unit": "dollars"]
            case .text: return ["type": "http_status", "accept_statuses": [200]]
            }
        }
    }

    /// One request the buyer received.
    public struct Received: Sendable {
        public let path: String
        /// As received; looked up without regard to case.
        public let headers: HTTPHeaders
        public let body: [UInt8]

        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    private struct State {
        var behavior: Behavior
        var random: SplitMix64
        /// The latest requests, for tests to look at: at least the last `kept`, never more than twice that (a mock
        /// buyer in a day-long simulation or a benchmark answers millions).
        var received: [Received] = []
        static let kept = 1000
        /// Set by `stop`: answers go out at once, so the server is not held by one that would come later.
        var stopping = false

        mutating func record(_ request: Received) {
            if received.count >= 2 * Self.kept { received.removeFirst(Self.kept) }
            received.append(request)
        }
    }

    /// In a class of its own: the route closures share it with this object.
    private final class Shared: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let shared: Shared
    private let server: HTTPServer

    public var port: UInt16 { server.port }
    public var pingURL: String { "http://127.0.0.1:\(port)/ping" }
    public var postURL: String { "http://127.0.0.1:\(port)/post" }

    /// Every mock buyer of the process is driven by this one thread, which also sends their late answers: no request
    /// ever holds it.
    static let loop = ServerLoop(name: "leadline-mocks")

    public init(_ behavior: Behavior = Behavior(), seed: UInt64 = 1) throws {
        let shared = Shared(State(behavior: behavior, random: SplitMix64(seed: seed)))
        self.shared = shared
        var router = Router()
        for (path, isPing) in [("/ping", true), ("/post", false)] {
            router.addDeferred(.POST, path) { request, reply in
                shared.state.withLock { state in
                    state.record(Received(path: path, headers: request.headers, body: request.body))
                    let behavior = state.behavior, draw = state.random.unit(), extra = state.random.unit()
                    var wait = behavior.latency + behavior.jitter * extra
                    let price = behavior.bidCents.lowerBound + Int(Double(behavior.bidCents.count) * extra) % behavior.bidCents.count
                    let yes: Bool
                    if isPing {
                        if draw < behavior.timeoutRate { wait = behavior.hang }
                        yes = draw >= behavior.timeoutRate + behavior.declineRate
                    } else {
                        yes = draw >= behavior.rejectRate
                    }
                    let answer = Self.answer(yes: yes, priceCents: price, format: behavior.format)
                    // Held back under the lock `stop` takes first: an answer is either sent at once or flushed by it.
                    Self.loop.after(state.stopping ? .zero : wait, owner: shared) { reply.send(answer) }
                }
            }
        }
        server = HTTPServer(configuration: ServerConfiguration(listen: "127.0.0.1:0", drainTimeout: .seconds(1), loop: Self.loop),
                            responder: Responder(router: router, middleware: [], defaultMaxBodyBytes: 1 << 20))
        try server.start()
    }

    deinit { stop() }

    /// Answers what it still holds back (a hang, a latency) at once, then stops the server.
    public func stop() {
        shared.state.withLock { $0.stopping = true }
        Self.loop.flush(owner: shared)
        server.stop()
    }

    public func setBehavior(_ change: (inout Behavior) -> Void) {
        shared.state.withLock { change(&$0.behavior) }
    }

    public var behavior: Behavior { shared.state.withLock { $0.behavior } }
    /// The latest requests received (at least the last 1,000), oldest first.
    public var received: [Received] { shared.state.withLock { $0.received } }
    public var pings: [Received] { received.filter { $0.path == "/ping" } }
    public var posts: [Received] { received.filter { $0.path == "/post" } }

    static func answer(yes: Bool, priceCents: Int, format: Behavior.Format) -> Response {
        switch format {
        case .json:
            let body = yes ? "{\"accepted\":true,\"price_cents\":\(priceCents),\"reason\":null}" : "{\"accepted\":false,\"price_cents\":null,\"reason\":\"not interested\"}"
            return .text(body, contentType: "application/json")
        case .xml:
            let dollars = String(format: "%d.%02d", priceCents / 100, priceCents % 100)
            let body = yes ? "<response><status>Matched</status><price>\(dollars)</price></response>"
                           : "<response><status>NoMatch</status><reason>not interested</reason></response>"
            return .text(body, contentType: "application/xml")
        case .text:
            return yes ? .text("ACCEPTED") : .text("REJECTED", status: 409)
        }
    }
}

/// A small seeded generator, so a simulated buyer (or a randomised test) behaves the same on every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
