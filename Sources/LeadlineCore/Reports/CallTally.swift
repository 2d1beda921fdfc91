import GRDB
import Store

/// A tenant's calls, transfers and postbacks counted by how they stand: the end of a simulator run reports these.
public struct CallTally: Sendable {
    public var callStatuses: [String: Int] = [:]
    public var transferStatuses: [String: Int] = [:]
    public var transferRevenueCents = 0
    public var postbacksMatched = 0
    public var postbacksUnmatched = 0

    public static func count(_ store: SQLiteStore, tenantID: String) throws -> CallTally {
        try store.read { db in
            var tally = CallTally()
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM call_attempts WHERE tenant_id = ? GROUP BY status",
                                        arguments: [tenantID]) {
                tally.callStatuses[row["status"]] = row["n"]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT status, count(*) AS n, coalesce(sum(revenue_cents), 0) AS revenue FROM transfers WHERE tenant_id = ? GROUP BY status
                """, arguments: [tenantID]) {
                tally.transferStatuses[row["status"]] = row["n"]
                tally.transferRevenueCents += row["revenue"] as Int
            }
            let postbacks = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE transfer_id IS NOT NULL), count(*) FILTER (WHERE transfer_id IS NULL)
                FROM postbacks WHERE tenant_id = ?
                """, arguments: [tenantID])!
            (tally.postbacksMatched, tally.postbacksUnmatched) = (postbacks[0], postbacks[1])
            return tally
        }
    }
}
