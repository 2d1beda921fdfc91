import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/audit`: every change console users made, newest first, a page at a time. A tenant's users see what was done
/// to their tenant; an operator sees everything (backups and sign-ins included) or one tenant.
extension Console {
    static let auditPerPage = 100

    func registerAudit(_ router: inout Router) {
        addPage(&router, .GET, "/admin/audit") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let (tenant, chooser) = try scope(session, request, path: "/admin/audit", everything: "Everything")
            let before = request.query["before"].flatMap { Int64($0) }
            let entries = try auditLog.entries(tenantID: tenant?.id, limit: Self.auditPerPage, before: before)
            let names = Dictionary(try tenants.all().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            var values: [String: Any] = [
                "entries": entries.map { entry -> [String: Any] in
                    ["at": entry.at, "who": entry.userEmail, "tenant": entry.tenantID.flatMap { names[$0] } ?? "",
                     "action": entry.action, "target": entry.target ?? "", "status": entry.status,
                     "detail": entry.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " · ")]
                },
                "scope": tenant.map { "Tenant \($0.name)." } ?? "Every tenant, and what belongs to none (sign-ins, backups).",
            ]
            if entries.count == Self.auditPerPage, let last = entries.last?.id {
                values["nextPage"] = "/admin/audit?before=\(last)" + (tenant.map { "&tenant=\(Self.queryEscaped($0.name))" } ?? "")
            }
            values.merge(chooser) { $1 }
            return pages.render("audit", title: "Audit log", viewer: viewer(session), values)
        }
    }
}

extension Templates {
    /// The operator's scope chooser on the dashboard and the audit log: every tenant, or one.
    static let scopeChooser = """
        {{#chooseTenant}}
        <form class="inline" method="get" action="{{path}}">
          <label for="tenant">Tenant</label>
          <select id="tenant" name="tenant">{{#tenants}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tenants}}</select>
          <button type="submit">Show</button>
        </form>
        {{/chooseTenant}}
        """

    static let audit = """
        {{<layout}}
        {{$content}}
        <h1>Audit log</h1>
        {{>scopeChooser}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Tenant</th><th scope="col">What</th><th scope="col">On</th><th scope="col">With</th></tr></thead>
            <tbody>
            {{#entries}}<tr><td>{{at}}</td><td>{{who}}</td><td>{{tenant}}</td><td><code>{{action}}</code></td><td>{{target}}</td><td>{{detail}}</td></tr>
            {{/entries}}
            {{^entries}}<tr><td colspan="6">Nothing yet.</td></tr>{{/entries}}
            </tbody>
          </table>
          <p class="scope">{{scope}} Passwords, tokens and security fields are never written down.</p>
          {{#nextPage}}<p class="pager"><a href="{{nextPage}}" rel="next">Older</a></p>{{/nextPage}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
