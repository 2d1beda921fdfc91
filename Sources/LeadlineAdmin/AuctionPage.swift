import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/auctions`: the ping-post log, every auction newest first, paged by key. `/admin/auctions/{id}`: one ping-post
/// auction as it was stored: what was pinged, and each buyer's outcome with why
/// it won or lost (its bid, the floor, a filter, a cap, a timeout) and, for a live bid, the buyer's raw answer; and
/// its replay: the same lead offered to the buyers as they are now, as a dry run.
extension Console {
    func registerAuctions(_ router: inout Router) {
        addTenantPage(&router, path: "/admin/auctions", notices: [:]) { [self] session, tenant, extra, status in
            var values = extra
            values.merge(try pageBasics(session, tenant, path: "/admin/auctions")) { $1 }
            let after = (extra["after"] as? String).flatMap(TimeCursor.init(token:))
            let page = try exchange.auctions(tenantID: tenant.id, limit: 50, after: after)
            values["pings"] = page.items.map(Self.auctionRow)
            values["older"] = page.next.map { "/admin/auctions?tenant=\(Self.queryEscaped(tenant.name))&after=\(Self.queryEscaped($0.token))" }
            values["continued"] = after != nil
            return pages.render("auctions", title: "Auctions", viewer: viewer(session), values, status: status)
        }

        addPage(&router, .GET, "/admin/auctions/{id}") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            return try auctionPage(session, tenant, pingID: try request.parameter("id"), [:])
        }

        addPage(&router, .POST, "/admin/auctions/{id}/replay", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, _, tenant) = try await changeRequest(request)
            let replay = try await exchange.replay(tenantID: tenant.id, pingID: try request.parameter("id"))
            let entries = replay.entries.map { entry -> [String: Any] in
                var row: [String: Any] = ["buyer": entry.buyerName, "buyerID": entry.buyerID, "outcome": entry.outcome, "wins": entry.wins,
                                          "bid": entry.bidCents.map(Self.dollars) ?? "–", "bidding": entry.live ? "live" : "fixed"]
                row["ms"] = entry.milliseconds.map { "\($0) ms" }
                row["detail"] = entry.detail
                return row
            }
            let summary = replay.winner.map { "\($0.buyerName) would win at \(Self.dollars($0.bidCents ?? 0))." }
                ?? "No buyer would buy it now at the floor of \(Self.dollars(replay.floorPriceCents))."
            return try auctionPage(session, tenant, pingID: replay.pingID, ["replay": ["entries": entries, "summary": summary]])
        }
    }

    /// One auction as a row of a list (the Buyers page's latest, the log).
    static func auctionRow(_ ping: PingRecord) -> [String: Any] {
        ["createdAt": ping.createdAt, "id": ping.id, "campaignType": ping.profile.campaign_type ?? "–", "state": ping.profile.state ?? "–",
         "bids": ping.bids.count, "best": ping.bids.first?.bid_cents.map(Self.dollars) ?? "–", "floor": Self.dollars(ping.floorPriceCents),
         "took": ping.tookMs, "status": ping.status.rawValue]
    }

    /// The stored auction, and `extra` (a replay's result).
    func auctionPage(_ session: AdminSessions.Session, _ tenant: Tenant, pingID: String, _ extra: [String: Any]) throws -> Response {
        let report = try exchange.report(tenantID: tenant.id, pingID: pingID)
        let record = report.record
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/buyers")) { $1 }
        values["ping"] = [
            "id": record.id, "status": record.status.rawValue, "createdAt": record.createdAt, "took": record.tookMs,
            "deadline": record.deadlineMs, "floor": Self.dollars(record.floorPriceCents), "leadID": record.leadID ?? "",
            "type": record.profile.campaign_type ?? "–", "state": record.profile.state ?? "–", "zip": record.profile.zip_code ?? "–",
            "source": record.profile.source ?? "–",
        ] as [String: Any]
        values["pingID"] = record.id
        values["outcomes"] = record.outcomes.map { outcome -> [String: Any] in
            ["buyer": outcome.buyer_name, "outcome": outcome.outcome.rawValue, "bid": outcome.bid_cents.map(Self.dollars) ?? "–",
             "bidding": outcome.bidding, "ms": outcome.ms.map { "\($0) ms" } ?? "", "result": report.explanation(for: outcome),
             "status": outcome.response_status.map(String.init) ?? "", "body": outcome.response_body ?? "",
             "hasExchange": outcome.response_body != nil || outcome.response_status != nil]
        }
        return pages.render("auction", title: "Auction \(record.id)", viewer: viewer(session), values)
    }
}

extension Templates {
    /// A list of auctions (`pings`, rows from `auctionRow`).
    static let auctionTable = """
        <table class="dense">
          <thead><tr><th scope="col">When</th><th scope="col">Ping</th><th scope="col">Lead type</th><th scope="col">State</th><th scope="col">Bids</th><th scope="col">Best bid</th><th scope="col">Floor</th><th scope="col">Took</th><th scope="col">Outcome</th></tr></thead>
          <tbody>
          {{#pings}}<tr><td>{{createdAt}}</td><td><a href="/admin/auctions/{{id}}?tenant={{tenant}}"><code>{{id}}</code></a></td><td>{{campaignType}}</td><td>{{state}}</td><td>{{bids}}</td><td>{{best}}</td><td>{{floor}}</td><td>{{took}} ms</td><td>{{status}}</td></tr>
          {{/pings}}
          {{^pings}}<tr><td colspan="9">No auctions{{^continued}} yet{{/continued}}.</td></tr>{{/pings}}
          </tbody>
        </table>
        """

    static let auctions = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/buyers?tenant={{tenant}}">← Buyers</a></p>
        <h1>Auctions</h1>
        {{>pageHead}}
        <section class="card">
          {{>auctionTable}}
          <p class="pager">{{#continued}}<a href="/admin/auctions?tenant={{tenant}}">Newest</a>{{/continued}} {{#older}}<a href="{{older}}" rel="next">Older auctions</a>{{/older}}</p>
          <p class="scope">Open an auction for each buyer's outcome and why it won or lost, and to replay it.</p>
        </section>
        {{/content}}
        {{/layout}}
        """

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
        <section class="card">
          <h2>Replay</h2>
          <p class="scope">Offers this auction's lead to the buyers as they are now (their filters, hours, caps and budget), with the
          same floor. Live buyers get a test ping: nothing is stored, reserved or sold.</p>
          {{#canChange}}<form method="post" action="/admin/auctions/{{pingID}}/replay"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit">Replay now</button></form>{{/canChange}}
          {{#replay}}
          <p role="status"><strong>{{summary}}</strong></p>
          <table class="dense">
            <thead><tr><th scope="col">Buyer</th><th scope="col">Outcome</th><th scope="col">Bid</th><th scope="col">Bidding</th><th scope="col">Answered in</th><th scope="col">Why</th></tr></thead>
            <tbody>
            {{#entries}}<tr><th scope="row"><a href="/admin/buyers/{{buyerID}}?tenant={{tenant}}">{{buyer}}</a>{{#wins}} <span class="status ok">wins</span>{{/wins}}</th><td>{{outcome}}</td><td>{{bid}}</td><td>{{bidding}}</td><td>{{ms}}</td><td>{{detail}}</td></tr>
            {{/entries}}
            {{^entries}}<tr><td colspan="6">The tenant has no buyers.</td></tr>{{/entries}}
            </tbody>
          </table>
          {{/replay}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
