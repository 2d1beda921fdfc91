import Foundation
import GRDB
import Store

/// Reading transfers and calls: the lists the API and console show.
public struct CallRecords: Sendable {
    let store: SQLiteStore

    public init(store: SQLiteStore) { self.store = store }

    public struct TransferFilter: Sendable {
        /// Started at or after / before (RFC 3339).
        public var from: String?
        public var to: String?
        public var buyerID: String?
        public var destinationID: String?
        /// true: with revenue from a postback; false: connected, still without.
        public var matched: Bool?

        public init(from: String? = nil, to: String? = nil, buyerID: String? = nil, destinationID: String? = nil, matched: Bool? = nil) {
            self.from = from; self.to = to; self.buyerID = buyerID; self.destinationID = destinationID; self.matched = matched
        }
    }

    /// Newest first, `limit` at most, before the transfer id `before` when paging.
    public func transfers(tenantID: String, _ filter: TransferFilter, limit: Int, before: String?) throws -> [Transfer] {
        try store.read { db in
            var sql = "SELECT * FROM transfers WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let from = filter.from { sql += " AND started_at >= ?"; arguments.append(from) }
            if let to = filter.to { sql += " AND started_at < ?"; arguments.append(to) }
            if let buyer = filter.buyerID { sql += " AND buyer_id = ?"; arguments.append(buyer) }
            if let destination = filter.destinationID { sql += " AND destination_id = ?"; arguments.append(destination) }
            if let matched = filter.matched {
                sql += matched ? " AND postback_id IS NOT NULL" : " AND postback_id IS NULL AND status IN ('bridged', 'ended')"
            }
            if let before { sql += " AND id < ?"; arguments.append(before) }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Transfer.init)
        }
    }

    public func transfer(tenantID: String, id: String) throws -> Transfer {
        try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM transfers WHERE id = ? AND tenant_id = ?", arguments: [id, tenantID]) else {
                throw CoreError.notFound("transfer \(id)")
            }
            return Transfer(row: row)
        }
    }

    /// The tenant's calls, newest first, a page at a time by key.
    public func calls(tenantID: String, limit: Int, after cursor: TimeCursor? = nil) throws -> (items: [CallAttempt], next: TimeCursor?) {
        try store.read { db in
            try NewestFirst.page(db, table: "call_attempts", tenantID: tenantID, after: cursor, limit: limit, read: CallAttempt.init,
                                 position: { TimeCursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// A call with every step it went through.
    public func call(tenantID: String, id: String) throws -> (CallAttempt, [CallEventRecord]) {
        try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM call_attempts WHERE id = ? AND tenant_id = ?", arguments: [id, tenantID]) else {
                throw CoreError.notFound("call \(id)")
            }
            let events = try Row.fetchAll(db, sql: "SELECT at, kind, detail FROM call_events WHERE attempt_id = ? ORDER BY id", arguments: [id])
                .map { CallEventRecord(at: $0["at"], kind: $0["kind"], detail: $0["detail"]) }
            return (CallAttempt(row: row), events)
        }
    }

    /// Where the dialer stands with a lead: waiting (until when, why), calling, or done (why).
    public func queue(leadID: String) throws -> (status: String, attempts: Int, nextAttemptAt: String, reason: String?)? {
        try store.read { db in
            try Row.fetchOne(db, sql: "SELECT status, attempts, next_attempt_at, reason FROM call_queue WHERE lead_id = ?", arguments: [leadID])
                .map { ($0["status"], $0["attempts"], $0["next_attempt_at"], $0["reason"]) }
        }
    }
}
