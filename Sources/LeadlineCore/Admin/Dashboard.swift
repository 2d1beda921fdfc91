import Foundation
import GRDB
import Store

/// What the console's dashboard shows, for one tenant or (an operator's view) every tenant: for today, the last 7 and
/// the last 30 days, the leads received and where they stand now, and the revenue booked (charges less refunds); and
/// the last 30 days day by day for the charts. Read from the daily rollups the triggers keep (`lead_daily`,
/// `ledger_daily`), so it costs the same at ten leads or ten million.
public struct DashboardNumbers: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        public var label: String
        public var days: Int
        public var leads = 0
        /// Leads received in the window by their status now.
        public var byStatus: [LeadStatus: Int] = [:]
        public var revenueCents = 0

        public func count(_ statuses: LeadStatus...) -> Int { statuses.reduce(0) { $0 + (byStatus[$1] ?? 0) } }
    }

    public struct Day: Sendable, Equatable {
        public var day: String
        public var leads: Int
        public var revenueCents: Int
    }

    public var windows: [Window] = []
    /// The last 30 days, oldest first, every day present.
    public var days: [Day] = []
    public var optedOut = 0

    /// `tenantID` nil: every tenant. Days are UTC days.
    public static func load(_ store: SQLiteStore, tenantID: String?, now: Date) throws -> DashboardNumbers {
        let today = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
        func day(_ number: Int) -> String { String(Timestamp.format(Date(timeIntervalSince1970: TimeInterval(number) * 86_400)).prefix(10)) }
        let first = day(today - 29)
        // Two spellings, not `? IS NULL OR tenant_id = ?`, so a tenant's rows are found by the primary key.
        let scope = tenantID == nil ? "1" : "tenant_id = ?"
        let scoped: [any DatabaseValueConvertible] = tenantID.map { [$0] } ?? []
        return try store.read { db in
            var numbers = DashboardNumbers()
            var leads: [String: [LeadStatus: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT day, status, sum(leads) FROM lead_daily WHERE \(scope) AND day >= ? GROUP BY day, status
                """, arguments: StatementArguments(scoped + [first])) {
                guard let status = LeadStatus(rawValue: row[1]) else { continue }
                leads[row[0], default: [:]][status, default: 0] += row[2] as Int
            }
            // Revenue earned, less what was given back.
            var revenue: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT day, sum(amount_cents) FROM ledger_daily
                WHERE \(scope) AND account IN ('revenue', 'refunds') AND day >= ? GROUP BY day
                """, arguments: StatementArguments(scoped + [first])) {
                revenue[row[0]] = row[1]
            }
            numbers.days = (today - 29...today).map { number in
                let name = day(number)
                return Day(day: name, leads: leads[name]?.values.reduce(0, +) ?? 0, revenueCents: revenue[name] ?? 0)
            }
            numbers.windows = [("Today", 1), ("7 days", 7), ("30 days", 30)].map { label, days in
                var window = Window(label: label, days: days)
                for entry in numbers.days.suffix(days) {
                    window.leads += entry.leads
                    window.revenueCents += entry.revenueCents
                    for (status, count) in leads[entry.day] ?? [:] { window.byStatus[status, default: 0] += count }
                }
                return window
            }
            numbers.optedOut = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM dnc_internal WHERE \(scope) AND removed_at IS NULL
                """, arguments: StatementArguments(scoped)) ?? 0
            return numbers
        }
    }
}
