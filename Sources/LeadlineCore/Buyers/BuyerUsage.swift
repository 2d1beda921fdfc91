import Foundation
import GRDB

/// The starts of the current hour, day, week (Monday) and month on a buyer's clock, where its caps and budget reset.
struct CapWindows: Sendable {
    let hour: Date, day: Date, week: Date, month: Date

    init(at now: Date, zone: String) {
        let local = LocalTimes.shared.local(now, in: zone)
        let offset = TimeInterval(local.utcOffsetSeconds)
        func instant(_ date: CivilDate, minute: Int = 0) -> Date {
            Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + minute * 60) - offset)
        }
        hour = instant(local.date, minute: local.minute / 60 * 60)
        day = instant(local.date)
        // CivilDate.weekday: 1 = Sunday … 7 = Saturday; weeks start on Monday.
        week = instant(local.date.adding(days: -((local.weekday + 5) % 7)))
        month = instant(local.date.adding(days: 1 - local.date.components.day))
    }
}

/// What a buyer has bought in its current windows: counted against its caps and monthly budget.
public struct BuyerUsage: Sendable, Equatable {
    public var hour = 0, day = 0, week = 0, month = 0
    public var monthSpendCents = 0

    public init() {}

    /// Sales that count: delivered, accepted and returned ones (a returned lead still took the buyer's capacity; its
    /// price no longer counts toward the budget). Rejected and failed posts were never sales.
    static func fetch(_ db: GRDB.Database, buyerID: String, windows: CapWindows) throws -> BuyerUsage {
        let (hour, day, week, month) = (Timestamp.format(windows.hour), Timestamp.format(windows.day),
                                        Timestamp.format(windows.week), Timestamp.format(windows.month))
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FILTER (WHERE created_at >= ?1), count(*) FILTER (WHERE created_at >= ?2),
                   count(*) FILTER (WHERE created_at >= ?3), count(*) FILTER (WHERE created_at >= ?4),
                   coalesce(sum(price_cents) FILTER (WHERE created_at >= ?4 AND status != 'returned'), 0)
            FROM lead_sales
            WHERE buyer_id = ?5 AND created_at >= min(?3, ?4) AND status IN ('delivered', 'accepted', 'returned')
            """), arguments: [hour, day, week, month, buyerID])!
        var usage = BuyerUsage()
        (usage.hour, usage.day, usage.week, usage.month, usage.monthSpendCents) = (row[0], row[1], row[2], row[3], row[4])
        return usage
    }
}
