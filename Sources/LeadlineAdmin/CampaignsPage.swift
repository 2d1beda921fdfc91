import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/campaigns`: every campaign of the tenant with its targeting, floor, limits, delivery and what it has sold;
/// pausing and resuming (a paused campaign's leads are not auctioned); adding one, and editing one on its own page
/// (the form is CampaignForm.swift).
extension Console {
    func registerCampaigns(_ router: inout Router) {
        addSettingsForms(&router, SettingsForms(
            path: "/admin/campaigns", notices: Self.campaignNotices,
            load: { [campaigns] in try campaigns.campaign(tenantID: $0, campaignID: $1) }, id: \.id,
            stored: Self.campaignDraft, formValues: Self.campaignFormValues,
            create: { [self] tenantID, fields in
                try await campaigns.create(tenantID: tenantID, try campaignInput(fields, tenantID: tenantID, campaign: nil)).id
            },
            update: { [self] tenantID, campaign, fields in
                _ = try await campaigns.update(tenantID: tenantID, campaignID: campaign.id, try campaignInput(fields, tenantID: tenantID, campaign: campaign))
            },
            delete: { [campaigns] tenantID, campaign in try await campaigns.delete(tenantID: tenantID, campaignID: campaign.id) },
            setStatus: { [campaigns] tenantID, id, status in
                var input = CampaignInput()
                input.status = .value(status)
                return try await campaigns.update(tenantID: tenantID, campaignID: id, input).status == .active
            },
            listPage: { [self] in try campaignsPage($0, $1, $2, status: $3) },
            page: { [self] in try campaignPage($0, $1, $2, $3, status: $4) }))
    }

    static let campaignNotices = ["paused": "Campaign paused: its leads are not auctioned until it is resumed.", "resumed": "Campaign active again.",
                                  "added": "Campaign added: leads of its type are sold under it from now on.",
                                  "saved": "Saved: leads arriving from now on are handled with these settings.", "deleted": "Campaign deleted."]

    /// One campaign: what it has sold, pausing, and its settings to edit.
    func campaignPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ campaign: Campaign, _ extra: [String: Any],
                      status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/campaigns")) { $1 }
        let m = try campaigns.metrics([campaign])[campaign.id] ?? CampaignMetrics()
        var summary: [String: Any] = [
            "id": campaign.id, "status": campaign.status.rawValue, "type": campaign.campaignType, "createdAt": campaign.createdAt,
            "updatedAt": campaign.updatedAt, "delivered": m.leadsDelivered, "accepted": m.leadsAccepted, "returned": m.leadsReturned,
            "acceptance": m.acceptanceRate.map(Self.percent) ?? "–", "sold": Self.dollars(m.soldCents),
            "today": m.soldToday, "handling": campaign.settings.calls ? "called and transferred" : "auctioned",
        ]
        summary.merge(Self.toggle(active: campaign.status == .active)) { $1 }
        values["campaign"] = summary
        values["signed"] = campaign.hasWebhookSecret
        values["formAction"] = "/admin/campaigns/\(campaign.id)"
        values["submitLabel"] = "Save changes"
        return pages.render("campaign", title: campaign.name, viewer: viewer(session), values, status: status)
    }

    func campaignsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let all = try campaigns.all(tenantID: tenant.id)
        let numbers = try campaigns.metrics(all)
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/campaigns")) { $1 }
        if values["draft"] == nil { values["draft"] = Self.campaignFormValues(Self.newCampaignDraft()) }
        values["formAction"] = "/admin/campaigns"
        values["submitLabel"] = "Add campaign"
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
                "acceptance": m.acceptanceRate.map(Self.percent) ?? "–",
            ]
            row.merge(Self.toggle(active: campaign.status == .active)) { $1 }
            return row
        }
        return pages.render("campaigns", title: "Campaigns", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let campaign = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/campaigns?tenant={{tenant}}">← Campaigns</a></p>
        <h1>{{title}} {{#campaign}}<span class="status">{{status}}</span>{{/campaign}}</h1>
        {{>pageHead}}
        {{#campaign}}
        <section class="card">
          <dl class="facts">
            <dt>Id</dt><dd><code>{{id}}</code> · {{type}}</dd>
            <dt>Its leads are</dt><dd>{{handling}}</dd>
            <dt>Sold</dt><dd>{{delivered}} leads for {{sold}}, {{today}} today; {{accepted}} accepted ({{acceptance}}), {{returned}} returned</dd>
            <dt>Added</dt><dd>{{createdAt}} (changed {{updatedAt}})</dd>
          </dl>
          {{#canChange}}
          <div class="actions">
            <form method="post" action="/admin/campaigns/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form>
          </div>
          <details class="confirm"><summary>Delete…</summary><form method="post" action="/admin/campaigns/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <p>Only a campaign that never sold, routed or called a lead can be deleted; pause one with history.</p><button type="submit" class="danger">Delete this campaign</button></form></details>
          {{/canChange}}
        </section>
        {{/campaign}}
        <section class="card">
          <h2>Settings</h2>
          {{^canChange}}<p class="scope">You can see these settings; an admin of the tenant can change them.</p>{{/canChange}}
          {{#draft}}{{>campaignForm}}{{/draft}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
