import Foundation
import HTTPServer
import LeadlineCore

/// The campaign form, for adding one (Campaigns page) and editing one (its page): the lead type and where it sells,
/// the floor, budget and daily limit, how many buyers share a lead, returns and dedup, the delivery webhook, and
/// whether its leads are called and transferred instead of auctioned (with the calling limits and the call script).
/// It is read into the API's `CampaignInput`, so every check is the core's.
extension Console {
    /// The form as the core's input, checked as a whole (see `buyerInput`); `campaign` is the one edited, nil when
    /// adding one.
    func campaignInput(_ form: FormBody, tenantID: String, campaign: Campaign?) throws -> CampaignInput {
        let (input, read) = Self.campaignInput(form, current: campaign)
        if let refusal = try read.refusal(adding: { try campaigns.problems(tenantID: tenantID, campaignID: campaign?.id, input) }) { throw refusal }
        return input
    }

    private static func campaignInput(_ form: FormBody, current: Campaign?) -> (CampaignInput, FormReader) {
        var read = FormReader(form)
        var input = CampaignInput()
        input.name = .value(read.raw("name") ?? "")
        input.campaignType = read.text("campaign_type")
        input.states = read.list("states", uppercased: true)
        input.floorPriceCents = read.cents("floor", setting: "floor_price_cents")
        input.budgetCents = read.cents("budget", setting: "budget_cents")
        input.maxLeadsPerDay = read.whole("max_leads_per_day")
        input.maxBuyersPerLead = read.whole("max_buyers_per_lead")
        input.returnWindowDays = read.whole("return_window_days")
        input.dedupWindowDays = read.whole("dedup_window_days")
        input.timezone = read.text("timezone")
        input.deliveryWebhook = read.text("delivery_webhook")
        if case .value(let secret) = read.text("webhook_secret") {
            input.webhookSecret = .value(secret)
        } else if read.ticked("clear_webhook_secret") {
            input.webhookSecret = .null
        }
        input.calling = calling(&read, current: current?.settings.calling)
        return (input, read)
    }

    /// The calling fieldset: ticked, the campaign's leads are called; unticked, they are auctioned, and settings it
    /// had are kept switched off (so ticking it again brings them back).
    private static func calling(_ read: inout FormReader, current: CallSettings?) -> Patch<CallSettings> {
        guard read.raw("calling") != nil else { return .absent }
        if !read.ticked("calls") && current == nil { return .null }
        return .value(callSettings(&read, current: current))
    }

    /// A stored campaign as the form's values.
    static func campaignDraft(_ campaign: Campaign) -> [String: String] {
        campaignDraft(name: campaign.name, type: campaign.campaignType, settings: campaign.settings)
    }

    /// The form's values for a new campaign: the defaults the core would use.
    static func newCampaignDraft() -> [String: String] {
        campaignDraft(name: nil, type: nil, settings: Campaign.Settings())
    }

    private static func campaignDraft(name: String?, type: String?, settings s: Campaign.Settings) -> [String: String] {
        var draft: [String: String] = ["states": s.states.joined(separator: " "),
                                       "max_buyers_per_lead": String(s.maxBuyersPerLead), "return_window_days": String(s.returnWindowDays),
                                       "timezone": s.timezone]
        draft["name"] = name
        draft["campaign_type"] = type
        draft["floor"] = s.floorPriceCents.map(plainDollars)
        draft["budget"] = s.budgetCents.map(plainDollars)
        draft["max_leads_per_day"] = s.maxLeadsPerDay.map(String.init)
        draft["dedup_window_days"] = s.dedupWindowDays.map(String.init)
        draft["delivery_webhook"] = s.deliveryWebhook
        draft.merge(callingDraft(s.calling ?? CallSettings(), enabled: s.calls)) { $1 }
        return draft
    }

    static func campaignFormValues(_ draft: [String: String]) -> [String: Any] {
        var values: [String: Any] = draft.filter { !$0.value.isEmpty }
        values.merge(callingFormValues(draft, label: "Call its leads with the AI agent and transfer live ones, instead of auctioning them")) { $1 }
        values["zones"] = zoneChoices(selected: draft["timezone"])
        return values
    }
}

extension Templates {
    /// The campaign form's fields, rendered in the campaign's values (`{{#draft}}`); the page gives `formAction`,
    /// `submitLabel`, and `signed` when its webhooks are signed.
    static let campaignForm = """
        {{>settingsFormOpen}}
          <div class="form-grid">
          <fieldset>
            <legend>Campaign</legend>
            <label for="c-name">Name</label>
            <input id="c-name" name="name" type="text" required maxlength="200" value="{{name}}">
            <label for="c-type">Lead type (letters, digits, _ and -)</label>
            <input id="c-type" name="campaign_type" type="text" required maxlength="64" value="{{campaign_type}}" placeholder="legal_pi">
            <label for="c-states">States it sells in (blank: all)</label>
            <input id="c-states" name="states" type="text" value="{{states}}" placeholder="NV TX">
            <label for="c-zone">Time zone (its daily limit counts in it)</label>
            <select id="c-zone" name="timezone">{{#zones}}<option value="{{zone}}"{{#selected}} selected{{/selected}}>{{zone}}</option>{{/zones}}</select>
          </fieldset>
          <fieldset>
            <legend>Selling</legend>
            <label for="c-floor">Floor price (dollars; blank: the tenant's)</label>
            <input id="c-floor" name="floor" type="text" inputmode="decimal" value="{{floor}}">
            <label for="c-budget">Budget, all time (dollars; blank: none)</label>
            <input id="c-budget" name="budget" type="text" inputmode="decimal" value="{{budget}}">
            <label for="c-daily">Most leads sold a day (blank: no limit)</label>
            <input id="c-daily" name="max_leads_per_day" type="text" inputmode="numeric" value="{{max_leads_per_day}}">
            <label for="c-share">Buyers each lead may be sold to (1–20)</label>
            <input id="c-share" name="max_buyers_per_lead" type="text" inputmode="numeric" value="{{max_buyers_per_lead}}">
          </fieldset>
          <fieldset>
            <legend>Returns, duplicates and delivery</legend>
            <label for="c-returns">Days a buyer has to return a lead</label>
            <input id="c-returns" name="return_window_days" type="text" inputmode="numeric" value="{{return_window_days}}">
            <label for="c-dedup">Days within which the same person is a duplicate (blank: the tenant's rule)</label>
            <input id="c-dedup" name="dedup_window_days" type="text" inputmode="numeric" value="{{dedup_window_days}}">
            <label for="c-webhook">Also post every sold lead to (your CRM's URL; blank: nowhere)</label>
            <input id="c-webhook" name="delivery_webhook" type="text" inputmode="url" value="{{delivery_webhook}}">
            {{>webhookSecretFields}}
          </fieldset>
          {{>callingFields}}
          </div>
          <button type="submit">{{submitLabel}}</button>
          </fieldset>
        </form>
        """
}
