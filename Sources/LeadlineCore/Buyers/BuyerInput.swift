import Foundation
import OutboundHTTP

/// A buyer as a request describes it (`POST /api/v1/buyers/`) or the part of it a request changes (`PATCH`).
public struct BuyerInput: Decodable, Sendable {
    public var name: Patch<String> = .absent
    public var status: Patch<String> = .absent
    public var campaignTypes: Patch<[String]> = .absent
    public var states: Patch<[String]> = .absent
    public var zipCodes: Patch<[String]> = .absent
    public var bidCents: Patch<Int> = .absent
    public var maxPriceCents: Patch<Int> = .absent
    public var exclusivity: Patch<String> = .absent
    public var maxLeadsPerHour: Patch<Int> = .absent
    public var maxLeadsPerDay: Patch<Int> = .absent
    public var maxLeadsPerWeek: Patch<Int> = .absent
    public var maxLeadsPerMonth: Patch<Int> = .absent
    public var monthlyBudgetCents: Patch<Int> = .absent
    public var timezone: Patch<String> = .absent
    public var hoursOfOperation: Patch<[String: DailyHours]> = .absent
    public var webhookUrl: Patch<String> = .absent
    public var webhookSecret: Patch<String> = .absent
    public var pingUrl: Patch<String> = .absent
    public var postUrl: Patch<String> = .absent
    public var timeoutMs: Patch<Int> = .absent
    public var responseParsing: Patch<ResponseRule> = .absent
    public var billing: Patch<String> = .absent
    public var creditLimitCents: Patch<Int> = .absent
    public var returnCapPercent: Patch<Int> = .absent
    public var autoApproveReturns: Patch<Bool> = .absent

    public init() {}

    public init(from decoder: any Decoder) throws {
        typealias Keys = BuyerSettings.CodingKeys
        let c = try decoder.container(keyedBy: Keys.self)
        let own = try decoder.container(keyedBy: OwnKeys.self)
        name = try own.patch(String.self, .name)
        status = try own.patch(String.self, .status)
        webhookSecret = try own.patch(String.self, .webhookSecret)
        campaignTypes = try c.patch([String].self, .campaignTypes)
        states = try c.patch([String].self, .states)
        zipCodes = try c.patch([String].self, .zipCodes)
        bidCents = try c.patch(Int.self, .bidCents)
        maxPriceCents = try c.patch(Int.self, .maxPriceCents)
        exclusivity = try c.patch(String.self, .exclusivity)
        maxLeadsPerHour = try c.patch(Int.self, .maxLeadsPerHour)
        maxLeadsPerDay = try c.patch(Int.self, .maxLeadsPerDay)
        maxLeadsPerWeek = try c.patch(Int.self, .maxLeadsPerWeek)
        maxLeadsPerMonth = try c.patch(Int.self, .maxLeadsPerMonth)
        monthlyBudgetCents = try c.patch(Int.self, .monthlyBudgetCents)
        timezone = try c.patch(String.self, .timezone)
        hoursOfOperation = try c.patch([String: DailyHours].self, .hoursOfOperation)
        webhookUrl = try c.patch(String.self, .webhookUrl)
        pingUrl = try c.patch(String.self, .pingUrl)
        postUrl = try c.patch(String.self, .postUrl)
        timeoutMs = try c.patch(Int.self, .timeoutMs)
        responseParsing = try c.patch(ResponseRule.self, .responseParsing)
        billing = try c.patch(String.self, .billing)
        creditLimitCents = try c.patch(Int.self, .creditLimitCents)
        returnCapPercent = try c.patch(Int.self, .returnCapPercent)
        autoApproveReturns = try c.patch(Bool.self, .autoApproveReturns)
    }

    private enum OwnKeys: String, CodingKey { case name, status, webhookSecret = "webhook_secret" }

    /// The largest price or budget accepted: $100,000.
    static let maxCents = 10_000_000

    /// Applies the given fields to `buyer`; the problems found, each under its field's name.
    func apply(to buyer: inout Buyer, policy: AddressPolicy) -> [CoreError.FieldProblem] {
        var checks = FieldChecks()
        var settings = buyer.settings
        switch name {
        case .value(let text): if let tidy = checks.text(text, "name", max: 200) { buyer.name = tidy } else { checks.fail("name", "must not be empty") }
        case .null: checks.fail("name", "must not be empty")
        case .absent: break
        }
        if let given = status.given {
            if let known = Buyer.Status(rawValue: given) { buyer.status = known; if known == .active { buyer.pausedReason = nil } } else {
                checks.fail("status", "must be active or paused")
            }
        } else if case .null = status { checks.fail("status", "must be active or paused") }
        if let types = checks.list(campaignTypes, "campaign_types", max: 100, { $0.isCampaignType ? $0 : nil }) { settings.campaignTypes = types }
        if let codes = checks.list(states, "states", max: 51, USStates.canonical) { settings.states = codes }
        if let zips = checks.list(zipCodes, "zip_codes", max: 10_000, { ($0.count == 3 || $0.count == 5) && $0.allSatisfy(\.isASCIIDigit) ? $0 : nil }) {
            settings.zipCodes = zips
        }
        func cents(_ patch: Patch<Int>, _ field: String, into keyPath: WritableKeyPath<BuyerSettings, Int?>, range: ClosedRange<Int>) {
            switch patch {
            case .absent: break
            case .null: settings[keyPath: keyPath] = nil
            case .value(let value): settings[keyPath: keyPath] = checks.number(value, field, range)
            }
        }
        cents(bidCents, "bid_cents", into: \.bidCents, range: 0...Self.maxCents)
        cents(maxPriceCents, "max_price_cents", into: \.maxPriceCents, range: 0...Self.maxCents)
        cents(monthlyBudgetCents, "monthly_budget_cents", into: \.monthlyBudgetCents, range: 0...1_000_000_000)
        cents(maxLeadsPerHour, "max_leads_per_hour", into: \.maxLeadsPerHour, range: 0...1_000_000)
        cents(maxLeadsPerDay, "max_leads_per_day", into: \.maxLeadsPerDay, range: 0...1_000_000)
        cents(maxLeadsPerWeek, "max_leads_per_week", into: \.maxLeadsPerWeek, range: 0...1_000_000)
        cents(maxLeadsPerMonth, "max_leads_per_month", into: \.maxLeadsPerMonth, range: 0...10_000_000)
        cents(creditLimitCents, "credit_limit_cents", into: \.creditLimitCents, range: 0...1_000_000_000)
        cents(returnCapPercent, "return_cap_percent", into: \.returnCapPercent, range: 0...100)
        switch billing {
        case .value(let mode):
            if let known = BillingMode(rawValue: mode) { settings.billing = known } else { checks.fail("billing", "must be invoice or prepaid") }
        case .null: settings.billing = nil
        case .absent: break
        }
        switch autoApproveReturns {
        case .value(let on): settings.autoApproveReturns = on
        case .null: settings.autoApproveReturns = nil
        case .absent: break
        }
        if let given = exclusivity.given {
            if let known = Exclusivity(rawValue: given) { settings.exclusivity = known } else { checks.fail("exclusivity", "must be exclusive or shared") }
        } else if case .null = exclusivity { settings.exclusivity = .shared }
        settings.timezone = checks.timezone(timezone, "timezone", current: settings.timezone, fallback: BuyerSettings().timezone)
        settings.hoursOfOperation = checks.openingHours(hoursOfOperation, "hours_of_operation", current: settings.hoursOfOperation)
        settings.webhookUrl = checks.targetURL(webhookUrl, "webhook_url", policy: policy, keeping: settings.webhookUrl)
        settings.pingUrl = checks.targetURL(pingUrl, "ping_url", policy: policy, keeping: settings.pingUrl)
        settings.postUrl = checks.targetURL(postUrl, "post_url", policy: policy, keeping: settings.postUrl)
        switch timeoutMs {
        case .value(let value): settings.timeoutMs = checks.number(value, "timeout_ms", 50...10_000) ?? settings.timeoutMs
        case .null: settings.timeoutMs = BuyerSettings().timeoutMs
        case .absent: break
        }
        switch responseParsing {
        case .value(let rule):
            for problem in rule.problems(field: "response_parsing") { checks.fail(problem.field, problem.reason) }
            settings.responseParsing = rule
        case .null: settings.responseParsing = nil
        case .absent: break
        }
        WebhookSecrets.check(webhookSecret, into: &checks)
        buyer.settings = settings
        return checks.problems
    }
}

extension String {
    /// Campaign types are short names of letters, digits, `_` and `-` (`legal_pi`).
    var isCampaignType: Bool {
        !isEmpty && count <= 64 && allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
