import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/destinations`: the phone lines live calls are warm-transferred to, each with what it took today; pausing and
/// resuming; adding one, and editing one on its page: its number, the buyer it belongs to, the campaigns and states it
/// takes, its hours, how many transfers at once and a day, and the price of a transfer (blank: paid by postback).
/// Deleting takes a line out of use; its row stays for the transfers made to it.
extension Console {
    func registerDestinations(_ router: inout Router) {
        addSettingsForms(&router, SettingsForms(
            path: "/admin/destinations", notices: Self.destinationNotices,
            load: { [destinations] in try destinations.destination(tenantID: $0, destinationID: $1) }, id: \.id,
            stored: Self.destinationDraft, formValues: Self.destinationFormValues,
            create: { [self] tenantID, fields in
                try await destinations.create(tenantID: tenantID, try destinationInput(fields, tenantID: tenantID, destinationID: nil)).id
            },
            update: { [self] tenantID, destination, fields in
                _ = try await destinations.update(tenantID: tenantID, destinationID: destination.id,
                                                  try destinationInput(fields, tenantID: tenantID, destinationID: destination.id))
            },
            delete: { [destinations] tenantID, destination in try await destinations.delete(tenantID: tenantID, destinationID: destination.id) },
            setStatus: { [destinations] tenantID, id, status in
                var input = DestinationInput()
                input.status = .value(status)
                return try await destinations.update(tenantID: tenantID, destinationID: id, input).status == .active
            },
            listPage: { [self] in try destinationsPage($0, $1, $2, status: $3) },
            page: { [self] in try destinationPage($0, $1, $2, $3, status: $4) }))
    }

    static let destinationNotices = ["paused": "Line paused: no transfers go to it until it is resumed.", "resumed": "Line active again.",
                                     "added": "Line added: live calls of its campaigns and states can be transferred to it.",
                                     "saved": "Saved: the next transfer uses these settings.", "deleted": "Line deleted."]

    /// The form as the core's input, checked as a whole (see `buyerInput`).
    func destinationInput(_ form: FormBody, tenantID: String, destinationID: String?) throws -> DestinationInput {
        var read = FormReader(form)
        var input = DestinationInput()
        input.name = .value(read.raw("name") ?? "")
        input.phone = .value(read.raw("phone") ?? "")
        input.buyerID = read.text("buyer_id")
        input.states = read.list("states", uppercased: true)
        if read.raw("campaigns") != nil { input.campaignIDs = .value(form.values("campaign_ids")) }
        input.priceCents = read.cents("price", setting: "price_cents")
        input.minDurationSeconds = read.whole("min_duration_seconds")
        input.maxConcurrentTransfers = read.whole("max_concurrent_transfers")
        input.maxTransfersPerDay = read.whole("max_transfers_per_day")
        input.timezone = read.text("timezone")
        input.hoursOfOperation = Self.weeklyHours(&read, closedEverywhere: "pause the line to stop transfers")
        let checked = input
        if let refusal = try read.refusal(adding: { try destinations.problems(tenantID: tenantID, destinationID: destinationID, checked) }) {
            throw refusal
        }
        return input
    }

    static func destinationDraft(_ destination: Destination) -> [String: String] {
        let s = destination.settings
        var draft = ["name": destination.name, "phone": destination.phone, "states": s.states.joined(separator: " "), "timezone": s.timezone,
                     "campaign_ids": s.campaignIDs.joined(separator: " ")]
        draft["buyer_id"] = destination.buyerID
        draft["price"] = s.priceCents.map(plainDollars)
        draft["min_duration_seconds"] = s.minDurationSeconds.map(String.init)
        draft["max_concurrent_transfers"] = s.maxConcurrentTransfers.map(String.init)
        draft["max_transfers_per_day"] = s.maxTransfersPerDay.map(String.init)
        draft.merge(weeklyHoursDraft(s.hoursOfOperation)) { $1 }
        return draft
    }

    static func destinationFormValues(_ draft: [String: String]) -> [String: Any] {
        var values: [String: Any] = draft.filter { !$0.value.isEmpty }
        values.merge(weeklyHoursValues(draft)) { $1 }
        values["chosenCampaigns"] = draft["campaign_ids"] ?? ""
        values["chosenBuyer"] = draft["buyer_id"] ?? ""
        return values
    }

    /// The buyers and campaigns a line's form offers, the ones chosen in `values` marked.
    func destinationChoices(_ tenant: Tenant, _ values: inout [String: Any]) throws {
        guard var draft = values["draft"] as? [String: Any] else { return }
        let chosen = Set(((draft["chosenCampaigns"] as? String) ?? "").split(separator: " ").map(String.init))
        let buyer = draft["chosenBuyer"] as? String ?? ""
        draft["campaignChoices"] = try campaigns.all(tenantID: tenant.id).map { ["id": $0.id, "name": $0.name, "chosen": chosen.contains($0.id)] }
        draft["buyerChoices"] = try buyers.all(tenantID: tenant.id).map { ["id": $0.id, "name": $0.name, "chosen": $0.id == buyer] }
        values["draft"] = draft
    }

    func destinationsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/destinations")) { $1 }
        if values["draft"] == nil { values["draft"] = Self.destinationFormValues(Self.weeklyHoursDraft(nil)) }
        try destinationChoices(tenant, &values)
        values["formAction"] = "/admin/destinations"
        values["submitLabel"] = "Add line"
        let all = try destinations.all(tenantID: tenant.id)
        let usage = try destinations.usage(all)
        values["lines"] = all.map { destination -> [String: Any] in
            let u = usage[destination.id] ?? DestinationUsage()
            var row: [String: Any] = [
                "id": destination.id, "name": destination.name, "phone": destination.phone, "status": destination.status.rawValue,
                "price": destination.settings.priceCents.map(Self.dollars) ?? "by postback", "live": u.live, "today": u.today,
                "limit": destination.settings.maxTransfersPerDay.map { "\(u.today) of \($0)" } ?? "\(u.today)",
                "transfers": u.transfers, "revenue": Self.dollars(u.revenueCents),
            ]
            row.merge(Self.toggle(active: destination.status == .active)) { $1 }
            return row
        }
        return pages.render("destinations", title: "Destinations", viewer: viewer(session), values, status: status)
    }

    func destinationPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ destination: Destination, _ extra: [String: Any],
                         status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/destinations")) { $1 }
        try destinationChoices(tenant, &values)
        var summary: [String: Any] = ["id": destination.id, "status": destination.status.rawValue, "phone": destination.phone,
                                      "createdAt": destination.createdAt, "updatedAt": destination.updatedAt]
        summary.merge(Self.toggle(active: destination.status == .active)) { $1 }
        values["line"] = summary
        values["formAction"] = "/admin/destinations/\(destination.id)"
        values["submitLabel"] = "Save changes"
        return pages.render("destination", title: destination.name, viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let destinationForm = """
        {{>settingsFormOpen}}
          <input type="hidden" name="campaigns" value="1">
          <div class="form-grid">
          <fieldset>
            <legend>Line</legend>
            <label for="d-name">Name</label>
            <input id="d-name" name="name" type="text" required maxlength="200" value="{{name}}">
            <label for="d-phone">Phone number</label>
            <input id="d-phone" name="phone" type="text" inputmode="tel" required value="{{phone}}">
            <label for="d-buyer">The buyer it belongs to</label>
            <select id="d-buyer" name="buyer_id"><option value="">(none)</option>{{#buyerChoices}}<option value="{{id}}"{{#chosen}} selected{{/chosen}}>{{name}}</option>{{/buyerChoices}}</select>
          </fieldset>
          <fieldset>
            <legend>What it takes</legend>
            <p class="scope">Campaigns whose calls it takes (none ticked: every calling campaign)</p>
            {{#campaignChoices}}<label class="check"><input type="checkbox" name="campaign_ids" value="{{id}}"{{#chosen}} checked{{/chosen}}> {{name}}</label>{{/campaignChoices}}
            {{^campaignChoices}}<p class="scope">No campaigns yet.</p>{{/campaignChoices}}
            <label for="d-states">States (blank: all)</label>
            <input id="d-states" name="states" type="text" value="{{states}}" placeholder="TX OK">
            <label for="d-concurrent">Transfers at once (blank: no limit)</label>
            <input id="d-concurrent" name="max_concurrent_transfers" type="text" inputmode="numeric" value="{{max_concurrent_transfers}}">
            <label for="d-daily">Transfers a day (blank: no limit)</label>
            <input id="d-daily" name="max_transfers_per_day" type="text" inputmode="numeric" value="{{max_transfers_per_day}}">
          </fieldset>
          <fieldset>
            <legend>Pay</legend>
            <label for="d-price">Price of a transfer (dollars; blank: paid by the call platform's postback)</label>
            <input id="d-price" name="price" type="text" inputmode="decimal" value="{{price}}">
            <label for="d-duration">Shortest call that is paid (seconds)</label>
            <input id="d-duration" name="min_duration_seconds" type="text" inputmode="numeric" value="{{min_duration_seconds}}">
          </fieldset>
          <fieldset>
            <legend>Hours it answers</legend>
            {{>weeklyHoursFields}}
          </fieldset>
          </div>
          <button type="submit">{{submitLabel}}</button>
          </fieldset>
        </form>
        """

    static let destinations = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/calls?tenant={{tenant}}">← Calls</a></p>
        <h1>Destinations</h1>
        {{>pageHead}}
        <section class="card">
          <table class="dense numbers">
            <thead><tr><th scope="col">Line</th><th scope="col">Phone</th><th scope="col">Status</th><th scope="col">Price</th><th scope="col">Live now</th><th scope="col">Today</th><th scope="col">Transfers</th><th scope="col">Revenue</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#lines}}<tr><th scope="row"><a href="/admin/destinations/{{id}}?tenant={{tenant}}">{{name}}</a></th><td>{{phone}}</td><td>{{status}}</td><td>{{price}}</td><td>{{live}}</td><td>{{limit}}</td><td>{{transfers}}</td><td>{{revenue}}</td>
              {{#canChange}}<td><form method="post" action="/admin/destinations/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form></td>{{/canChange}}</tr>
            {{/lines}}
            {{^lines}}<tr><td colspan="9">No lines yet: add the phone lines live calls are transferred to.</td></tr>{{/lines}}
            </tbody>
          </table>
        </section>
        {{#canChange}}
        <section class="card">
          <h2>Add a line</h2>
          {{#draft}}{{>destinationForm}}{{/draft}}
        </section>
        {{/canChange}}
        {{/content}}
        {{/layout}}
        """

    static let destination = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/destinations?tenant={{tenant}}">← Destinations</a></p>
        <h1>{{title}} {{#line}}<span class="status">{{status}}</span>{{/line}}</h1>
        {{>pageHead}}
        {{#line}}
        <section class="card">
          <dl class="facts"><dt>Id</dt><dd><code>{{id}}</code></dd><dt>Phone</dt><dd>{{phone}}</dd><dt>Added</dt><dd>{{createdAt}} (changed {{updatedAt}})</dd></dl>
          {{#canChange}}
          <div class="actions">
            <form method="post" action="/admin/destinations/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form>
          </div>
          <details class="confirm"><summary>Delete…</summary><form method="post" action="/admin/destinations/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}">
            <p>The line stops taking transfers and leaves the list; the transfers made to it keep it.</p><button type="submit" class="danger">Delete this line</button></form></details>
          {{/canChange}}
        </section>
        {{/line}}
        <section class="card">
          <h2>Settings</h2>
          {{^canChange}}<p class="scope">You can see these settings; an admin of the tenant can change them.</p>{{/canChange}}
          {{#draft}}{{>destinationForm}}{{/draft}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
