import Foundation
import GRDB
import Store

/// Period totals for the dashboard and per campaign and buyer. They read the daily rollups the database keeps by
/// trigger (`lead_daily`, `sale_daily`, `ledger_daily`): a month is a few hundred rows whatever the number of leads.
public struct Reports: Sendable {
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    /// The current billing period's days.
    public var currentPeriod: DayRange { DayRange(BillingPeriod(containing: clock.now)) }

    /// Sales of a period counted by what became of them.
    public struct SaleCounts: Sendable, Equatable {
        /// Sold and delivered, including those accepted or returned since.
        public var sold = 0
        public var accepted = 0
        public var returned = 0
        /// What the sold leads were priced at.
        public var soldCents = 0
        /// What they brought once returns were credited back.
        public var keptCents = 0

        /// The share of sold leads not returned.
        public var acceptanceRate: Double? { sold == 0 ? nil : ((Double(sold - returned) / Double(sold)) * 1000).rounded() / 1000 }
        public var avgPriceCents: Int? { sold == 0 ? nil : Int((Double(soldCents) / Double(sold)).rounded()) }

        mutating func add(status: String, sales: Int, cents: Int) {
            guard ["delivered", "accepted", "returned"].contains(status) else { return }
            sold += sales
            soldCents += cents
            if status == "accepted" { accepted += sales }
            if status == "returned" { returned += sales } else { keptCents += cents }
        }
    }

    public struct Dashboard: Sendable, Equatable {
        public var period: String
        public var leadsTotal = 0
        /// Leads that passed qualification: every status after `new` but `ineligible`.
        public var leadsQualified = 0
        /// Leads sold to a buyer (delivered, and those accepted or returned since).
        public var leadsDelivered = 0
        public var sales = SaleCounts()
        /// Revenue booked in the period less credits given back in it (call postbacks post to the same account).
        public var revenueCents = 0
    }

    public func dashboard(tenantID: String, _ range: DayRange) throws -> Dashboard {
        try store.read { db in
            var report = Dashboard(period: range.label)
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT status, sum(leads) FROM lead_daily WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY status
                """), arguments: [tenantID, range.from, range.to]) {
                let status: String = row[0], leads: Int = row[1]
                report.leadsTotal += leads
                if status != LeadStatus.new.rawValue && status != LeadStatus.ineligible.rawValue { report.leadsQualified += leads }
                if ["delivered", "accepted", "returned"].contains(status) { report.leadsDelivered += leads }
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT status, sum(sales), sum(cents) FROM sale_daily WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY status
                """), arguments: [tenantID, range.from, range.to]) {
                report.sales.add(status: row[0], sales: row[1], cents: row[2])
            }
            report.revenueCents = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT coalesce(sum(amount_cents), 0) FROM ledger_daily
                WHERE tenant_id = ? AND account IN ('revenue', 'refunds') AND day >= ? AND day < ?
                """), arguments: [tenantID, range.from, range.to]) ?? 0
            return report
        }
    }

    public struct Line: Sendable, Equatable {
        public var id: String
        public var name: String
        public var sales = SaleCounts()
    }

    /// Every campaign of the tenant with what its leads sold for in the period.
    public func campaigns(tenantID: String, _ range: DayRange) throws -> [Line] {
        try lines(tenantID: tenantID, range, table: "campaigns", key: "campaign_id")
    }

    /// Every buyer of the tenant with what it bought in the period.
    public func buyers(tenantID: String, _ range: DayRange) throws -> [Line] {
        try lines(tenantID: tenantID, range, table: "buyers", key: "buyer_id")
    }

    private func lines(tenantID: String, _ range: DayRange, table: String, key: String) throws -> [Line] {
        try store.read { db in
            var lines = try Row.fetchAll(db, sql: "SELECT id, name FROM \(table) WHERE tenant_id = ? ORDER BY created_at, id",
                                         arguments: [tenantID]).map { Line(id: $0[0], name: $0[1]) }
            var index: [String: Int] = [:]
            for (i, line) in lines.enumerated() { index[line.id] = i }
            for row in try Row.fetchAll(db, sql: """
                SELECT \(key), status, sum(sales), sum(cents) FROM sale_daily
                WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY 1, 2
                """, arguments: [tenantID, range.from, range.to]) {
                guard let i = index[row[0] as String] else { continue }
                lines[i].sales.add(status: row[1], sales: row[2], cents: row[3])
            }
            return lines
        }
    }
}
