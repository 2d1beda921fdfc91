import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' campaigns: `POST/GET /api/v1/campaigns/`, `GET/PATCH /api/v1/campaigns/{id}`.
extension Routes {
    struct CampaignView: Encodable {
        let id: String, name: String, campaign_type: String, status: String, states: [String]
        @Nullable var budget_cents: Int?
        @Nullable var max_leads_per_day: Int?
        @Nullable var delivery_webhook: String?
        /// Whether its delivery webhooks are signed; the secret itself is never returned.
        let webhook_secret_set: Bool
        @Nullable var floor_price_cents: Int?
        let return_window_days: Int
        @Nullable var dedup_window_days: Int?
        let max_buyers_per_lead: Int, timezone: String
        /// Present when the campaign's leads are called and transferred instead of auctioned.
        @Nullable var calling: CallSettings?
        let leads_delivered: Int, leads_accepted: Int, leads_returned: Int
        @Nullable var acceptance_rate: Double?
        @Nullable var avg_cost_cents: Int?
        @Nullable var budget_remaining_cents: Int?
        let leads_delivered_today: Int
        let created_at: String, updated_at: String

        init(_ campaign: Campaign, _ metrics: CampaignMetrics?) {
            let s = campaign.settings, m = metrics ?? CampaignMetrics()
            id = campaign.id; name = campaign.name; campaign_type = campaign.campaignType; status = campaign.status.rawValue
            states = s.states; budget_cents = s.budgetCents; max_leads_per_day = s.maxLeadsPerDay; delivery_webhook = s.deliveryWebhook
            webhook_secret_set = campaign.hasWebhookSecret; floor_price_cents = s.floorPriceCents; return_window_days = s.returnWindowDays; dedup_window_days = s.dedupWindowDays
            max_buyers_per_lead = s.maxBuyersPerLead; timezone = s.timezone; calling = s.calling
            leads_delivered = m.leadsDelivered; leads_accepted = m.leadsAccepted; leads_returned = m.leadsReturned
            acceptance_rate = m.acceptanceRate; avg_cost_cents = m.avgCostCents
            budget_remaining_cents = s.budgetCents.map { max(0, $0 - m.soldCents) }; leads_delivered_today = m.soldToday
            created_at = campaign.createdAt; updated_at = campaign.updatedAt
        }
    }

    mutating func addEZLeedsCampaigns(_ campaigns: Campaigns) {
        @Sendable func view(_ campaign: Campaign) throws -> CampaignView {
            CampaignView(campaign, try campaigns.metrics([campaign])[campaign.id])
        }

        addAsync(.POST, "/api/v1/campaigns") { request in
            let caller = try request.caller
            return try .json(try view(try await campaigns.create(tenantID: caller.tenantID, try request.decode(CampaignInput.self))), status: 201)
        }

        add(.GET, "/api/v1/campaigns") { request in
            let caller = try request.caller
            let all = try campaigns.all(tenantID: caller.tenantID)
            let metrics = try campaigns.metrics(all)
            struct Item: Encodable {
                let id: String, name: String, campaign_type: String, status: String, leads_delivered: Int
                @Nullable var budget_remaining_cents: Int?
            }
            struct Page: Encodable { let items: [Item], total: Int }
            return try .json(Page(items: all.map { campaign in
                let full = CampaignView(campaign, metrics[campaign.id])
                return Item(id: full.id, name: full.name, campaign_type: full.campaign_type, status: full.status,
                            leads_delivered: full.leads_delivered, budget_remaining_cents: full.budget_remaining_cents)
            }, total: all.count))
        }

        add(.GET, "/api/v1/campaigns/{id}") { request in
            let caller = try request.caller
            return try .json(try view(try campaigns.campaign(tenantID: caller.tenantID, campaignID: try request.parameter("id"))))
        }

        addAsync(.PATCH, "/api/v1/campaigns/{id}") { request in
            let caller = try request.caller
            return try .json(try view(try await campaigns.update(tenantID: caller.tenantID, campaignID: try request.parameter("id"),
                                                                   try request.decode(CampaignInput.self))))
        }
    }
}
