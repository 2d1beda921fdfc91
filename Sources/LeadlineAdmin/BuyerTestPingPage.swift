import Foundation
import HTTPServer
import LeadlineCore

/// A live buyer's "Test ping" (from the Buyers page): one ping sent to its `ping_url` as an auction would send it,
/// and the raw exchange shown: the request's headers and body, the answer's status, headers and body, and what the
/// buyer's `response_parsing` rule read from it. Nothing is stored, reserved or shown to another buyer.
extension Console {
    func registerBuyerTestPing(_ router: inout Router) {
        addPage(&router, .POST, "/admin/buyers/{id}/test-ping", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let buyer = try buyers.buyer(tenantID: tenant.id, buyerID: try request.parameter("id"))
            func given(_ name: String, _ fallback: String?) -> String? {
                fields[name].map(\.trimmingSpaces).flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            }
            let profile = PingInput.Profile(campaign_type: given("campaign_type", buyer.settings.campaignTypes.first),
                                            state: given("state", buyer.settings.states.first ?? "TX")?.uppercased(),
                                            zip_code: given("zip_code", nil), source: "leadline test ping")
            var values = try pageBasics(session, tenant, path: "/admin/buyers")
            values["buyer"] = ["id": buyer.id, "name": buyer.name]
            values["profile"] = ["campaignType": profile.campaign_type ?? "", "state": profile.state ?? "", "zip": profile.zip_code ?? ""]
            do {
                let sent = try await exchange.testPing(tenantID: tenant.id, buyerID: buyer.id, profile: profile)
                func lines(_ headers: [(name: String, value: String)]) -> String {
                    headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
                }
                var exchange: [String: Any] = [
                    "url": sent.url, "requestHeaders": lines(sent.requestHeaders), "requestBody": sent.requestBody,
                    "ms": sent.milliseconds, "verdict": sent.verdict, "bid": sent.verdict == "bid",
                    "responseHeaders": lines(sent.responseHeaders),
                ]
                exchange["status"] = sent.status
                exchange["responseBody"] = sent.responseBody
                exchange["price"] = sent.priceCents.map(Self.dollars)
                exchange["detail"] = sent.detail.flatMap { $0.isEmpty ? nil : $0 }
                values["exchange"] = exchange
                return pages.render("buyerTestPing", title: "Test ping", viewer: viewer(session), values)
            } catch CoreError.invalid(let problems) {
                values.merge(Self.errors(problems)) { $1 }
                return pages.render("buyerTestPing", title: "Test ping", viewer: viewer(session), values, status: 422)
            }
        }
    }
}

extension Templates {
    static let buyerTestPing = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/buyers?tenant={{tenant}}">← Buyers</a></p>
        <h1>Test ping: {{buyer.name}}</h1>
        {{>pageHead}}
        <section class="card">
          <form class="inline" method="post" action="/admin/buyers/{{buyer.id}}/test-ping">
            <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <label for="t-type">Lead type</label><input id="t-type" name="campaign_type" type="text" value="{{profile.campaignType}}">
            <label for="t-state">State</label><input id="t-state" name="state" type="text" value="{{profile.state}}" size="3">
            <label for="t-zip">Zip</label><input id="t-zip" name="zip_code" type="text" value="{{profile.zip}}" size="6">
            <button type="submit">Ping again</button>
          </form>
          <p class="scope">Sent as an auction sends it, signed when the buyer has a secret, within its timeout. Nothing is stored or
            reserved, and no other buyer sees it.</p>
        </section>
        {{#exchange}}
        <section class="card">
          <h2>What it read: {{verdict}}{{#price}}, {{price}}{{/price}}</h2>
          <dl class="facts">
            <dt>Answered in</dt><dd>{{ms}} ms{{#status}} (HTTP {{status}}){{/status}}</dd>
            {{#detail}}<dt>{{#bid}}Note{{/bid}}{{^bid}}Why{{/bid}}</dt><dd>{{detail}}</dd>{{/detail}}
          </dl>
        </section>
        <section class="card">
          <h2>The request</h2>
          <pre class="raw">POST {{url}}
        {{requestHeaders}}

        {{requestBody}}</pre>
        </section>
        <section class="card">
          <h2>The answer</h2>
          {{#status}}<pre class="raw">HTTP {{status}}
        {{responseHeaders}}

        {{responseBody}}</pre>{{/status}}
          {{^status}}<p>No answer: {{detail}}</p>{{/status}}
        </section>
        {{/exchange}}
        {{/content}}
        {{/layout}}
        """
}
