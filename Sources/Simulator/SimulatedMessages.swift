import Foundation
import LeadlineCore
import Synchronization

/// The built-in text and email channel: accepts every message and keeps it (the newest 10,000), so rehearsals and
/// tests can see what would have gone out. A number ending in 0700 or an address at `bounce.test` is refused, to
/// rehearse a failed send.
public final class SimulatedMessages: MessageSender {
    private let log = Mutex<[OutboundMessage]>([])

    public init() {}

    public func send(_ message: OutboundMessage) async throws -> String {
        if message.to.hasSuffix("0700") || message.to.hasSuffix("@bounce.test") {
            throw Refused(to: message.to)
        }
        log.withLock { log in
            log.append(message)
            if log.count > 10_000 { log.removeFirst(log.count - 10_000) }
        }
        return "sim_msg_" + UUID().uuidString.lowercased().prefix(12)
    }

    /// What was sent, oldest first.
    public var sent: [OutboundMessage] { log.withLock { $0 } }

    struct Refused: Error, CustomStringConvertible {
        let to: String
        var description: String { "the simulated \(to.contains("@") ? "mail server" : "carrier") refused the message" }
    }
}
