import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/auctions/{id}`: one ping-post auction as it was stored: what was pinged, and each buyer's outcome with why
/// it won or lost (its bid, the floor, a filter, a cap, a timeout) and, for a live bid, the buyer's raw answer.
extension Console {
    func registerAuctions(_ router: inout Router) {
        addPage(&router, .GET, "/admin/auctions/{id}") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            let report = try exchange.report(tenantID: tenant.id, pingID: try request.parameter("id"))
            let record = report.record
            var values = try pageBasics(session, tenant, path: "/admin/buyers")
            values["ping"] = [
                "id": record.id, "status": record.status.rawValue, "createdAt": record.createdAt, "took": record.tookMs,
                "deadline": record.deadlineMs, "floor": Self.dollars(record.floorPriceCents), "leadID": record.leadID ?? "",
                "type": record.profile.campaign_type ?? "–", "state": record.profile.state ?? "–", "zip": record.profile.zip_code ?? "–",
                "source": record.profile.source ?? "–",
            ] as [String: Any]
            values["outcomes"] = record.outcomes.map { outcome -> [String: Any] in
                ["buyer": outcome.buyer_name, "outcome": outcome.outcome.rawValue, "bid": outcome.bid_cents.map(Self.dollars) ?? "–",
                 "bidding": outcome.bidding, "ms": outcome.ms.map { "\($0) ms" } ?? "", "result": report.explanation(for: outcome),
                 "status": outcome.response_status.map(String.init) ?? "", "body": outcome.response_body ?? "",
                 "hasExchange": outcome.response_body != nil || outcome.response_status != nil]
            }
            return pages.render("auction", title: "Auction \(record.id)", viewer: viewer(session), values)
        }
    }
}

extension Templates {
    static let auction = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/buyers?tenant={{tenant}}">← Buyers</a></p>
        {{#ping}}
        <h1>Auction <code>{{id}}</code> <small class="status">{{status}}</small></h1>
        <section class="card">
          <dl class="facts">
            <dt>When</dt><dd>{{createdAt}} (took {{took}} ms of {{deadline}} ms)</dd><dt>Lead type</dt><dd>{{type}}</dd>
            <dt>Where</dt><dd>{{state}} {{zip}}</dd><dt>Source</dt><dd>{{source}}</dd><dt>Floor</dt><dd>{{floor}}</dd>
            {{#leadID}}<dt>Lead</dt><dd><a href="/admin/leads/{{leadID}}?tenant={{tenant}}"><code>{{leadID}}</code></a></dd>{{/leadID}}
          </dl>
        </section>
        {{/ping}}
        <section class="card">
          <h2>Each buyer</h2>
          <table class="dense">
            <thead><tr><th scope="col">Buyer</th><th scope="col">Outcome</th><th scope="col">Bid</th><th scope="col">Bidding</th><th scope="col">Answered in</th><th scope="col">Why</th></tr></thead>
            <tbody>
            {{#outcomes}}<tr><th scope="row">{{buyer}}</th><td>{{outcome}}</td><td>{{bid}}</td><td>{{bidding}}</td><td>{{ms}}</td><td>{{result}}</td></tr>
            {{#hasExchange}}<tr><td colspan="6"><details><summary>The buyer's answer{{#status}} (HTTP {{status}}){{/status}}</summary><pre class="raw">{{body}}</pre></details></td></tr>{{/hasExchange}}
            {{/outcomes}}
            {{^outcomes}}<tr><td colspan="6">No buyer matched this ping.</td></tr>{{/outcomes}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
