import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/buyers`: every buyer of the tenant with its bidding, filters, caps, delivery and numbers, paused ones with
/// the reason (Leadline pauses a buyer whose webhooks keep failing); pausing and resuming; a live buyer's test ping
/// (BuyerTestPingPage.swift); adding one and editing one on its own page (the form is BuyerForm.swift); and the latest
/// auctions.
extension Console {
    func registerBuyers(_ router: inout Router) {
        addSettingsForms(&router, SettingsForms(
            path: "/admin/buyers", notices: Self.buyerNotices,
            load: { [buyers] in try buyers.buyer(tenantID: $0, buyerID: $1) }, id: \.id,
            stored: Self.buyerDraft, formValues: Self.buyerFormValues,
            create: { [self] tenantID, fields in try await buyers.create(tenantID: tenantID, try buyerInput(fields, tenantID: tenantID, buyerID: nil)).id },
            update: { [self] tenantID, buyer, fields in
                _ = try await buyers.update(tenantID: tenantID, buyerID: buyer.id, try buyerInput(fields, tenantID: tenantID, buyerID: buyer.id))
            },
            delete: { [buyers] tenantID, buyer in try await buyers.delete(tenantID: tenantID, buyerID: buyer.id) },
            setStatus: { [buyers] tenantID, id, status in
                var input = BuyerInput()
                input.status = .value(status)
                return try await buyers.update(tenantID: tenantID, buyerID: id, input).status == .active
            },
            listPage: { [self] in try buyersPage($0, $1, $2, status: $3) },
            page: { [self] in try buyerPage($0, $1, $2, $3, status: $4) }))
    }

    /// One buyer: what it has bought, its actions, and its settings to edit.
    func buyerPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ buyer: Buyer, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/buyers")) { $1 }
        let n = try buyers.performance(tenantID: tenant.id, buyerIDs: [buyer.id])[buyer.id]
        var summary: [String: Any] = [
            "id": buyer.id, "status": buyer.status.rawValue, "createdAt": buyer.createdAt, "updatedAt": buyer.updatedAt,
            "purchased": n?.leadsPurchased ?? 0, "spent": Self.dollars(n?.totalSpentCents ?? 0),
            "acceptance": n?.acceptanceRate.map(Self.percent) ?? "–",
            "responseTime": n?.avgResponseTimeMs.map { "\($0) ms" } ?? "–", "live": buyer.settings.bidsLive,
        ]
        summary.merge(Self.toggle(active: buyer.status == .active)) { $1 }
        summary["pausedReason"] = buyer.pausedReason
        values["buyer"] = summary
        values["signed"] = buyer.hasWebhookSecret
        values["formAction"] = "/admin/buyers/\(buyer.id)"
        values["submitLabel"] = "Save changes"
        return pages.render("buyer", title: buyer.name, viewer: viewer(session), values, status: status)
    }

    static let buyerNotices = ["paused": "Buyer paused: it bids on nothing until resumed.", "resumed": "Buyer active again.",
                               "added": "Buyer added: it bids in the next auction that matches it.",
                               "saved": "Saved: the next auction uses these settings.", "deleted": "Buyer deleted."]

    func buyersPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let all = try buyers.all(tenantID: tenant.id)
        let numbers = try buyers.performance(tenantID: tenant.id, buyerIDs: all.map(\.id))
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/buyers")) { $1 }
        if values["draft"] == nil { values["draft"] = Self.buyerFormValues(["auto_approve_returns": "on", "always_open": "on"]) }
        values["formAction"] = "/admin/buyers"
        values["submitLabel"] = "Add buyer"
        values["buyers"] = all.map { buyer -> [String: Any] in
            let s = buyer.settings, n = numbers[buyer.id]
            let caps = [("h", s.maxLeadsPerHour), ("day", s.maxLeadsPerDay), ("wk", s.maxLeadsPerWeek), ("mo", s.maxLeadsPerMonth)]
                .compactMap { name, limit in limit.map { "\($0)/\(name)" } } + (s.monthlyBudgetCents.map { ["\(Self.dollars($0))/mo budget"] } ?? [])
            let filters = [s.campaignTypes.isEmpty ? "any type" : s.campaignTypes.joined(separator: ", "),
                           s.states.isEmpty ? "all states" : s.states.joined(separator: " "),
                           s.zipCodes.isEmpty ? nil : "zips " + s.zipCodes.joined(separator: " ")].compactMap { $0 }
            let delivery = s.postUrl != nil ? "post" : (s.webhookUrl != nil ? "webhook" : "none")
            var row: [String: Any] = [
                "id": buyer.id, "name": buyer.name, "status": buyer.status.rawValue,
                "bidding": s.bidsLive ? "live, \(s.timeoutMs) ms" + (s.maxPriceCents.map { ", max \(Self.dollars($0))" } ?? "")
                                      : "fixed \(Self.dollars(s.bidCents ?? 0))",
                "filters": filters.joined(separator: "; ") + " · \(s.exclusivity.rawValue)",
                "caps": caps.isEmpty ? "none" : caps.joined(separator: ", "),
                "delivery": delivery + (buyer.hasWebhookSecret ? ", signed" : ""),
                "purchased": n?.leadsPurchased ?? 0, "spent": Self.dollars(n?.totalSpentCents ?? 0),
                "acceptance": n?.acceptanceRate.map(Self.percent) ?? "–",
                "responseTime": n?.avgResponseTimeMs.map { "\($0) ms" } ?? "–",
            ]
            row.merge(Self.toggle(active: buyer.status == .active)) { $1 }
            row["pausedReason"] = buyer.pausedReason
            row["live"] = s.bidsLive
            return row
        }
        values["pings"] = try exchange.recent(tenantID: tenant.id, limit: 20).map(Self.auctionRow)
        return pages.render("buyers", title: "Buyers", viewer: viewer(session), values, status: status)
    }

    /// A rate for people: `0.875` is `88%`.
    static func percent(_ rate: Double) -> String { "\(Int((rate * 100).rounded()))%" }

    /// Cents as dollars for people: `$35.00`.
    static func dollars(_ cents: Int) -> String { String(format: "$%d.%02d", cents / 100, cents % 100) }
}

extension Templates {
    static let buyer = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/buyers?tenant={{tenant}}">← Buyers</a></p>
        <h1>{{title}} {{#buyer}}<span class="status">{{status}}</span>{{/buyer}}</h1>
        {{>pageHead}}
        {{#buyer}}
        <section class="card">
          <dl class="facts">
            <dt>Id</dt><dd><code>{{id}}</code></dd>
            {{#pausedReason}}<dt>Paused because</dt><dd class="error">{{pausedReason}}</dd>{{/pausedReason}}
            <dt>Bought</dt><dd>{{purchased}} leads for {{spent}}, {{acceptance}} accepted</dd>
            <dt>Answers pings in</dt><dd>{{responseTime}}</dd>
            <dt>Added</dt><dd>{{createdAt}} (changed {{updatedAt}})</dd>
          </dl>
          {{#canChange}}
          <div class="actions">
            <form method="post" action="/admin/buyers/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form>
            {{#live}}<form method="post" action="/admin/buyers/{{id}}/test-ping"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit" class="secondary">Test ping</button></form>{{/live}}
          </div>
          <details class="confirm"><summary>Delete…</summary><form method="post" action="/admin/buyers/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <p>Only a buyer that never bought, was billed or was sent anything can be deleted; pause one with history.</p><button type="submit" class="danger">Delete this buyer</button></form></details>
          {{/canChange}}
        </section>
        {{/buyer}}
        <section class="card">
          <h2>Settings</h2>
          {{^canChange}}<p class="scope">You can see these settings; an admin of the tenant can change them.</p>{{/canChange}}
          {{#draft}}{{>buyerForm}}{{/draft}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
