import Foundation
import GRDB

/// Webhooks waiting to be sent. A row is written in the same transaction as the change it reports (a sale, an
/// accept, a return), so a change is never committed without its webhook or its webhook sent for a change that
/// rolled back; `OutboxWorker` sends it afterwards and retries until it is delivered or a day has passed.
public enum Outbox {
    /// Whose webhook it is: its secret signs it, and a buyer's failures count toward pausing it.
    enum Owner: Sendable {
        case buyer(String)
        case campaign(String)
    }

    /// Queues `event` for `url`.
    static func enqueue<Payload>(_ db: GRDB.Database, tenantID: String, owner: Owner, url: String, event: WebhookEvent<Payload>) throws {
        let stamp = event.timestamp
        var buyerID: String?, campaignID: String?
        switch owner {
        case .buyer(let id): buyerID = id
        case .campaign(let id): campaignID = id
        }
        try db.execute(sql: """
            INSERT INTO outbox (tenant_id, event_id, event, buyer_id, campaign_id, url, body, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """, arguments: [tenantID, event.id, event.event, buyerID, campaignID, url, Data(try event.body()), stamp, stamp])
    }

    /// One queued webhook, as the API and console show it.
    public struct Entry: Sendable, Equatable {
        public let id: Int64
        public let tenantID: String
        public let eventID: String
        public let event: String
        public let buyerID: String?
        public let campaignID: String?
        public let url: String
        public let body: [UInt8]
        public let status: String
        public let attempts: Int
        public let nextAttemptAt: String
        public let lastStatus: Int?
        public let lastError: String?
        public let createdAt: String
        public let deliveredAt: String?

        init(row: Row) {
            id = row["id"]; tenantID = row["tenant_id"]; eventID = row["event_id"]; event = row["event"]
            buyerID = row["buyer_id"]; campaignID = row["campaign_id"]; url = row["url"]; body = Array(row["body"] as Data); status = row["status"]
            attempts = row["attempts"]; nextAttemptAt = row["next_attempt_at"]; lastStatus = row["last_status"]
            lastError = row["last_error"]; createdAt = row["created_at"]; deliveredAt = row["delivered_at"]
        }
    }
}
