import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/buyers`: every buyer of the tenant with its bidding, filters, caps, delivery and numbers, paused ones with
/// the reason (Leadline pauses a buyer whose webhooks keep failing); pausing and resuming; a live buyer's test ping
/// (BuyerTestPingPage.swift); and the latest auctions.
extension Console {
    func registerBuyers(_ router: inout Router) {
        addStatusPage(&router, path: "/admin/buyers", notices: Self.buyerNotices,
                      render: { [self] in try buyersPage($0, $1, $2, status: $3) },
                      setStatus: { [buyers] tenantID, id, status in
                          var input = BuyerInput()
                          input.status = .value(status)
                          return try await buyers.update(tenantID: tenantID, buyerID: id, input).status == .active
                      })

        addPage(&router, .POST, "/admin/buyers", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                _ = try await buyers.create(tenantID: tenant.id, try Self.buyerInput(fields))
                return Pages.redirect("/admin/buyers?tenant=\(tenant.name)&notice=added")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["draft"] = Dictionary(fields.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                return try buyersPage(session, tenant, values, status: 422)
            }
        }
    }

    static let buyerNotices = ["paused": "Buyer paused: it bids on nothing until resumed.", "resumed": "Buyer active again.",
                               "added": "Buyer added: it bids in the next auction that matches it."]

    /// The new-buyer form as the core's input: dollars to cents, lists split on commas or spaces, blanks left out.
    static func buyerInput(_ fields: FormBody) throws -> BuyerInput {
        func text(_ name: String) -> String? { fields[name].map(\.trimmingSpaces).flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ name: String) -> [String]? {
            text(name).map { $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) }
        }
        var problems: [CoreError.FieldProblem] = []
        func whole(_ name: String) -> Int? {
            guard let value = text(name) else { return nil }
            guard let number = Int(value) else { problems.append(.init(name, "must be a whole number")); return nil }
            return number
        }
        func money(_ name: String) -> Int? {
            do { return try cents(text(name), field: name) } catch CoreError.invalid(let found) { problems += found; return nil } catch { return nil }
        }
        var input = BuyerInput()
        input.name = .value(fields["name"] ?? "")
        if let bid = money("bid") { input.bidCents = .value(bid) }
        if let ping = text("ping_url") { input.pingUrl = .value(ping) }
        if let post = text("post_url") { input.postUrl = .value(post) }
        if let webhook = text("webhook_url") { input.webhookUrl = .value(webhook) }
        if let states = list("states") { input.states = .value(states.map { $0.uppercased() }) }
        if let types = list("campaign_types") { input.campaignTypes = .value(types) }
        if let daily = whole("max_leads_per_day") { input.maxLeadsPerDay = .value(daily) }
        if let budget = money("monthly_budget") { input.monthlyBudgetCents = .value(budget) }
        input.autoApproveReturns = .value(fields["auto_approve_returns"] == "on")
        guard problems.isEmpty else { throw CoreError.invalid(problems) }
        return input
    }

    func buyersPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let all = try buyers.all(tenantID: tenant.id)
        let numbers = try buyers.performance(tenantID: tenant.id, buyerIDs: all.map(\.id))
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/buyers")) { $1 }
        if values["draft"] == nil { values["draft"] = ["auto_approve_returns": "on"] }
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
                "acceptance": n?.acceptanceRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–",
                "responseTime": n?.avgResponseTimeMs.map { "\($0) ms" } ?? "–",
            ]
            row.merge(Self.toggle(active: buyer.status == .active)) { $1 }
            row["pausedReason"] = buyer.pausedReason
            row["live"] = s.bidsLive
            return row
        }
        values["pings"] = try exchange.recent(tenantID: tenant.id, limit: 20).map { ping -> [String: Any] in
            ["createdAt": ping.createdAt, "id": ping.id, "campaignType": ping.profile.campaign_type ?? "–", "state": ping.profile.state ?? "–",
             "bids": ping.bids.count, "best": ping.bids.first?.bid_cents.map(Self.dollars) ?? "–", "floor": Self.dollars(ping.floorPriceCents),
             "took": ping.tookMs, "status": ping.status.rawValue]
        }
        return pages.render("buyers", title: "Buyers", viewer: viewer(session), values, status: status)
    }

    /// Cents as dollars for people: `$35.00`.
    static func dollars(_ cents: Int) -> String { String(format: "$%d.%02d", cents / 100, cents % 100) }
}
