import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/calls`: the AI agent's latest calls and their outcomes (transcripts on each lead's page), the destinations
/// live calls are transferred to with what they took today, Settings → Destinations → Revenue postbacks (the URL with
/// its token to paste into the call platform, copy, rotate), and the postbacks that matched no transfer, to match by
/// hand.
extension Console {
    func registerCalls(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addPage(&router, .GET, "/admin/calls") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values: [String: Any] = [:]
            values["notice"] = request.query["notice"].flatMap { Self.callNotices[$0] }
            return try await callsPage(session, tenant, values, request: request)
        }

        addPage(&router, .POST, "/admin/calls/postbacks/rotate", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            try await postbacks.rotate(tenantID: tenant.id)
            return Pages.redirect("/admin/calls?tenant=\(tenant.name)&notice=rotated")
        }

        addPage(&router, .POST, "/admin/calls/postbacks/{id}/match", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                _ = try await postbacks.match(tenantID: tenant.id, postbackID: try request.parameter("id"),
                                              transferID: (fields["transfer_id"] ?? "").trimmingSpaces, actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/calls?tenant=\(tenant.name)&notice=matched")
            } catch CoreError.invalid(let problems) {
                return try await callsPage(session, tenant, Self.errors(problems), request: request, status: 422)
            } catch CoreError.refused(_, let message) {
                return try await callsPage(session, tenant, Self.errors([.init("transfer_id", message)]), request: request, status: 409)
            } catch CoreError.notFound(let what) {
                return try await callsPage(session, tenant, Self.errors([.init("transfer_id", "no \(what)")]), request: request, status: 404)
            }
        }
    }

    static let callNotices = ["rotated": "A new postback URL: the old one stops working now. Paste the new one into your call platform.",
                              "matched": "Postback matched: its revenue is on the transfer and in the ledger."]

    func callsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], request: Request, status: Int = 200) async throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/calls")) { $1 }
        let after = request.query["after"].flatMap(TimeCursor.init(token:))
        let calls = try callRecords.calls(tenantID: tenant.id, limit: 50, after: after)
        values["olderCalls"] = calls.next.map { "/admin/calls?tenant=\(Self.queryEscaped(tenant.name))&after=\(Self.queryEscaped($0.token))" }
        values["continued"] = after != nil
        values["calls"] = calls.items.map { call -> [String: Any] in
            ["at": call.createdAt, "leadID": call.leadID, "to": call.toNumber, "attempt": call.attemptNo, "status": call.status.rawValue,
             "outcome": call.outcome?.rawValue ?? "", "talk": call.talkSeconds.map { "\($0) s" } ?? "", "end": call.endReason ?? "",
             "provider": call.provider]
        }
        let all = try destinations.all(tenantID: tenant.id)
        let usage = try destinations.usage(all)
        values["destinations"] = all.map { destination -> [String: Any] in
            let u = usage[destination.id] ?? DestinationUsage()
            return ["name": destination.name, "phone": destination.phone, "status": destination.status.rawValue,
                    "price": destination.settings.priceCents.map(Self.dollars) ?? "by postback", "live": u.live, "today": u.today,
                    "transfers": u.transfers, "revenue": Self.dollars(u.revenueCents)]
        }
        // The URL as the call platform reaches this server: the address the admin's browser used.
        let scheme = request.headers["X-Forwarded-Proto"]?.lowercased() == "https" ? "https" : "http"
        let host = request.headers["Host"] ?? "127.0.0.1"
        if session.user.canChange {
            values["postbackURL"] = Postbacks.url(base: "\(scheme)://\(host)", token: try await postbacks.token(tenantID: tenant.id))
        }
        values["unmatched"] = try postbacks.list(tenantID: tenant.id, matched: false, limit: 50, before: nil).map { postback -> [String: Any] in
            ["id": postback.id, "at": postback.receivedAt, "caller": postback.callerID ?? "", "buyer": postback.buyerName ?? "",
             "duration": postback.durationSeconds.map { "\($0) s" } ?? "", "revenue": postback.revenueCents.map(Self.dollars) ?? "",
             "platformID": postback.platformCallID ?? ""]
        }
        return pages.render("calls", title: "Calls", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let calls = """
        {{<layout}}
        {{$head}}<script src="/assets/js/console.js" defer></script>{{/head}}
        {{$content}}
        <h1>Calls</h1>
        {{>pageHead}}
        <section class="card">
          <h2>Latest calls</h2>
          <table class="dense">
            <thead><tr><th scope="col">When</th><th scope="col">Lead</th><th scope="col">To</th><th scope="col">Attempt</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Talk</th><th scope="col">Ended</th></tr></thead>
            <tbody>
            {{#calls}}<tr><td>{{at}}</td><td><a href="/admin/leads/{{leadID}}?tenant={{tenant}}">open</a></td><td>{{to}}</td><td>{{attempt}}</td><td>{{status}}</td><td>{{outcome}}</td><td>{{talk}}</td><td>{{end}}</td></tr>
            {{/calls}}
            {{^calls}}<tr><td colspan="8">No calls{{^continued}} yet{{/continued}}.</td></tr>{{/calls}}
            </tbody>
          </table>
          <p class="pager">{{#continued}}<a href="/admin/calls?tenant={{tenant}}">Newest</a>{{/continued}} {{#olderCalls}}<a href="{{olderCalls}}" rel="next">Older calls</a>{{/olderCalls}}</p>
          <p class="scope">A call's transcript and every step it went through are on its lead's page.</p>
        </section>

        <section class="card">
          <h2>Destinations</h2>
          <table class="dense">
            <thead><tr><th scope="col">Destination</th><th scope="col">Phone</th><th scope="col">Status</th><th scope="col">Pays</th><th scope="col">Live now</th><th scope="col">Today</th><th scope="col">Transfers</th><th scope="col">Revenue</th></tr></thead>
            <tbody>
            {{#destinations}}<tr><th scope="row">{{name}}</th><td>{{phone}}</td><td>{{status}}</td><td>{{price}}</td><td>{{live}}</td><td>{{today}}</td><td>{{transfers}}</td><td>{{revenue}}</td></tr>
            {{/destinations}}
            {{^destinations}}<tr><td colspan="8">No destinations yet: add them with <code>POST /api/v1/calling/destinations</code>.</td></tr>{{/destinations}}
            </tbody>
          </table>
          <p class="scope"><a href="/admin/destinations?tenant={{tenant}}">Add, edit or pause lines</a></p>
        </section>

        {{#postbackURL}}
        <section class="card" id="postbacks">
          <h2>Revenue postbacks</h2>
          <p>Paste this URL into your call platform's postback settings (Ringba, Retreaver, TrackDrive, …) with its call fields as query parameters; each paid call's revenue lands on its transfer.</p>
          <div class="copy-row"><input id="postback-url" type="text" readonly value="{{postbackURL}}" aria-label="Postback URL" class="secret"><button type="button" class="copy" data-copy="postback-url" hidden>Copy</button></div>
          <details class="confirm"><summary>Rotate the token…</summary><form method="post" action="/admin/calls/postbacks/rotate"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><p>The current URL stops working at once; postbacks sent to it are refused until the platform has the new one.</p><button type="submit" class="danger">Rotate</button></form></details>
        </section>
        {{/postbackURL}}

        <section class="card">
          <h2>Postbacks that matched no transfer</h2>
          <table class="dense">
            <thead><tr><th scope="col">Received</th><th scope="col">Caller</th><th scope="col">Buyer</th><th scope="col">Duration</th><th scope="col">Revenue</th><th scope="col">Platform call</th>{{#canChange}}<th scope="col">Match to transfer</th>{{/canChange}}</tr></thead>
            <tbody>
            {{#unmatched}}<tr><td>{{at}}</td><td>{{caller}}</td><td>{{buyer}}</td><td>{{duration}}</td><td>{{revenue}}</td><td><code>{{platformID}}</code></td>
              {{#canChange}}<td><form class="inline" method="post" action="/admin/calls/postbacks/{{id}}/match"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><label class="visually-hidden" for="m-{{id}}">Transfer id</label><input id="m-{{id}}" name="transfer_id" type="text" required placeholder="xfer_…"><button type="submit">Match</button></form></td>{{/canChange}}</tr>
            {{/unmatched}}
            {{^unmatched}}<tr><td colspan="7">None: every postback found its transfer.</td></tr>{{/unmatched}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
