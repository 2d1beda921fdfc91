import Foundation
import GRDB
import HTTPServer
import Logging
import OutboundHTTP
import Store
import Synchronization

/// Sends the outbox: every due webhook, signed with its buyer's secret, several at a time. A failure is retried with
/// exponential backoff (30 s doubling to an hour) until a day has passed since the event, then given up. A buyer
/// whose deliveries fail `pauseAfterFailures` times in a row is paused, with the reason on the buyer for the
/// operator, and a warning in the log. Everything lives in the database, so a restart picks up where it stopped.
public final class OutboxWorker: Sendable {
    public static let retryWindow: TimeInterval = 24 * 3600
    public static let pauseAfterFailures = 10
    static let firstRetry: TimeInterval = 30
    static let longestRetry: TimeInterval = 3600
    static let timeout = 10
    static let batch = 32

    let store: SQLiteStore
    let clock: any Clock
    let outbound: OutboundClient
    let buyers: Buyers
    let campaigns: Campaigns
    let loop: BackgroundLoop
    private let logger = Logger(label: "leadline.outbox")

    public init(store: SQLiteStore, clock: any Clock, outbound: OutboundClient, buyers: Buyers, campaigns: Campaigns,
                pollInterval: Duration = .milliseconds(500)) {
        self.store = store
        self.clock = clock
        self.outbound = outbound
        self.buyers = buyers
        self.campaigns = campaigns
        loop = BackgroundLoop(pollInterval: pollInterval)
    }

    public func start() {
        loop.start { [self] in ((try? await sendDue()) ?? 0) > 0 }
    }

    /// Stops sending and waits for the deliveries under way to be recorded (so the database can close after).
    public func stop() { loop.stop(waiting: .seconds(Self.timeout + 5)) }

    /// The wait before retry number `attempt` (1: after the first failure).
    static func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(firstRetry * pow(2, Double(max(0, attempt - 1))), longestRetry)
    }

    /// Sends every webhook due now (up to a batch); returns how many were tried.
    @discardableResult
    public func sendDue() async throws -> Int {
        let now = clock.now
        let due = try store.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """), arguments: [Timestamp.format(now), Self.batch]).map(Outbox.Entry.init)
        }
        guard !due.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            for entry in due {
                group.addTask { [self] in
                    do { try await deliver(entry) } catch {
                        logger.error("outbox entry could not be updated", metadata: ["outbox_id": "\(entry.id)", "error": "\(error)"])
                    }
                }
            }
        }
        return due.count
    }

    private func deliver(_ entry: Outbox.Entry) async throws {
        var secret: String?
        if let buyerID = entry.buyerID {
            for candidate in try buyers.entries(tenantID: entry.tenantID) where candidate.buyer.id == buyerID { secret = candidate.secret }
        } else if let campaignID = entry.campaignID {
            secret = try campaigns.webhookSecret(tenantID: entry.tenantID, campaignID: campaignID)
        }
        let timestamp = (try? JSONSerialization.jsonObject(with: Data(entry.body)) as? [String: Any])?["timestamp"] as? String ?? entry.createdAt
        let request = WebhookRequest.make(url: entry.url, secret: secret, eventID: entry.eventID, event: entry.event, timestamp: timestamp,
                                          body: entry.body, timeout: .seconds(Self.timeout), policy: buyers.policy)
        let result = await outbound.send(request)
        let now = clock.now, stamp = Timestamp.format(now)
        let status = result.response?.status
        let delivered = status.map { (200..<300).contains($0) } ?? false
        let error = delivered ? nil : (result.failure?.description ?? "HTTP \(status ?? 0)")
        let giveUp = !delivered && now.timeIntervalSince(Timestamp.parse(entry.createdAt) ?? now) >= Self.retryWindow
        let next = Timestamp.format(now.addingTimeInterval(Self.delay(afterAttempt: entry.attempts + 1)))
        let buyers = self.buyers, logger = self.logger
        try await store.write { db in
            try db.execute(sql: """
                UPDATE outbox SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?
                WHERE id = ?
                """, arguments: [delivered ? "delivered" : (giveUp ? "failed" : "pending"), status, error, delivered ? stamp : next,
                                 delivered ? stamp : nil, entry.id])
            guard let buyerID = entry.buyerID else { return }
            if delivered {
                try db.execute(sql: "UPDATE buyers SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures > 0", arguments: [buyerID])
                return
            }
            try db.execute(sql: "UPDATE buyers SET consecutive_failures = consecutive_failures + 1 WHERE id = ?", arguments: [buyerID])
            let row = try Row.fetchOne(db, sql: "SELECT consecutive_failures, status FROM buyers WHERE id = ?", arguments: [buyerID])
            let failures: Int = row?["consecutive_failures"] ?? 0, active = (row?["status"] as String?) == "active"
            if failures >= Self.pauseAfterFailures && active {
                let reason = "paused by Leadline: \(failures) webhook deliveries failed in a row (last: \(error ?? "?")); fix the endpoint, then set status to active"
                try buyers.pause(db, tenantID: entry.tenantID, buyerID: buyerID, reason: reason, at: stamp)
                logger.warning("buyer paused after failed webhook deliveries",
                               metadata: ["buyer_id": "\(buyerID)", "tenant_id": "\(entry.tenantID)", "failures": "\(failures)"])
            }
        }
    }
}
