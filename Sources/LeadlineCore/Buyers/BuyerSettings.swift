import Foundation

public enum Exclusivity: String, Codable, Sendable, CaseIterable {
    /// The buyer is the only one sold the lead.
    case exclusive
    /// The lead may also be sold to other shared buyers.
    case shared
}

/// A daily window in the buyer's time zone, `09:00`–`17:00` (end exclusive).
public struct DailyHours: Codable, Sendable, Equatable {
    public var start: String
    public var end: String

    public init(start: String, end: String) { self.start = start; self.end = end }

    var startMinute: Int? { Self.minute(start) }
    var endMinute: Int? { end == "24:00" ? 1440 : Self.minute(end) }

    static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    func contains(minute: Int) -> Bool {
        guard let start = startMinute, let end = endMinute else { return false }
        return minute >= start && minute < end
    }
}

/// Weekly opening hours (a buyer's, a phone line's): each day named (`monday` …) with its window; a day left out is
/// closed, and no hours at all means always open.
public enum OpeningHours {
    public static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    static func isOpen(_ hours: [String: DailyHours]?, at local: LocalTime) -> Bool {
        guard let hours else { return true }
        guard let today = hours[weekdays[local.weekday - 1]] else { return false }
        return today.contains(minute: local.minute)
    }
}

/// How a buyer pays for its leads.
public enum BillingMode: String, Codable, Sendable, CaseIterable {
    /// Invoiced monthly; it may owe up to its `credit_limit_cents` (no limit when unset).
    case invoice
    /// Buys only while its balance (credits added) covers the price.
    case prepaid
}

/// Everything about a buyer that is configured rather than counted: filters, price, caps, hours and delivery. Stored as
/// JSON with the API's field names, so a new setting needs no migration.
public struct BuyerSettings: Codable, Sendable, Equatable {
    /// Empty: every campaign type.
    public var campaignTypes: [String] = []
    /// Empty: every state.
    public var states: [String] = []
    /// 5-digit zip codes or 3-digit prefixes (`891` is 89100–89199); empty: every zip.
    public var zipCodes: [String] = []
    /// The fixed price bid for each matching lead. A buyer with a `ping_url` bids live instead (this is then its
    /// price when its answer carries none).
    public var bidCents: Int?
    /// The most it ever pays; a live bid above it is dropped, not lowered.
    public var maxPriceCents: Int?
    public var exclusivity: Exclusivity = .shared
    public var maxLeadsPerHour: Int?
    public var maxLeadsPerDay: Int?
    public var maxLeadsPerWeek: Int?
    public var maxLeadsPerMonth: Int?
    /// Spend allowed per calendar month (the buyer's time zone).
    public var monthlyBudgetCents: Int?
    /// IANA zone: caps reset and hours are read on this clock.
    public var timezone = "America/New_York"
    /// Days (`monday` …) with the hours leads are taken; nil: always. A day left out takes none.
    public var hoursOfOperation: [String: DailyHours]?
    public var webhookUrl: String?
    public var pingUrl: String?
    public var postUrl: String?
    /// How long a ping or post to this buyer may take; the auction's deadline still bounds pings.
    public var timeoutMs = 500
    /// How its ping and post answers are read.
    public var responseParsing: ResponseRule?
    /// nil: `invoice`. (Settings added after buyers were stored are optional, so stored JSON without them still reads.)
    public var billing: BillingMode?
    /// How far an invoiced buyer's balance may go below zero; nil: no limit. Not used for prepaid buyers.
    public var creditLimitCents: Int?
    /// Returns allowed per billing period (UTC month), as a percentage of the leads it bought in the period; nil: no cap.
    public var returnCapPercent: Int?
    /// Whether a return within the window and cap is credited at once (nil: yes); otherwise it waits for an admin's refund.
    public var autoApproveReturns: Bool?

    public var billingMode: BillingMode { billing ?? .invoice }

    /// The lowest balance the buyer may reach by buying; nil: no floor.
    public var balanceFloorCents: Int? {
        switch billingMode {
        case .prepaid: return 0
        case .invoice: return creditLimitCents.map { -$0 }
        }
    }

    public init() {}

    public var bidsLive: Bool { pingUrl != nil }

    /// Whether anything about the buyer is counted (caps, a budget, or funds): only then do its bids reserve capacity.
    var hasLimits: Bool {
        maxLeadsPerHour != nil || maxLeadsPerDay != nil || maxLeadsPerWeek != nil || maxLeadsPerMonth != nil || monthlyBudgetCents != nil
            || balanceFloorCents != nil
    }

    /// Stored form and API form share these names.
    enum CodingKeys: String, CodingKey {
        case campaignTypes = "campaign_types", states, zipCodes = "zip_codes", bidCents = "bid_cents"
        case maxPriceCents = "max_price_cents", exclusivity, maxLeadsPerHour = "max_leads_per_hour"
        case maxLeadsPerDay = "max_leads_per_day", maxLeadsPerWeek = "max_leads_per_week"
        case maxLeadsPerMonth = "max_leads_per_month", monthlyBudgetCents = "monthly_budget_cents", timezone
        case hoursOfOperation = "hours_of_operation", webhookUrl = "webhook_url", pingUrl = "ping_url", postUrl = "post_url"
        case timeoutMs = "timeout_ms", responseParsing = "response_parsing"
        case billing, creditLimitCents = "credit_limit_cents", returnCapPercent = "return_cap_percent"
        case autoApproveReturns = "auto_approve_returns"
    }

    /// Whether the zip matches one of the buyer's zips or prefixes.
    func admits(zip: String?) -> Bool {
        guard !zipCodes.isEmpty else { return true }
        guard let zip else { return false }
        let five = zip.prefix(5)
        return zipCodes.contains { five.hasPrefix($0) }
    }

    /// Whether `local` falls in the hours of operation.
    func isOpen(at local: LocalTime) -> Bool { OpeningHours.isOpen(hoursOfOperation, at: local) }

    /// The problems with these settings as a whole (each field's own checks were made as it was set).
    func problems() -> [CoreError.FieldProblem] {
        var problems: [CoreError.FieldProblem] = []
        if bidCents == nil && pingUrl == nil {
            problems.append(.init("bid_cents", "is required unless the buyer bids live (ping_url)"))
        }
        if let bid = bidCents, let max = maxPriceCents, bid > max {
            problems.append(.init("bid_cents", "must not be above max_price_cents (\(max))"))
        }
        if pingUrl != nil && postUrl == nil && webhookUrl == nil {
            problems.append(.init("post_url", "is required for a live-bidding buyer (or a webhook_url to deliver to)"))
        }
        return problems
    }
}
