import Foundation

/// A billing period: a calendar month in UTC, named `2026-04`. Invoices close on its boundary; usage and reports
/// default to the current one.
public struct BillingPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(containing date: Date) {
        let day = CivilDate(dayNumber: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        year = day.components.year
        month = day.components.month
    }

    init(year: Int, month: Int) { self.year = year; self.month = month }

    /// Parses `2026-04`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 7, parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              (2000...2999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    public var next: BillingPeriod { month == 12 ? BillingPeriod(year: year + 1, month: 1) : BillingPeriod(year: year, month: month + 1) }
    public var previous: BillingPeriod { month == 1 ? BillingPeriod(year: year - 1, month: 12) : BillingPeriod(year: year, month: month - 1) }

    /// The first day, `2026-04-01`, as days and stored timestamps are compared.
    public var firstDay: String { description + "-01" }
    /// The first day of the next period: the period is `firstDay ..< endDay`.
    public var endDay: String { next.firstDay }
    /// When the period starts, as a stored timestamp compares (`2026-04-01T00:00:00.000Z`).
    public var start: String { firstDay + "T00:00:00.000Z" }
    /// When the next period starts.
    public var end: String { next.start }

    public static func < (a: BillingPeriod, b: BillingPeriod) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// Days to report on: `from ..< to`, as `YYYY-MM-DD` (UTC).
public struct DayRange: Sendable, Equatable {
    public var from: String
    public var to: String
    /// What the answer calls it: the period (`2026-04`) or `2026-04-03..2026-04-09`.
    public var label: String

    public init(_ period: BillingPeriod) { from = period.firstDay; to = period.endDay; label = period.description }

    public init(from: String, through last: String) {
        self.from = from
        to = CivilDate(last).map { $0.adding(days: 1).description } ?? last
        label = "\(from)..\(last)"
    }

    /// As stored timestamps compare.
    public var startStamp: String { from + "T00:00:00.000Z" }
    public var endStamp: String { to + "T00:00:00.000Z" }
}
