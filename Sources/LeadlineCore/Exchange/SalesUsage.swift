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
        key = "\(zone) \(Timestamp.format(hour))"
    }

    /// Names these windows: every window starts on an hour of the zone, so the hour's start (and the zone) tell
    /// whether counts made earlier still apply.
    let key: String
}

/// Leads sold in the current windows, counted against caps and budgets: a buyer's hour/day/week/month caps and
/// monthly budget, a campaign's daily limit and total budget. `spendCents` is the budget's period: the month for a
/// buyer, the campaign's whole life for a campaign.
public struct SalesUsage: Sendable, Equatable {
    public var hour = 0, day = 0, week = 0, month = 0
    public var spendCents = 0
    /// A buyer's ledger balance less what open pings reserved: what a prepaid or credit-limited buyer can still pay.
    public var balanceCents = 0

    public init() {}

    /// A buyer's sales that count: delivered, accepted and returned ones (a returned lead still took the buyer's capacity; its
    /// price no longer counts toward the budget). Rejected and failed posts were never sales.
    static func fetch(_ db: GRDB.Database, buyer: Buyer, windows: CapWindows) throws -> SalesUsage {
        let (hour, day, week, month) = (Timestamp.format(windows.hour), Timestamp.format(windows.day),
                                        Timestamp.format(windows.week), Timestamp.format(windows.month))
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FILTER (WHERE created_at >= ?1), count(*) FILTER (WHERE created_at >= ?2),
                   count(*) FILTER (WHERE created_at >= ?3), count(*) FILTER (WHERE created_at >= ?4),
                   coalesce(sum(price_cents) FILTER (WHERE created_at >= ?4 AND status != 'returned'), 0)
            FROM lead_sales
            WHERE buyer_id = ?5 AND created_at >= min(?3, ?4) AND status IN ('delivered', 'accepted', 'returned')
            """), arguments: [hour, day, week, month, buyer.id])!
        var usage = SalesUsage()
        (usage.hour, usage.day, usage.week, usage.month, usage.spendCents) = (row[0], row[1], row[2], row[3], row[4])
        if buyer.settings.balanceFloorCents != nil {
            usage.balanceCents = try Ledger.balance(db, tenantID: buyer.tenantID, account: .buyer(buyer.id))
        }
        return usage
    }

    /// A campaign's: sales today (its zone) in `day`, everything sold and not returned in `spendCents`.
    static func fetch(_ db: GRDB.Database, campaignID: String, windows: CapWindows) throws -> SalesUsage {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FILTER (WHERE created_at >= ?1 AND status IN ('delivered', 'accepted', 'returned')),
                   coalesce(sum(price_cents) FILTER (WHERE status IN ('delivered', 'accepted')), 0)
            FROM lead_sales WHERE campaign_id = ?2
            """), arguments: [Timestamp.format(windows.day), campaignID])!
        var usage = SalesUsage()
        (usage.day, usage.spendCents) = (row[0], row[1])
        return usage
    }
}
