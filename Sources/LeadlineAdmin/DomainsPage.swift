import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/domains`: the tenant's sending domains with the DNS records to publish, what the last check found, and
/// adding, verifying (a DNS lookup now) and deleting one.
extension Console {
    func registerDomains(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addTenantPage(&router, path: "/admin/domains", notices: Self.domainNotices, render: { [self] in try domainsPage($0, $1, $2, status: $3) })

        addPage(&router, .POST, "/admin/domains", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                _ = try await domains.create(tenantID: tenant.id, domain: fields["domain"])
                return Pages.redirect("/admin/domains?tenant=\(tenant.name)&notice=added")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["draft"] = fields["domain"] ?? ""
                return try domainsPage(session, tenant, values, status: 422)
            } catch CoreError.refused(_, let message) {
                var values = Self.errors([.init("domain", message)])
                values["draft"] = fields["domain"] ?? ""
                return try domainsPage(session, tenant, values, status: 409)
            }
        }

        addPage(&router, .POST, "/admin/domains/{id}/verify", accepts: form) { [self] request in
            let (session, _, tenant) = try await changeRequest(request)
            do {
                let domain = try await domains.verify(tenantID: tenant.id, id: try request.parameter("id"))
                return Pages.redirect("/admin/domains?tenant=\(tenant.name)&notice=\(domain.status == .verified ? "verified" : "not_verified")")
            } catch let failure as DNSClient.Failure {
                return try domainsPage(session, tenant, Self.errors([.init("dns", "the resolver did not answer: \(failure)")]), status: 502)
            }
        }

        addPage(&router, .POST, "/admin/domains/{id}/delete", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            _ = try await domains.delete(tenantID: tenant.id, id: try request.parameter("id"))
            return Pages.redirect("/admin/domains?tenant=\(tenant.name)&notice=deleted")
        }
    }

    static let domainNotices = ["added": "Domain added: publish its three records, then verify.",
                                "verified": "Verified: the domain's SPF, DKIM and DMARC records are in place.",
                                "not_verified": "Not verified yet: see what each record is missing.",
                                "deleted": "Domain deleted, and its signing key with it."]

    func domainsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/domains")) { $1 }
        values["domains"] = try domains.all(tenantID: tenant.id).map { domain -> [String: Any] in
            func check(_ name: String, _ valid: Bool) -> [String: Any] {
                ["name": name, "valid": valid, "problem": domain.problems[name.lowercased()] ?? ""]
            }
            return ["id": domain.id, "domain": domain.domain, "status": domain.status.rawValue.replacingOccurrences(of: "_", with: " "),
                    "verified": domain.status == .verified, "checkedAt": domain.checkedAt ?? "never", "checked": domain.checkedAt != nil,
                    "checks": domain.checkedAt == nil ? [] : [check("SPF", domain.spfValid), check("DKIM", domain.dkimValid), check("DMARC", domain.dmarcValid)],
                    "records": domains.records(domain).map { ["type": $0.type, "name": $0.name, "value": $0.value] }]
        }
        return pages.render("domains", title: "Sending domains", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let domains = """
        {{<layout}}
        {{$content}}
        <h1>Sending domains</h1>
        {{>pageHead}}
        {{#domains}}
        <section class="card">
          <h2>{{domain}} <small class="status{{#verified}} ok{{/verified}}">{{status}}</small></h2>
          <p class="scope">Last checked: {{checkedAt}}.</p>
          {{#checked}}<ul class="checks">{{#checks}}<li class="{{#valid}}ok{{/valid}}{{^valid}}error{{/valid}}">{{name}}: {{#valid}}found{{/valid}}{{^valid}}{{problem}}{{/valid}}</li>{{/checks}}</ul>{{/checked}}
          <table class="dense records">
            <thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
            <tbody>
            {{#records}}<tr><td>{{type}}</td><td><input type="text" readonly value="{{name}}" aria-label="{{type}} record name"></td><td><input type="text" readonly value="{{value}}" aria-label="{{type}} record value"></td></tr>
            {{/records}}
            </tbody>
          </table>
          {{#canChange}}
          <form class="inline" method="post" action="/admin/domains/{{id}}/verify"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit">Verify now</button></form>
          <details class="confirm"><summary>Delete…</summary><form method="post" action="/admin/domains/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><p>Mail can no longer be signed for {{domain}}; its key is erased.</p><button type="submit" class="danger">Delete {{domain}}</button></form></details>
          {{/canChange}}
        </section>
        {{/domains}}
        {{^domains}}<section class="card"><p>No sending domains yet. A verified domain lets this tenant's emails come from it, DKIM-signed.</p></section>{{/domains}}
        {{#canChange}}
        <section class="card">
          <h2>Add a domain</h2>
          <form method="post" action="/admin/domains">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="d-domain">Domain (a subdomain such as mail.example.com keeps your main domain's mail apart)</label>
            <input id="d-domain" name="domain" type="text" required maxlength="253" value="{{draft}}" autocomplete="off">
            <button type="submit">Add domain</button>
          </form>
        </section>
        {{/canChange}}
        {{/content}}
        {{/layout}}
        """
}
