import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/keys` (Settings → API keys): the tenant's keys with their scopes, rate limit and last use; creating one
/// (its token is shown once, on the answer to the form, and never again: only its hash is kept) and revoking one.
extension Console {
    func registerKeys(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addTenantPage(&router, path: "/admin/keys", notices: Self.keyNotices, render: { [self] in try keysPage($0, $1, $2, status: $3) })

        addPage(&router, .POST, "/admin/keys", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let scopes = fields.values("scopes").compactMap(Scope.init(rawValue:))
            let limitText = (fields["rate_limit_per_minute"] ?? "").trimmingSpaces
            let limit = limitText.isEmpty ? nil : Int(limitText)
            do {
                if !limitText.isEmpty && limit == nil {
                    throw CoreError.invalid([.init("rate_limit_per_minute", "must be a whole number (0: unlimited)")])
                }
                let issued = try await keys.create(APIKeys.Request(tenantID: tenant.id, name: fields["name"] ?? "", scopes: scopes,
                                                                   rateLimitPerMinute: limit))
                // Shown on this answer only (pages are never cached): there is no redirect to a page that could show it again.
                return try keysPage(session, tenant, ["newKey": ["token": issued.token, "name": issued.key.name]], status: 201)
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["draft"] = ["name": fields["name"] ?? "", "limit": limitText]
                return try keysPage(session, tenant, values, status: 422)
            }
        }

        addPage(&router, .POST, "/admin/keys/{id}/revoke", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            try keys.revoke(id: try request.parameter("id"), tenantID: tenant.id)
            return Pages.redirect("/admin/keys?tenant=\(tenant.name)&notice=revoked")
        }
    }

    static let keyNotices = ["revoked": "Key revoked: requests with it are refused from now on."]

    func keysPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/keys")) { $1 }
        values["keys"] = try keys.list(tenantID: tenant.id).map { key -> [String: Any] in
            ["id": key.id, "name": key.name.isEmpty ? "(no name)" : key.name, "prefix": key.prefix, "scopes": key.scopes.replacingOccurrences(of: ",", with: ", "),
             "limit": key.rateLimitPerMinute.map { $0 == 0 ? "unlimited" : "\($0)/min" } ?? "\(APIKeys.defaultRateLimitPerMinute)/min",
             "createdAt": key.createdAt, "lastUsed": key.lastUsedAt ?? "never", "revokedAt": key.revokedAt ?? "", "active": key.revokedAt == nil]
        }
        values["scopeChoices"] = Scope.allCases.map { ["value": $0.rawValue, "checked": $0 == .read || $0 == .write] }
        values["defaultLimit"] = APIKeys.defaultRateLimitPerMinute
        return pages.render("keys", title: "API keys", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let keys = """
        {{<layout}}
        {{$content}}
        <h1>API keys</h1>
        {{>pageHead}}
        <p class="scope">What a key can call, with every field: the <a href="/admin/api">API reference</a>.</p>
        {{#newKey}}
        <section class="card new-key" role="status">
          <h2>Key “{{name}}” created</h2>
          <p>Copy it now: it is shown this once, and Leadline keeps only its hash.</p>
          <input type="text" readonly value="{{token}}" aria-label="The new API key" class="secret">
          <p class="scope">Send it as <code>Authorization: Bearer …</code> (lead2inbound) or <code>X-API-Key: …</code> (EZLeeds).</p>
        </section>
        {{/newKey}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Key</th><th scope="col">Starts with</th><th scope="col">Scopes</th><th scope="col">Rate limit</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#keys}}<tr><th scope="row">{{name}}<br><small>{{id}}</small></th><td><code>{{prefix}}…</code></td><td>{{scopes}}</td><td>{{limit}}</td><td>{{createdAt}}</td><td>{{lastUsed}}</td>
              <td>{{#active}}active{{/active}}{{^active}}revoked {{revokedAt}}{{/active}}</td>
              {{#canChange}}<td>{{#active}}<details class="confirm"><summary>Revoke…</summary><form method="post" action="/admin/keys/{{id}}/revoke"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><p>Every client using it stops working at once.</p><button type="submit" class="danger">Revoke {{name}}</button></form></details>{{/active}}</td>{{/canChange}}</tr>
            {{/keys}}
            {{^keys}}<tr><td colspan="8">No keys yet.</td></tr>{{/keys}}
            </tbody>
          </table>
        </section>
        {{#canChange}}
        <section class="card">
          <h2>Create a key</h2>
          <form method="post" action="/admin/keys">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="k-name">Name (who uses it)</label>
            <input id="k-name" name="name" type="text" maxlength="100" value="{{draft.name}}">
            <fieldset><legend>Scopes</legend>
            {{#scopeChoices}}<label class="check"><input type="checkbox" name="scopes" value="{{value}}"{{#checked}} checked{{/checked}}> {{value}}</label>{{/scopeChoices}}
            </fieldset>
            <label for="k-limit">Requests per minute (blank: {{defaultLimit}}; 0: unlimited)</label>
            <input id="k-limit" name="rate_limit_per_minute" type="text" inputmode="numeric" value="{{draft.limit}}">
            <button type="submit">Create key</button>
          </form>
        </section>
        {{/canChange}}
        {{/content}}
        {{/layout}}
        """
}
