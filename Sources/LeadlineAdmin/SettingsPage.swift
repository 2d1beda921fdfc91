import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/settings`: the tenant's rules (how duplicates are found, how auctions run, how leads without a campaign are
/// called), the pages of the console's other settings (API keys, domains, revenue postbacks, the audit log, backups,
/// the API reference, the simulator), and the signed-in user's account: a new password, and signing out everywhere.
extension Console {
    func registerSettings(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addTenantPage(&router, path: "/admin/settings", notices: Self.settingsNotices) { [self] in try settingsPage($0, $1, $2, status: $3) }

        addPage(&router, .POST, "/admin/settings/exchange", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            var read = FormReader(fields)
            // A blank or unreadable field keeps what is stored.
            var dedup = try tenants.dedupRule(tenantID: tenant.id), rules = try tenants.exchangeRules(tenantID: tenant.id)
            dedup.windowDays = read.whole("dedup_window_days", setting: "dedup_window_days").given ?? dedup.windowDays
            dedup.byEmail = read.ticked("dedup_by_email")
            rules.floorPriceCents = read.cents("floor", setting: "floor_price_cents").given ?? rules.floorPriceCents
            rules.auctionDeadlineMs = read.whole("auction_deadline_ms").given ?? rules.auctionDeadlineMs
            rules.tryNextBid = read.ticked("try_next_bid")
            do {
                let problems = Tenants.problems(dedup) + Tenants.problems(rules)
                if let refusal = read.refusal(adding: { problems }) { throw refusal }
                if !problems.isEmpty { throw CoreError.invalid(problems) }
                try tenants.setDedupRule(tenantID: tenant.id, dedup)
                try tenants.setExchangeRules(tenantID: tenant.id, rules)
                return Pages.redirect("/admin/settings?tenant=\(tenant.name)&notice=exchange")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["exchange"] = Self.exchangeFormValues(Self.draft(fields))
                return try settingsPage(session, tenant, values, status: 422)
            }
        }

        addPage(&router, .POST, "/admin/settings/calling", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            var read = FormReader(fields)
            let settings = Self.callSettings(&read, current: try calls.settings(tenantID: tenant.id))
            do {
                if let refusal = read.refusal(adding: { [] }) { throw refusal }
                _ = try await calls.setSettings(tenantID: tenant.id, settings)
                return Pages.redirect("/admin/settings?tenant=\(tenant.name)&notice=calling")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["calling"] = Self.tenantCallingValues(Self.draft(fields))
                return try settingsPage(session, tenant, values, status: 422)
            }
        }

        addPage(&router, .POST, "/admin/settings/password", accepts: form) { [self] request in
            try Self.sameOrigin(request)
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            try Self.checkCSRF(request, session)
            let fields = try request.form()
            let email = session.user.email
            let tenant = try tenant(for: session, named: fields["tenant"])
            if let wait = throttle.wait(email: email, ip: request.remoteAddress) {
                throw HTTPError(status: 429, code: "rate_limited", message: "too many wrong passwords; try again in \((wait + 59) / 60) minutes",
                                headers: ["Retry-After": String(wait)])
            }
            guard try users.authenticate(email: email, password: fields["current"] ?? "") != nil else {
                throttle.failed(email: email, ip: request.remoteAddress)
                return try settingsPage(session, tenant, Self.errors([.init("current", "is not your password")]), status: 422)
            }
            do {
                // Every session of the user ends, this one included; a new one starts here.
                let user = try users.resetPassword(email: email, to: fields["password"] ?? "")
                return try await signIn(user, request, to: "/admin/settings?tenant=\(tenant.name)&notice=password")
            } catch CoreError.invalid(let problems) {
                return try settingsPage(session, tenant, Self.errors(problems), status: 422)
            }
        }
    }

    static let settingsNotices = ["exchange": "Saved: leads and auctions from now on follow these rules.",
                                  "calling": "Saved: calls placed from now on follow these settings.",
                                  "password": "Password changed. Every other session of your account has ended."]

    func settingsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/settings")) { $1 }
        if values["exchange"] == nil {
            let dedup = try tenants.dedupRule(tenantID: tenant.id), rules = try tenants.exchangeRules(tenantID: tenant.id)
            var draft = ["dedup_window_days": String(dedup.windowDays), "floor": Self.plainDollars(rules.floorPriceCents),
                         "auction_deadline_ms": String(rules.auctionDeadlineMs)]
            if dedup.byEmail { draft["dedup_by_email"] = "on" }
            if rules.tryNextBid { draft["try_next_bid"] = "on" }
            values["exchange"] = Self.exchangeFormValues(draft)
        }
        if values["calling"] == nil {
            let settings = try calls.settings(tenantID: tenant.id)
            values["calling"] = Self.tenantCallingValues(Self.callingDraft(settings, enabled: settings.enabled))
        }
        values["provider"] = calls.provider?.name ?? "none (calls are not placed)"
        values["serverPaused"] = try Dialer.isPaused(store)
        values["email"] = session.user.email
        values["isOperator"] = session.user.role == .operator
        values["minimum"] = AdminUsers.minimumPasswordLength
        return pages.render("settings", title: "Settings", viewer: viewer(session), values, status: status)
    }

    static func exchangeFormValues(_ draft: [String: String]) -> [String: Any] {
        var values: [String: Any] = draft.filter { !$0.value.isEmpty }
        values["byEmail"] = draft["dedup_by_email"] == "on"
        values["tryNext"] = draft["try_next_bid"] == "on"
        values["formAction"] = "/admin/settings/exchange"
        return values
    }

    static func tenantCallingValues(_ draft: [String: String]) -> [String: Any] {
        var values: [String: Any] = draft.filter { !$0.value.isEmpty }
        values.merge(callingFormValues(draft, label: "Call leads that arrive without a calling campaign (the lead2inbound flow) and transfer live ones")) { $1 }
        values["formAction"] = "/admin/settings/calling"
        return values
    }
}

extension Templates {
    static let settings = """
        {{<layout}}
        {{$content}}
        <h1>Settings</h1>
        {{>pageHead}}
        <section class="card">
          <h2>More settings</h2>
          <ul class="toc">
            <li><a href="/admin/keys">API keys</a></li>
            <li><a href="/admin/domains">Sending domains</a></li>
            <li><a href="/admin/destinations?tenant={{tenant}}">Destinations</a></li>
            <li><a href="/admin/calls?tenant={{tenant}}#postbacks">Revenue postbacks</a></li>
            <li><a href="/admin/compliance">Compliance rules and DNC</a></li>
            <li><a href="/admin/audit">Audit log</a></li>
            {{#isOperator}}<li><a href="/admin/backups">Backups</a></li>{{/isOperator}}
            <li><a href="/admin/simulator">Simulator</a></li>
            <li><a href="/admin/api">API reference</a></li>
          </ul>
        </section>
        <section class="card">
          <h2>Leads and auctions</h2>
          {{#exchange}}
          {{>settingsFormOpen}}
            <div class="form-grid">
              <fieldset>
                <legend>Duplicates</legend>
                <label for="s-dedup">Days within which the same phone is the same person (0: no dedup)</label>
                <input id="s-dedup" name="dedup_window_days" type="text" inputmode="numeric" value="{{dedup_window_days}}">
                <label class="check"><input type="checkbox" name="dedup_by_email"{{#byEmail}} checked{{/byEmail}}> The same email is the same person too</label>
                <p class="scope">A campaign's own window wins for its leads.</p>
              </fieldset>
              <fieldset>
                <legend>Auctions</legend>
                <label for="s-floor">Floor price (dollars; bids under it are dropped; a campaign's own floor wins)</label>
                <input id="s-floor" name="floor" type="text" inputmode="decimal" value="{{floor}}">
                <label for="s-deadline">How long a ping waits for live bids (ms, 50–30000)</label>
                <input id="s-deadline" name="auction_deadline_ms" type="text" inputmode="numeric" value="{{auction_deadline_ms}}">
                <label class="check"><input type="checkbox" name="try_next_bid"{{#tryNext}} checked{{/tryNext}}> When the winner rejects a lead on post, offer it to the next bid</label>
              </fieldset>
            </div>
            <button type="submit">Save</button>
            </fieldset>
          </form>
          {{/exchange}}
        </section>
        <section class="card">
          <h2>Calling</h2>
          <p class="scope">Voice provider: {{provider}}.{{#serverPaused}} <strong class="error">Calling is paused for the whole server (<code>leadline dialer resume</code>).</strong>{{/serverPaused}} Campaigns that call their leads have these settings on their own pages.</p>
          {{#calling}}
          {{>settingsFormOpen}}
            {{>callingFields}}
            <button type="submit">Save</button>
            </fieldset>
          </form>
          {{/calling}}
        </section>
        <section class="card">
          <h2>Your account</h2>
          <p>Signed in as <strong>{{email}}</strong>.</p>
          <form method="post" action="/admin/settings/password" class="narrow-form">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <input type="text" name="username" value="{{email}}" autocomplete="username" hidden>
            <label for="s-current">Current password</label>
            <input id="s-current" name="current" type="password" autocomplete="current-password" required>
            <label for="s-new">New password (at least {{minimum}} characters)</label>
            <input id="s-new" name="password" type="password" autocomplete="new-password" required>
            <button type="submit">Change password</button>
          </form>
          <form method="post" action="/admin/logout?everywhere=1">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <button type="submit" class="secondary" title="End every session of this account, on every device">Sign out everywhere</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """
}
