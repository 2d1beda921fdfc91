import Foundation
import GRDB
import Store

/// What must hold whatever traffic the server took, read back from the database: the ledger balances (every
/// transaction, every tenant, the derived daily sums), no buyer bought more than a cap allows in any of its windows,
/// and no call was placed outside the called party's calling hours. `leadline verify` checks the ledger; the
/// simulator checks all of it at the end of every run and fails on a breach.
public struct Invariants: Sendable {
    /// The ledger's checks over the whole database, for `leadline verify`.
    public static func problems(_ db: GRDB.Database) throws -> [String] {
        try Ledger.problems(db)
    }

    public struct Breach: Sendable, Equatable, CustomStringConvertible {
        public let rule: String
        public let detail: String
        public var description: String { "\(rule): \(detail)" }
    }

    public struct Summary: Sendable {
        public var breaches: [Breach] = []
        public var transactionsChecked = 0
        public var salesChecked = 0
        public var callsChecked = 0
    }

    let store: SQLiteStore
    let buyers: Buyers
    let blackouts: Blackouts

    public init(store: SQLiteStore, buyers: Buyers, blackouts: Blackouts) {
        self.store = store
        self.buyers = buyers
        self.blackouts = blackouts
    }

    public func check(tenantID: String) throws -> Summary {
        var summary = Summary()
        try store.read { db in
            summary.transactionsChecked = try Int.fetchOne(db, sql: "SELECT count(*) FROM ledger_transactions WHERE tenant_id = ?",
                                                           arguments: [tenantID]) ?? 0
            summary.breaches += try Ledger.problems(db).map { Breach(rule: "ledger balanced", detail: $0) }
        }
        try checkCaps(tenantID: tenantID, into: &summary)
        try checkCallingHours(tenantID: tenantID, into: &summary)
        return summary
    }

    /// Every sale counted in the windows it fell in, in its buyer's time zone, against the buyer's caps as they
    /// stand now.
    func checkCaps(tenantID: String, into summary: inout Summary) throws {
        let all = try buyers.all(tenantID: tenantID)
        let sales = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT buyer_id, created_at FROM lead_sales
                WHERE tenant_id = ? AND status IN ('delivered', 'accepted', 'returned')
                """, arguments: [tenantID]).map { ($0["buyer_id"] as String, $0["created_at"] as String) }
        }
        summary.salesChecked = sales.count
        let byBuyer = Dictionary(grouping: sales, by: \.0)
        for buyer in all {
            let settings = buyer.settings
            let caps: [(String, Int?, (CapWindows) -> Date)] = [
                ("max_leads_per_hour", settings.maxLeadsPerHour, \.hour), ("max_leads_per_day", settings.maxLeadsPerDay, \.day),
                ("max_leads_per_week", settings.maxLeadsPerWeek, \.week), ("max_leads_per_month", settings.maxLeadsPerMonth, \.month),
            ]
            for (name, limit, window) in caps {
                guard let limit else { continue }
                var counts: [Date: Int] = [:]
                for (_, stamp) in byBuyer[buyer.id] ?? [] {
                    guard let at = Timestamp.parse(stamp) else { continue }
                    counts[window(CapWindows(at: at, zone: settings.timezone)), default: 0] += 1
                }
                for (start, count) in counts where count > limit {
                    summary.breaches.append(Breach(rule: "cap not oversold",
                                                   detail: "\(buyer.name) bought \(count) in the window from \(Timestamp.format(start)) (\(name) \(limit))"))
                }
            }
        }
    }

    /// Every call placed (the provider was asked to dial), judged again at the moment it was placed against the
    /// federal and state calling hours, day bans and blackouts of where the called party may be.
    func checkCallingHours(tenantID: String, into summary: inout Summary) throws {
        let calls = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, c.to_number, c.created_at, l.state FROM call_attempts c JOIN leads l ON l.id = c.lead_id
                WHERE c.tenant_id = ? AND c.status NOT IN ('queued', 'blocked')
                """, arguments: [tenantID]).map { ($0["id"] as String, $0["to_number"] as String, $0["created_at"] as String, $0["state"] as String?) }
        }
        summary.callsChecked = calls.count
        let declared = try blackouts.current(tenantID: tenantID)
        for (id, phone, stamp, state) in calls {
            guard let at = Timestamp.parse(stamp) else { continue }
            var decision = ComplianceDecision()
            CallingTime.check(CalledParty(phone: phone, state: state), channel: .aiCall, at: at, blackouts: declared, times: .shared,
                              into: &decision)
            for failure in decision.failures {
                summary.breaches.append(Breach(rule: "calls in calling hours", detail: "call \(id) at \(stamp): \(failure.reason)"))
            }
        }
    }
}
