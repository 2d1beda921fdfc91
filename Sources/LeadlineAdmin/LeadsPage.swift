import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/leads`: the tenant's leads, newest first, filtered and searched (phone, email or id), a page at a time by
/// key (fast at any size); and one lead's whole story: its fields and score, its events, consent certificates (with
/// the hash chain checked), calls with their transcripts, transfers and sequences. A lead is only ever looked up
/// within the tenant the page acts on, so another tenant's lead is a 404 whatever its id.
extension Console {
    static let leadsPerPage = 50

    func registerLeads(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addPage(&router, .GET, "/admin/leads") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            return try leadsPage(session, tenant, request.query)
        }

        addPage(&router, .GET, "/admin/leads/{id}") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values: [String: Any] = [:]
            values["notice"] = request.query["notice"].flatMap { Self.leadNotices[$0] }
            return try leadPage(session, tenant, id: try request.parameter("id"), values)
        }

        addPage(&router, .POST, "/admin/leads/{id}/status", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let id = try request.parameter("id")
            do {
                _ = try await leads.change(tenantID: tenant.id, leadID: id, LeadChanges(status: fields["status"]),
                                           actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/leads/\(id)?tenant=\(tenant.name)&notice=status")
            } catch CoreError.invalid(let problems) {
                return try leadPage(session, tenant, id: id, Self.errors(problems), status: 422)
            } catch CoreError.conflict(let message) {
                return try leadPage(session, tenant, id: id, Self.errors([.init("status", message)]), status: 409)
            }
        }

        addPage(&router, .POST, "/admin/leads/{id}/dnc", accepts: form) { [self] request in
            let (session, _, tenant) = try await changeRequest(request)
            let id = try request.parameter("id")
            let lead = try leads.record(tenantID: tenant.id, leadID: id).lead
            try await gate.dnc.add(tenantID: tenant.id, phone: lead.phone, reason: "added from the lead's page", channel: "console",
                                   actor: "console:\(session.user.email)")
            return Pages.redirect("/admin/leads/\(id)?tenant=\(tenant.name)&notice=dnc")
        }
    }

    static let leadNotices = ["status": "Status changed.", "dnc": "The lead's number is on the internal do-not-call list; its sequences ended."]

    func leadsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ query: [String: String]) throws -> Response {
        var filter = LeadFilter()
        var values: [String: Any] = [:]
        func given(_ name: String) -> String? {
            guard let value = query[name]?.trimmingSpaces, !value.isEmpty else { return nil }
            values[name] = value
            return value
        }
        if let status = given("status") {
            filter.status = LeadStatus(rawValue: status)
            if filter.status == nil { values.merge(Self.errors([.init("status", "is not a lead status")])) { $1 } }
        }
        filter.state = given("state")?.uppercased()
        filter.campaignType = given("type")
        filter.source = given("source")
        if let search = given("q") {
            if search.contains("@") {
                filter.email = search.lowercased()
            } else if search.filter(\.isNumber).count >= 10, let phone = try? PhoneNumber.normalize(search) {
                filter.phone = phone
            } else {
                filter.id = search.lowercased()
            }
        }
        let cursor = query["after"].flatMap(TimeCursor.init(token:))
        let (found, next) = try leads.page(tenantID: tenant.id, filter: filter, after: cursor, limit: Self.leadsPerPage)
        values.merge(try pageBasics(session, tenant, path: "/admin/leads")) { $1 }
        values["statuses"] = LeadStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == filter.status] }
        values["leads"] = found.map { lead -> [String: Any] in
            ["id": lead.id, "createdAt": lead.createdAt, "name": [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "),
             "phone": lead.phone, "email": lead.email ?? "", "state": lead.state ?? "", "type": lead.campaignType ?? "",
             "source": lead.source ?? "", "status": lead.status.rawValue, "score": lead.score]
        }
        if let next {
            var parameters = ["tenant": tenant.name, "after": next.token]
            for name in ["status", "state", "type", "source", "q"] { if let value = query[name], !value.isEmpty { parameters[name] = value } }
            values["nextPage"] = "/admin/leads?" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.queryEscaped($0.value))" }.joined(separator: "&")
        }
        values["continued"] = cursor != nil
        return pages.render("leads", title: "Leads", viewer: viewer(session), values)
    }

    func leadPage(_ session: AdminSessions.Session, _ tenant: Tenant, id: String, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let record = try leads.record(tenantID: tenant.id, leadID: id)
        let lead = record.lead
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/leads")) { $1 }
        values["lead"] = [
            "id": lead.id, "name": [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "), "phone": lead.phone,
            "email": lead.email ?? "", "state": lead.state ?? "", "zip": lead.zipCode ?? "", "source": lead.source ?? "",
            "type": lead.campaignType ?? "", "status": lead.status.rawValue, "ineligibleReason": lead.ineligibleReason ?? "",
            "score": lead.score, "createdAt": lead.createdAt, "updatedAt": lead.updatedAt, "notes": lead.notes ?? "",
            "sold": lead.soldPriceCents.map(Self.dollars) ?? "",
        ].filter { !(($0.value as? String)?.isEmpty ?? false) } as [String: Any]  // a blank field is left out, not shown empty
        values["leadID"] = lead.id
        values["leadPhone"] = lead.phone
        values["moves"] = lead.status.allowedNext.map(\.rawValue).sorted().map { ["value": $0] }
        values["canMove"] = !lead.status.allowedNext.isEmpty
        values["reasons"] = lead.reasons.map { ["rule": $0.rule, "points": $0.points > 0 ? "+\($0.points)" : "\($0.points)", "detail": $0.detail] }
        values["events"] = record.events.reversed().map { event -> [String: Any] in
            let detail = (try? JSONSerialization.jsonObject(with: Data(event.detail.utf8))) as? [String: Any] ?? [:]
            return ["at": event.at, "kind": event.kind.replacingOccurrences(of: "_", with: " "), "actor": event.actor,
                    "move": event.toStatus.map { "\(event.fromStatus ?? "–") → \($0)" } ?? "",
                    "detail": detail.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")]
        }
        values["consent"] = record.consent.map { certificate -> [String: Any] in
            ["id": certificate.id, "type": certificate.consentType, "channel": certificate.channel, "at": certificate.consentedAt,
             "version": certificate.consentTextVersion ?? "", "page": certificate.pageURL ?? "", "ip": certificate.ipAddress ?? "",
             "intact": certificate.computedHash == certificate.hash, "revoked": certificate.revokedAt.map { "revoked \($0)" } ?? ""]
        }
        values["calls"] = record.calls.reversed().map { call -> [String: Any] in
            ["at": call.createdAt, "attempt": call.attemptNo, "status": call.status.rawValue, "outcome": call.outcome?.rawValue ?? "",
             "talk": call.talkSeconds.map { "\($0) s" } ?? "", "end": call.endReason ?? "",
             "transcript": call.transcript.map { ["speaker": $0.speaker, "text": $0.text] }, "hasTranscript": !call.transcript.isEmpty]
        }
        if let dialer = record.dialer {
            let what = switch dialer.status {
            case "waiting": "Waiting to be called from \(dialer.nextAttemptAt)"
            case "calling": "On a call now"
            default: "The dialer is done with this lead"
            }
            // Absent, not empty, when there is no reason: an empty string is truthy to a Mustache section.
            var standing: [String: Any] = ["what": what, "attempts": dialer.attempts]
            if let reason = dialer.reason, !reason.isEmpty { standing["heldBack"] = reason }
            values["dialer"] = standing
        }
        values["transfers"] = record.transfers.reversed().map { transfer -> [String: Any] in
            ["at": transfer.startedAt, "to": transfer.destinationPhone, "status": transfer.status.rawValue,
             "duration": transfer.durationSeconds.map { "\($0) s" } ?? "", "revenue": transfer.revenueCents.map(Self.dollars) ?? ""]
        }
        values["enrollments"] = try sequences.enrollments(tenantID: tenant.id, leadID: lead.id).map { enrollment, name, sends -> [String: Any] in
            ["sequence": name, "status": enrollment.status.rawValue, "reason": enrollment.reason ?? "", "next": enrollment.nextStepAt ?? "",
             "sends": sends.map { ["step": $0.step + 1, "channel": $0.channel, "status": $0.status, "at": $0.at, "error": $0.error ?? ""] }]
        }
        let title = (values["lead"] as? [String: Any])?["name"] as? String ?? ""
        return pages.render("lead", title: title.isEmpty ? "Lead" : title, viewer: viewer(session), values, status: status)
    }

    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

extension Templates {
    static let leads = """
        {{<layout}}
        {{$content}}
        <h1>Leads</h1>
        {{>pageHead}}
        <form class="inline filters" method="get" action="/admin/leads">
          <input type="hidden" name="tenant" value="{{tenant}}">
          <label for="l-q">Phone, email or id</label><input id="l-q" name="q" type="search" value="{{q}}">
          <label for="l-status">Status</label>
          <select id="l-status" name="status"><option value="">any</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}</select>
          <label for="l-state">State</label><input id="l-state" name="state" type="text" maxlength="2" size="3" value="{{state}}">
          <label for="l-type">Type</label><input id="l-type" name="type" type="text" size="10" value="{{type}}">
          <label for="l-source">Source</label><input id="l-source" name="source" type="text" size="10" value="{{source}}">
          <button type="submit">Filter</button>
        </form>
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Received</th><th scope="col">Name</th><th scope="col">Phone</th><th scope="col">Email</th><th scope="col">State</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Score</th></tr></thead>
            <tbody>
            {{#leads}}<tr><td>{{createdAt}}</td><th scope="row"><a href="/admin/leads/{{id}}?tenant={{tenant}}">{{name}}{{^name}}(no name){{/name}}</a></th><td>{{phone}}</td><td>{{email}}</td><td>{{state}}</td><td>{{type}}</td><td>{{source}}</td><td>{{status}}</td><td>{{score}}</td></tr>
            {{/leads}}
            {{^leads}}<tr><td colspan="9">No leads match.</td></tr>{{/leads}}
            </tbody>
          </table>
          <p class="pager">{{#continued}}<a href="/admin/leads?tenant={{tenant}}">Newest</a>{{/continued}} {{#nextPage}}<a href="{{nextPage}}" rel="next">Older leads</a>{{/nextPage}}</p>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let lead = """
        {{<layout}}
        {{$content}}
        {{#lead}}
        <p><a href="/admin/leads?tenant={{tenant}}">← Leads</a></p>
        <h1>{{name}}{{^name}}Lead{{/name}} <small class="status">{{status}}</small></h1>
        {{>pageHead}}
        <section class="card">
          <dl class="facts">
            <dt>Id</dt><dd><code>{{id}}</code></dd><dt>Phone</dt><dd>{{phone}}</dd>{{#email}}<dt>Email</dt><dd>{{email}}</dd>{{/email}}
            {{#state}}<dt>State</dt><dd>{{state}} {{zip}}</dd>{{/state}}{{#type}}<dt>Type</dt><dd>{{type}}</dd>{{/type}}{{#source}}<dt>Source</dt><dd>{{source}}</dd>{{/source}}
            <dt>Score</dt><dd>{{score}}</dd><dt>Received</dt><dd>{{createdAt}}</dd><dt>Updated</dt><dd>{{updatedAt}}</dd>
            {{#ineligibleReason}}<dt>Ineligible</dt><dd>{{ineligibleReason}}</dd>{{/ineligibleReason}}
            {{#sold}}<dt>Sold for</dt><dd>{{sold}}</dd>{{/sold}}
            {{#notes}}<dt>Notes</dt><dd>{{notes}}</dd>{{/notes}}
          </dl>
          {{/lead}}
          {{#canChange}}
          {{#canMove}}
          <form class="inline" method="post" action="/admin/leads/{{leadID}}/status">
            <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <label for="move">Move to</label>
            <select id="move" name="status">{{#moves}}<option value="{{value}}">{{value}}</option>{{/moves}}</select>
            <button type="submit">Change status</button>
          </form>
          {{/canMove}}
          <details class="confirm"><summary>Add to do-not-call…</summary>
            <form method="post" action="/admin/leads/{{leadID}}/dnc"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <p>{{leadPhone}} will never be called or texted by this tenant again, and the lead leaves its sequences.</p>
            <button type="submit" class="danger">Add {{leadPhone}} to do-not-call</button></form>
          </details>
          {{/canChange}}
        </section>

        <section class="card">
          <h2>Score</h2>
          <table class="dense"><tbody>
          {{#reasons}}<tr><th scope="row">{{rule}}</th><td>{{points}}</td><td>{{detail}}</td></tr>{{/reasons}}
          {{^reasons}}<tr><td>No score reasons recorded.</td></tr>{{/reasons}}
          </tbody></table>
        </section>

        <section class="card">
          <h2>Consent</h2>
          <table class="dense">
            <thead><tr><th scope="col">Certificate</th><th scope="col">Given</th><th scope="col">Type</th><th scope="col">Text version</th><th scope="col">Page</th><th scope="col">IP</th><th scope="col">Record</th></tr></thead>
            <tbody>
            {{#consent}}<tr><td><code>{{id}}</code></td><td>{{at}}</td><td>{{type}} ({{channel}})</td><td>{{version}}</td><td>{{page}}</td><td>{{ip}}</td>
              <td>{{#intact}}<span class="ok">hash chain intact</span>{{/intact}}{{^intact}}<span class="error">altered: its hash does not match</span>{{/intact}} {{revoked}}</td></tr>
            {{/consent}}
            {{^consent}}<tr><td colspan="7">No consent certificate.</td></tr>{{/consent}}
            </tbody>
          </table>
        </section>

        <section class="card">
          <h2>Calls and transfers</h2>
          {{#dialer}}<p class="dialer-standing">{{what}} ({{attempts}} placed so far){{#heldBack}}: {{heldBack}}{{/heldBack}}.</p>{{/dialer}}
          <table class="dense">
            <thead><tr><th scope="col">When</th><th scope="col">Attempt</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Talk</th><th scope="col">Ended</th></tr></thead>
            <tbody>
            {{#calls}}<tr><td>{{at}}</td><td>{{attempt}}</td><td>{{status}}</td><td>{{outcome}}</td><td>{{talk}}</td><td>{{end}}</td></tr>
            {{#hasTranscript}}<tr><td colspan="6"><details><summary>Transcript</summary><ol class="transcript">{{#transcript}}<li><strong>{{speaker}}</strong>: {{text}}</li>{{/transcript}}</ol></details></td></tr>{{/hasTranscript}}
            {{/calls}}
            {{^calls}}<tr><td colspan="6">Not called.</td></tr>{{/calls}}
            </tbody>
          </table>
          <table class="dense">
            <thead><tr><th scope="col">Transferred</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Revenue</th></tr></thead>
            <tbody>
            {{#transfers}}<tr><td>{{at}}</td><td>{{to}}</td><td>{{status}}</td><td>{{duration}}</td><td>{{revenue}}</td></tr>{{/transfers}}
            {{^transfers}}<tr><td colspan="5">No transfers.</td></tr>{{/transfers}}
            </tbody>
          </table>
        </section>

        <section class="card">
          <h2>Sequences</h2>
          {{#enrollments}}
          <h3>{{sequence}} <small class="status">{{status}}</small></h3>
          {{#reason}}<p class="scope">{{reason}}</p>{{/reason}}
          <ol class="steps">{{#sends}}<li>{{step}}. {{channel}}: {{status}} at {{at}}{{#error}} <span class="error">{{error}}</span>{{/error}}</li>{{/sends}}</ol>
          {{/enrollments}}
          {{^enrollments}}<p>Not in any sequence.</p>{{/enrollments}}
        </section>

        <section class="card">
          <h2>Timeline</h2>
          <table class="dense">
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">Detail</th></tr></thead>
            <tbody>
            {{#events}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{move}}</td><td>{{actor}}</td><td>{{detail}}</td></tr>{{/events}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
