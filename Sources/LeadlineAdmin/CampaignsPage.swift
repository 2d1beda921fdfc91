import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/campaigns`: every campaign of the tenant with its targeting, floor, limits, delivery and what it has sold;
/// pausing and resuming (a paused campaign's leads are not auctioned).
extension Console {
    func registerCampaigns(_ router: inout Router) {
        addStatusPage(&router, path: "/admin/campaigns", notices: Self.campaignNotices,
                      render: { [self] in try campaignsPage($0, $1, $2, status: $3) },
                      setStatus: { [campaigns] tenantID, id, status in
                          var input = CampaignInput()
                          input.status = .value(status)
                          return try await campaigns.update(tenantID: tenantID, campaignID: id, input).status == .active
                      })
    }

    static let campaignNotices = ["paused": "Campaign paused: its leads are not auctioned until it is resumed.", "resumed": "Campaign active again."]

    func campaignsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let all = try campaigns.all(tenantID: tenant.id)
        let numbers = try campaigns.metrics(all)
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/campaigns")) { $1 }
        values["campaigns"] = all.map { campaign -> [String: Any] in
            let s = campaign.settings, m = numbers[campaign.id] ?? CampaignMetrics()
            var row: [String: Any] = [
                "id": campaign.id, "name": campaign.name, "type": campaign.campaignType, "status": campaign.status.rawValue,
                "states": s.states.isEmpty ? "all states" : s.states.joined(separator: " "),
                "floor": s.floorPriceCents.map(Self.dollars) ?? "tenant's",
                "budget": s.budgetCents.map { "\(Self.dollars(max(0, $0 - m.soldCents))) left of \(Self.dollars($0))" } ?? "none",
                "daily": s.maxLeadsPerDay.map { "\(m.soldToday) of \($0) today" } ?? "\(m.soldToday) today",
                "sharing": s.maxBuyersPerLead == 1 ? "one buyer" : "up to \(s.maxBuyersPerLead) buyers",
                "webhook": s.deliveryWebhook == nil ? "none" : (campaign.hasWebhookSecret ? "signed" : "unsigned"),
                "delivered": m.leadsDelivered, "accepted": m.leadsAccepted, "returned": m.leadsReturned,
                "acceptance": m.acceptanceRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–",
            ]
            row.merge(Self.toggle(active: campaign.status == .active)) { $1 }
            return row
        }
        return pages.render("campaigns", title: "Campaigns", viewer: viewer(session), values, status: status)
    }
}
