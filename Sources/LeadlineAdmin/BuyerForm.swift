import Foundation
import HTTPServer
import LeadlineCore

/// The buyer form, one for adding (Buyers page) and editing (a buyer's page): who it is, how it bids (a fixed price,
/// or live through its ping URL with a timeout and a ceiling), what it buys, its caps and budget, its hours, where
/// sold leads go, and how it is billed. The form is read into the same `BuyerInput` the API's JSON is, so every check
/// is the core's.
extension Console {
    /// The form as the core's input (blank fields clear their setting; see `FormReader`), checked as a whole: when a
    /// field cannot be read, the refusal lists it with everything the core finds wrong in the rest. `buyerID` is the
    /// buyer edited; nil when adding one.
    func buyerInput(_ form: FormBody, tenantID: String, buyerID: String?) throws -> BuyerInput {
        let (input, read) = Self.buyerInput(form)
        if let refusal = try read.refusal(adding: { try buyers.problems(tenantID: tenantID, buyerID: buyerID, input) }) { throw refusal }
        return input
    }

    private static func buyerInput(_ form: FormBody) -> (BuyerInput, FormReader) {
        var read = FormReader(form)
        var input = BuyerInput()
        input.name = .value(read.raw("name") ?? "")
        input.bidCents = read.cents("bid", setting: "bid_cents")
        input.maxPriceCents = read.cents("max_price", setting: "max_price_cents")
        input.pingUrl = read.text("ping_url")
        input.timeoutMs = read.whole("timeout_ms")
        input.responseParsing = read.json("response_parsing", as: ResponseRule.self, what: "a response rule as JSON")
        input.exclusivity = read.text("exclusivity")
        input.campaignTypes = read.list("campaign_types")
        input.states = read.list("states", uppercased: true)
        input.zipCodes = read.list("zip_codes")
        input.maxLeadsPerHour = read.whole("max_leads_per_hour")
        input.maxLeadsPerDay = read.whole("max_leads_per_day")
        input.maxLeadsPerWeek = read.whole("max_leads_per_week")
        input.maxLeadsPerMonth = read.whole("max_leads_per_month")
        input.monthlyBudgetCents = read.cents("monthly_budget", setting: "monthly_budget_cents")
        input.timezone = read.text("timezone")
        input.hoursOfOperation = weeklyHours(&read, closedEverywhere: "pause the buyer to stop it buying")
        input.postUrl = read.text("post_url")
        input.webhookUrl = read.text("webhook_url")
        if case .value(let secret) = read.text("webhook_secret") {
            input.webhookSecret = .value(secret)
        } else if read.ticked("clear_webhook_secret") {
            input.webhookSecret = .null
        }
        input.billing = read.text("billing")
        input.creditLimitCents = read.cents("credit_limit", setting: "credit_limit_cents")
        input.returnCapPercent = read.whole("return_cap_percent")
        input.autoApproveReturns = .value(read.ticked("auto_approve_returns"))
        return (input, read)
    }

    /// A stored buyer as the form's values.
    static func buyerDraft(_ buyer: Buyer) -> [String: String] {
        let s = buyer.settings
        var draft: [String: String] = ["name": buyer.name, "exclusivity": s.exclusivity.rawValue, "timezone": s.timezone,
                                       "timeout_ms": String(s.timeoutMs), "billing": s.billingMode.rawValue,
                                       "campaign_types": s.campaignTypes.joined(separator: " "), "states": s.states.joined(separator: " "),
                                       "zip_codes": s.zipCodes.joined(separator: " ")]
        let amounts: [(String, Int?)] = [("bid", s.bidCents), ("max_price", s.maxPriceCents), ("monthly_budget", s.monthlyBudgetCents),
                                         ("credit_limit", s.creditLimitCents)]
        for (name, cents) in amounts { draft[name] = cents.map(plainDollars) }
        let numbers: [(String, Int?)] = [("max_leads_per_hour", s.maxLeadsPerHour), ("max_leads_per_day", s.maxLeadsPerDay),
                                         ("max_leads_per_week", s.maxLeadsPerWeek), ("max_leads_per_month", s.maxLeadsPerMonth),
                                         ("return_cap_percent", s.returnCapPercent)]
        for (name, number) in numbers { draft[name] = number.map(String.init) }
        draft["ping_url"] = s.pingUrl
        draft["response_parsing"] = s.responseParsing.flatMap { rule in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(rule)).map { String(decoding: $0, as: UTF8.self) }
        }
        draft["post_url"] = s.postUrl
        draft["webhook_url"] = s.webhookUrl
        if s.autoApproveReturns ?? true { draft["auto_approve_returns"] = "on" }
        draft.merge(weeklyHoursDraft(s.hoursOfOperation)) { $1 }
        return draft
    }

    /// What the form's template needs from its values: the text fields as they are, the choices marked, and the
    /// week's rows.
    static func buyerFormValues(_ draft: [String: String]) -> [String: Any] {
        var values: [String: Any] = draft.filter { !$0.value.isEmpty }
        values["exclusive"] = draft["exclusivity"] == "exclusive"
        values["prepaid"] = draft["billing"] == "prepaid"
        values["autoApprove"] = draft["auto_approve_returns"] == "on"
        values.merge(weeklyHoursValues(draft)) { $1 }
        return values
    }

    /// The posted form's own values, to show again after a refusal; several values of one name (ticked boxes) are
    /// joined by spaces.
    static func draft(_ form: FormBody) -> [String: String] {
        Dictionary(form.fields.filter { $0.name != "_csrf" && $0.name != "webhook_secret" }.map { ($0.name, $0.value) },
                   uniquingKeysWith: { first, next in first + " " + next })
    }

    /// Cents as the dollars a form field holds: `35.00`.
    static func plainDollars(_ cents: Int) -> String { String(format: "%d.%02d", cents / 100, cents % 100) }
}

extension Templates {
    /// The buyer form's fields, rendered in the buyer's values (`{{#draft}}`); the page gives `formAction` and
    /// `submitLabel`.
    static let buyerForm = """
        {{>settingsFormOpen}}
          <div class="form-grid">
          <fieldset>
            <legend>Buyer</legend>
            <label for="b-name">Name</label>
            <input id="b-name" name="name" type="text" required maxlength="200" value="{{name}}">
            <label for="b-types">Lead types it buys (blank: all)</label>
            <input id="b-types" name="campaign_types" type="text" value="{{campaign_types}}" placeholder="legal_pi solar">
            <label for="b-states">States (blank: all)</label>
            <input id="b-states" name="states" type="text" value="{{states}}" placeholder="NV TX">
            <label for="b-zips">Zip codes or 3-digit prefixes (blank: all)</label>
            <input id="b-zips" name="zip_codes" type="text" value="{{zip_codes}}" placeholder="89101 891">
            <label for="b-exclusivity">Buys leads</label>
            <select id="b-exclusivity" name="exclusivity">
              <option value="shared"{{^exclusive}} selected{{/exclusive}}>shared (others may buy the same lead)</option>
              <option value="exclusive"{{#exclusive}} selected{{/exclusive}}>exclusive (no one else gets it)</option>
            </select>
          </fieldset>
          <fieldset>
            <legend>Bidding</legend>
            <label for="b-bid">Fixed bid per lead (dollars; with a ping URL, the price when its answer names none)</label>
            <input id="b-bid" name="bid" type="text" inputmode="decimal" value="{{bid}}">
            <label for="b-ping">Ping URL (live bids; blank: it always bids the fixed price)</label>
            <input id="b-ping" name="ping_url" type="text" inputmode="url" value="{{ping_url}}">
            <label for="b-timeout">Ping and post timeout (ms, 50–10000)</label>
            <input id="b-timeout" name="timeout_ms" type="text" inputmode="numeric" value="{{timeout_ms}}" placeholder="500">
            <label for="b-max">Highest price it may bid (dollars; blank: none)</label>
            <input id="b-max" name="max_price" type="text" inputmode="decimal" value="{{max_price}}">
            <label for="b-rule">How its answers are read (a response rule as JSON, see the README; blank: <code>{"accepted": true, "price_cents": …}</code>)</label>
            <textarea id="b-rule" name="response_parsing" rows="3" spellcheck="false" class="code" placeholder='{"type":"json_path","accept_path":"result.status","accept_values":["accepted"],"price_path":"result.price"}'>{{response_parsing}}</textarea>
          </fieldset>
          <fieldset>
            <legend>Caps and budget</legend>
            <label for="b-hour">Most leads an hour</label>
            <input id="b-hour" name="max_leads_per_hour" type="text" inputmode="numeric" value="{{max_leads_per_hour}}">
            <label for="b-daily">Most leads a day</label>
            <input id="b-daily" name="max_leads_per_day" type="text" inputmode="numeric" value="{{max_leads_per_day}}">
            <label for="b-week">Most leads a week</label>
            <input id="b-week" name="max_leads_per_week" type="text" inputmode="numeric" value="{{max_leads_per_week}}">
            <label for="b-month">Most leads a month</label>
            <input id="b-month" name="max_leads_per_month" type="text" inputmode="numeric" value="{{max_leads_per_month}}">
            <label for="b-budget">Monthly budget (dollars)</label>
            <input id="b-budget" name="monthly_budget" type="text" inputmode="decimal" value="{{monthly_budget}}">
            <p class="scope">Blank: no cap. Caps count in the buyer's time zone.</p>
          </fieldset>
          <fieldset>
            <legend>Hours it buys</legend>
            {{>weeklyHoursFields}}
          </fieldset>
          <fieldset>
            <legend>Delivery of sold leads</legend>
            <label for="b-post">Post URL</label>
            <input id="b-post" name="post_url" type="text" inputmode="url" value="{{post_url}}">
            <label for="b-webhook">Or a webhook URL</label>
            <input id="b-webhook" name="webhook_url" type="text" inputmode="url" value="{{webhook_url}}">
            {{>webhookSecretFields}}
          </fieldset>
          <fieldset>
            <legend>Billing and returns</legend>
            <label for="b-billing">Pays</label>
            <select id="b-billing" name="billing">
              <option value="invoice"{{^prepaid}} selected{{/prepaid}}>by monthly invoice</option>
              <option value="prepaid"{{#prepaid}} selected{{/prepaid}}>in advance (buys while its balance covers the price)</option>
            </select>
            <label for="b-credit">Credit limit for invoiced buyers (dollars; blank: none)</label>
            <input id="b-credit" name="credit_limit" type="text" inputmode="decimal" value="{{credit_limit}}">
            <label for="b-returns">Returns allowed a month (% of leads bought; blank: no cap)</label>
            <input id="b-returns" name="return_cap_percent" type="text" inputmode="numeric" value="{{return_cap_percent}}">
            <label class="check"><input type="checkbox" name="auto_approve_returns"{{#autoApprove}} checked{{/autoApprove}}> Approve its returns automatically (otherwise they wait in Billing)</label>
          </fieldset>
          </div>
          <button type="submit">{{submitLabel}}</button>
          </fieldset>
        </form>
        """
}
