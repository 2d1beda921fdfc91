import Foundation
import GRDB
import Store

/// The dialer's queue: a row per lead to call, waiting (until `next_attempt_at`), calling, or done with the reason.
/// Leads enter it in the transaction that stores them, so an acknowledged lead is never lost to the dialer.
enum CallQueue {
    /// Under which settings a lead is called: its campaign's, or the tenant's (`campaignID` nil).
    struct Plan: Sendable, Equatable {
        let campaignID: String?
    }

    /// What intake needs to know to queue a batch's leads: the calling campaigns by type, and whether leads without
    /// one are called.
    struct Intake: Sendable {
        var tenantCalls = false
        var campaigns: [String: String] = [:]

        static func fetch(_ db: GRDB.Database, tenantID: String, _ calls: Bool) throws -> Intake {
            var intake = Intake()
            if calls {
                intake.tenantCalls = try db.cachedStatement(sql: """
                    SELECT coalesce(json_extract(call_settings, '$.enabled'), 1) FROM tenants WHERE id = ?
                    """).first({ $0.add(tenantID) }, { ($0.int(0) ?? 0) != 0 }) ?? false
            }
            try db.cachedStatement(sql: """
                SELECT campaign_type, id FROM campaigns
                WHERE tenant_id = ? AND status = 'active' AND json_extract(settings, '$.calling.enabled') = 1 ORDER BY created_at DESC
                """).forEachRow({ $0.add(tenantID) }) { row in
                if let type = row.text(0), let id = row.text(1) { intake.campaigns[type] = id }
            }
            return intake
        }

        func plan(campaignType: String?) -> Plan? {
            if let campaignType { return campaigns[campaignType].map { Plan(campaignID: $0) } }
            return tenantCalls ? Plan(campaignID: nil) : nil
        }
    }

    /// A new lead's place in the queue: waiting from its creation.
    enum Waiting {
        /// Leads queued twice keep their first place.
        static let insertRow = RowInsert(into: "call_queue", [
            "lead_id", "tenant_id", "campaign_id", "status", "attempts", "next_attempt_at", "created_at", "updated_at",
        ], orIgnore: true)

        static func bind(_ lead: Lead, _ plan: Plan, _ row: inout Bindings) {
            row.add(lead.id); row.add(lead.tenantID); row.add(plan.campaignID); row.add("waiting"); row.add(0)
            row.add(lead.createdAt); row.add(lead.createdAt); row.add(lead.createdAt)
        }
    }

    /// Queues a lead to be called now, for a sequence's call step: a lead the dialer is done with is queued again with
    /// its attempts counted afresh; one waiting or on a call keeps its place.
    static func requeue(_ db: GRDB.Database, lead: Lead, reason: String, at stamp: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO call_queue (lead_id, tenant_id, campaign_id, status, attempts, next_attempt_at, reason, created_at, updated_at)
            VALUES (?, ?, NULL, 'waiting', 0, ?, ?, ?, ?)
            ON CONFLICT (lead_id) DO UPDATE SET status = 'waiting', attempts = 0, next_attempt_at = excluded.next_attempt_at,
                reason = excluded.reason, updated_at = excluded.updated_at
            WHERE call_queue.status = 'done'
            """).execute(arguments: [lead.id, lead.tenantID, stamp, reason, stamp, stamp])
    }

    /// A lead the dialer took from the queue.
    struct Entry: Sendable {
        let leadID: String
        let tenantID: String
        let campaignID: String?
        let attempts: Int
    }

    /// The leads due now, oldest due first, skipping tenants and campaigns whose calling is paused.
    static func due(_ db: GRDB.Database, at now: String, limit: Int) throws -> [Entry] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT q.lead_id, q.tenant_id, q.campaign_id, q.attempts FROM call_queue q
            JOIN tenants t ON t.id = q.tenant_id LEFT JOIN campaigns c ON c.id = q.campaign_id
            WHERE q.status = 'waiting' AND q.next_attempt_at <= ?
              AND coalesce(json_extract(t.call_settings, '$.paused'), 0) = 0
              AND (c.id IS NULL OR (c.status = 'active' AND coalesce(json_extract(c.settings, '$.calling.paused'), 0) = 0))
            ORDER BY q.next_attempt_at LIMIT ?
            """), arguments: [now, limit]).map { Entry(leadID: $0[0], tenantID: $0[1], campaignID: $0[2], attempts: $0[3]) }
    }

    /// Takes a waiting lead for a call; false when another dialer took it first.
    static func claim(_ db: GRDB.Database, leadID: String, at now: String) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE call_queue SET status = 'calling', updated_at = ? WHERE lead_id = ? AND status = 'waiting'")
            .execute(arguments: [now, leadID])
        return db.changesCount == 1
    }

    /// Puts the lead back to wait until `next`, saying why.
    static func wait(_ db: GRDB.Database, leadID: String, until next: Date, reason: String, countingAttempt: Bool = false, at now: String) throws {
        try db.cachedStatement(sql: """
            UPDATE call_queue SET status = 'waiting', next_attempt_at = ?, reason = ?, attempts = attempts + ?, updated_at = ? WHERE lead_id = ?
            """).execute(arguments: [Timestamp.format(next), reason, countingAttempt ? 1 : 0, now, leadID])
    }

    static func markCalling(_ db: GRDB.Database, leadID: String, at now: String) throws {
        try db.cachedStatement(sql: "UPDATE call_queue SET attempts = attempts + 1, reason = NULL, updated_at = ? WHERE lead_id = ?")
            .execute(arguments: [now, leadID])
    }

    /// The dialer is finished with the lead.
    static func done(_ db: GRDB.Database, leadID: String, reason: String, at now: String) throws {
        try db.cachedStatement(sql: "UPDATE call_queue SET status = 'done', reason = ?, updated_at = ? WHERE lead_id = ?")
            .execute(arguments: [reason, now, leadID])
    }

    static func standing(_ db: GRDB.Database, leadID: String) throws -> DialerStanding? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT status, next_attempt_at, reason, attempts FROM call_queue WHERE lead_id = ?"),
                         arguments: [leadID]).map {
            DialerStanding(status: $0["status"], nextAttemptAt: $0["next_attempt_at"], reason: $0["reason"], attempts: $0["attempts"])
        }
    }

    static func attempts(_ db: GRDB.Database, leadID: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT attempts FROM call_queue WHERE lead_id = ?", arguments: [leadID]) ?? 0
    }
}

/// Where a lead stands with the dialer, as its queue row says: `waiting` (from `nextAttemptAt`, with the reason when it
/// was held back, such as the calling hours of its state), `calling`, or `done` (with why).
public struct DialerStanding: Sendable, Equatable {
    public let status: String
    public let nextAttemptAt: String
    public let reason: String?
    /// Calls placed so far (blocked ones are not).
    public let attempts: Int
}
