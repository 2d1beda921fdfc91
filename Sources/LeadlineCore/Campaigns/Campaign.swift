import Foundation
import GRDB
import OutboundHTTP

/// A lead program a tenant sells: one lead type, where it sells, its floor, budget and daily limit.
public struct Campaign: Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case active, paused }

    public struct Settings: Codable, Sendable, Equatable {
        /// Empty: every state.
        public var states: [String] = []
        /// The most the campaign may sell in total (sold, not returned); nil: no limit.
        public var budgetCents: Int?
        /// Leads sold per day (the campaign's time zone); nil: no limit.
        public var maxLeadsPerDay: Int?
        /// Where every lead the campaign sells is also posted (signed), e.g. the agency's CRM.
        public var deliveryWebhook: String?
        /// Bids under this are dropped; nil: the tenant's default floor.
        public var floorPriceCents: Int?
        /// Days a buyer has to return a lead.
        public var returnWindowDays = 7
        /// Days within which the same person is a duplicate; nil: the tenant's rule.
        public var dedupWindowDays: Int?
        /// Shared sales per lead (1: each lead is sold once).
        public var maxBuyersPerLead = 1
        public var timezone = "America/New_York"
        /// With calling enabled, the campaign's leads are called by the AI agent and warm-transferred to a destination
        /// instead of auctioned; nil: they are auctioned.
        public var calling: CallSettings?

        public init() {}

        /// Whether the campaign's leads go to the dialer.
        public var calls: Bool { calling?.enabled ?? false }

        enum CodingKeys: String, CodingKey {
            case states, budgetCents = "budget_cents", maxLeadsPerDay = "max_leads_per_day", deliveryWebhook = "delivery_webhook"
            case floorPriceCents = "floor_price_cents", returnWindowDays = "return_window_days", dedupWindowDays = "dedup_window_days"
            case maxBuyersPerLead = "max_buyers_per_lead", timezone, calling
        }
    }

    public let id: String
    public let tenantID: String
    public var name: String
    public var campaignType: String
    public var status: Status
    public var settings: Settings
    /// Whether its delivery webhooks are signed; the secret itself is never returned.
    public var hasWebhookSecret = false
    public let createdAt: String
    public var updatedAt: String

    init(id: String, tenantID: String, createdAt: String) {
        self.id = id
        self.tenantID = tenantID
        name = ""
        campaignType = ""
        status = .active
        settings = Settings()
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    init(row: Row) throws {
        id = row["id"]
        tenantID = row["tenant_id"]
        name = row["name"]
        campaignType = row["campaign_type"]
        status = Status(rawValue: row["status"]) ?? .paused
        settings = try JSONDecoder().decode(Settings.self, from: Data((row["settings"] as String).utf8))
        hasWebhookSecret = !((row["webhook_secret"] as DatabaseValue).isNull)
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// What a campaign has sold, from its sales.
public struct CampaignMetrics: Sendable, Equatable {
    public var leadsDelivered = 0
    public var leadsAccepted = 0
    public var leadsReturned = 0
    public var acceptanceRate: Double?
    public var avgCostCents: Int?
    public var soldCents = 0
    public var soldToday = 0

    public init() {}

    init(leadsDelivered: Int, leadsAccepted: Int, leadsReturned: Int, acceptanceRate: Double?, avgCostCents: Int?, soldCents: Int, soldToday: Int) {
        self.leadsDelivered = leadsDelivered; self.leadsAccepted = leadsAccepted; self.leadsReturned = leadsReturned
        self.acceptanceRate = acceptanceRate; self.avgCostCents = avgCostCents; self.soldCents = soldCents; self.soldToday = soldToday
    }
}

/// A campaign as a request describes it, or the part a `PATCH` changes.
public struct CampaignInput: Decodable, Sendable {
    public var name: Patch<String> = .absent
    public var campaignType: Patch<String> = .absent
    public var status: Patch<String> = .absent
    public var states: Patch<[String]> = .absent
    public var budgetCents: Patch<Int> = .absent
    public var maxLeadsPerDay: Patch<Int> = .absent
    public var deliveryWebhook: Patch<String> = .absent
    public var floorPriceCents: Patch<Int> = .absent
    public var returnWindowDays: Patch<Int> = .absent
    public var dedupWindowDays: Patch<Int> = .absent
    public var maxBuyersPerLead: Patch<Int> = .absent
    public var timezone: Patch<String> = .absent
    public var webhookSecret: Patch<String> = .absent
    /// Replaced whole: fields left out take their defaults.
    public var calling: Patch<CallSettings> = .absent

    public init() {}

    private enum Keys: String, CodingKey {
        case name, campaignType = "campaign_type", status, states, budgetCents = "budget_cents", maxLeadsPerDay = "max_leads_per_day"
        case deliveryWebhook = "delivery_webhook", floorPriceCents = "floor_price_cents", returnWindowDays = "return_window_days"
        case dedupWindowDays = "dedup_window_days", maxBuyersPerLead = "max_buyers_per_lead", timezone
        case webhookSecret = "webhook_secret", calling
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        name = try c.patch(String.self, .name)
        campaignType = try c.patch(String.self, .campaignType)
        status = try c.patch(String.self, .status)
        states = try c.patch([String].self, .states)
        budgetCents = try c.patch(Int.self, .budgetCents)
        maxLeadsPerDay = try c.patch(Int.self, .maxLeadsPerDay)
        deliveryWebhook = try c.patch(String.self, .deliveryWebhook)
        floorPriceCents = try c.patch(Int.self, .floorPriceCents)
        returnWindowDays = try c.patch(Int.self, .returnWindowDays)
        dedupWindowDays = try c.patch(Int.self, .dedupWindowDays)
        maxBuyersPerLead = try c.patch(Int.self, .maxBuyersPerLead)
        timezone = try c.patch(String.self, .timezone)
        webhookSecret = try c.patch(String.self, .webhookSecret)
        calling = try c.patch(CallSettings.self, .calling)
    }

    func apply(to campaign: inout Campaign, policy: AddressPolicy) -> [CoreError.FieldProblem] {
        var checks = FieldChecks()
        var settings = campaign.settings
        switch name {
        case .value(let text): if let tidy = checks.text(text, "name", max: 200) { campaign.name = tidy } else { checks.fail("name", "must not be empty") }
        case .null: checks.fail("name", "must not be empty")
        case .absent: break
        }
        switch campaignType {
        case .value(let text) where text.trimmingSpaces.isCampaignType: campaign.campaignType = text.trimmingSpaces
        case .value, .null: checks.fail("campaign_type", "must be a short name of letters, digits, _ and - (legal_pi)")
        case .absent: break
        }
        switch status {
        case .value(let text) where Campaign.Status(rawValue: text) != nil: campaign.status = Campaign.Status(rawValue: text)!
        case .value, .null: checks.fail("status", "must be active or paused")
        case .absent: break
        }
        if let codes = checks.list(states, "states", reason: "must be a US state or DC code", USStates.canonical) { settings.states = codes }
        func number(_ patch: Patch<Int>, _ field: String, _ keyPath: WritableKeyPath<Campaign.Settings, Int?>, _ range: ClosedRange<Int>) {
            switch patch {
            case .value(let value): settings[keyPath: keyPath] = checks.number(value, field, range)
            case .null: settings[keyPath: keyPath] = nil
            case .absent: break
            }
        }
        number(budgetCents, "budget_cents", \.budgetCents, 0...10_000_000_000)
        number(maxLeadsPerDay, "max_leads_per_day", \.maxLeadsPerDay, 0...10_000_000)
        number(floorPriceCents, "floor_price_cents", \.floorPriceCents, 0...BuyerInput.maxCents)
        number(dedupWindowDays, "dedup_window_days", \.dedupWindowDays, 0...3650)
        if let days = returnWindowDays.given { settings.returnWindowDays = checks.number(days, "return_window_days", 0...365) ?? 7 }
        if let count = maxBuyersPerLead.given { settings.maxBuyersPerLead = checks.number(count, "max_buyers_per_lead", 1...20) ?? 1 }
        settings.deliveryWebhook = checks.targetURL(deliveryWebhook, "delivery_webhook", policy: policy, keeping: settings.deliveryWebhook)
        switch timezone {
        case .value(let zone) where LocalTimes.isKnownZone(zone): settings.timezone = zone
        case .value, .null: checks.fail("timezone", "must be an IANA time zone such as America/Chicago")
        case .absent: break
        }
        WebhookSecrets.check(webhookSecret, into: &checks)
        var problems = checks.problems
        switch calling {
        case .value(let given):
            do throws(CoreError) { settings.calling = try given.checked(field: "calling") } catch {
                if case .invalid(let found) = error { problems += found }
            }
        case .null: settings.calling = nil
        case .absent: break
        }
        campaign.settings = settings
        return problems
    }
}
