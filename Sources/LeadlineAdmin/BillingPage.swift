import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/billing`: each buyer's balance and this month's spend, the returns waiting for review (approve: the charge
/// is credited back; deny: it stands, with a reason), adding funds to a buyer's account, and the latest transactions.
/// Every change is a ledger entry made by the same core calls the API uses.
extension Console {
    func registerBilling(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addTenantPage(&router, path: "/admin/billing", notices: Self.billingNotices, render: { [self] in try billingPage($0, $1, $2, status: $3) })

        addPage(&router, .POST, "/admin/billing/returns/{lead}/approve", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                _ = try await billing.approveReturn(tenantID: tenant.id, leadID: try request.parameter("lead"), buyerID: fields["buyer_id"] ?? "",
                                                    actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/billing?tenant=\(tenant.name)&notice=approved")
            } catch CoreError.refused(_, let message) {
                return try billingPage(session, tenant, Self.errors([.init("return", message)]), status: 409)
            }
        }

        addPage(&router, .POST, "/admin/billing/returns/{lead}/deny", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                try await billing.denyReturn(tenantID: tenant.id, leadID: try request.parameter("lead"), buyerID: fields["buyer_id"] ?? "",
                                             reason: fields["reason"], actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/billing?tenant=\(tenant.name)&notice=denied")
            } catch CoreError.invalid(let problems) {
                return try billingPage(session, tenant, Self.errors(problems), status: 422)
            } catch CoreError.refused(_, let message) {
                return try billingPage(session, tenant, Self.errors([.init("return", message)]), status: 409)
            }
        }

        addPage(&router, .POST, "/admin/billing/credits", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                let cents = try Self.cents(fields["amount"], field: "amount")
                _ = try await billing.addCredit(tenantID: tenant.id, buyerID: fields["buyer_id"], amountCents: cents, reason: fields["reason"],
                                                source: fields["source"], actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/billing?tenant=\(tenant.name)&notice=credited")
            } catch CoreError.invalid(let problems) {
                return try billingPage(session, tenant, Self.errors(problems), status: 422)
            }
        }
    }

    static let billingNotices = ["approved": "Return approved: the charge was credited back to the buyer.",
                                 "denied": "Return denied: the charge stands.", "credited": "Funds added to the buyer's account."]

    /// `12.50`, `$1,200`, `7` → cents; nil for a blank field.
    static func cents(_ text: String?, field: String) throws -> Int? {
        let cleaned = (text ?? "").trimmingSpaces.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: ",", with: "")
        guard !cleaned.isEmpty else { return nil }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let dollars = Int(parts[0]), dollars >= 0, dollars < 100_000_000,
              parts.count == 1 || (parts[1].count <= 2 && parts[1].allSatisfy(\.isNumber) && !parts[1].isEmpty) else {
            throw CoreError.invalid([.init(field, "must be an amount in dollars, such as 250 or 99.50")])
        }
        let fraction = parts.count == 2 ? Int(parts[1].count == 1 ? parts[1] + "0" : String(parts[1]))! : 0
        return dollars * 100 + fraction
    }

    func billingPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/billing")) { $1 }
        let all = try buyers.all(tenantID: tenant.id)
        values["buyers"] = try all.map { buyer -> [String: Any] in
            let usage = try billing.usage(tenantID: tenant.id, buyerID: buyer.id, period: nil)
            return ["id": buyer.id, "name": buyer.name, "balance": Self.signedDollars(usage.balanceCents), "owes": usage.balanceCents < 0,
                    "leads": usage.leadsPurchased, "spend": Self.dollars(usage.totalSpendCents), "refunded": Self.dollars(usage.refundedCents)]
        }
        values["buyerChoices"] = all.map { ["id": $0.id, "name": $0.name] }
        values["period"] = BillingPeriod(containing: clock.now).description
        values["returns"] = try billing.pendingReturns(tenantID: tenant.id).map {
            ["leadID": $0.leadID, "buyerID": $0.buyerID, "buyer": $0.buyerName, "price": Self.dollars($0.priceCents), "reason": $0.reason,
             "notes": $0.notes ?? "", "soldAt": $0.soldAt, "requestedAt": $0.requestedAt]
        }
        let after = (extra["after"] as? String).flatMap(TimeCursor.init(token:))
        let transactions = try billing.recentTransactions(tenantID: tenant.id, limit: 50, after: after)
        values["transactions"] = transactions.items.map {
            ["at": $0.createdAt, "kind": $0.kind.rawValue, "buyer": $0.buyerID ?? "", "lead": $0.leadID ?? "",
             "amount": Self.dollars($0.amountCents), "description": $0.description, "reason": $0.reason ?? "", "actor": $0.actor]
        }
        values["olderTransactions"] = transactions.next.map { "/admin/billing?tenant=\(Self.queryEscaped(tenant.name))&after=\(Self.queryEscaped($0.token))" }
        values["continued"] = after != nil
        return pages.render("billing", title: "Billing", viewer: viewer(session), values, status: status)
    }

    static func signedDollars(_ cents: Int) -> String { cents < 0 ? "−" + dollars(-cents) : dollars(cents) }
}

extension Templates {
    static let billing = """
        {{<layout}}
        {{$content}}
        <h1>Billing</h1>
        {{>pageHead}}
        <section class="card">
          <h2>Buyers' accounts <small>({{period}})</small></h2>
          <table class="dense">
            <thead><tr><th scope="col">Buyer</th><th scope="col">Balance</th><th scope="col">Leads this month</th><th scope="col">Spend</th><th scope="col">Credited back</th></tr></thead>
            <tbody>
            {{#buyers}}<tr><th scope="row">{{name}}<br><small>{{id}}</small></th><td{{#owes}} class="error"{{/owes}}>{{balance}}</td><td>{{leads}}</td><td>{{spend}}</td><td>{{refunded}}</td></tr>
            {{/buyers}}
            {{^buyers}}<tr><td colspan="5">No buyers yet.</td></tr>{{/buyers}}
            </tbody>
          </table>
          <p class="scope">A balance below zero is owed by the buyer, invoiced monthly: <a href="/admin/billing/invoices?tenant={{tenant}}">Invoices</a>.</p>
        </section>

        <section class="card">
          <h2>Returns to review</h2>
          <table class="dense">
            <thead><tr><th scope="col">Lead</th><th scope="col">Buyer</th><th scope="col">Price</th><th scope="col">Reason</th><th scope="col">Sold</th><th scope="col">Asked</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#returns}}<tr><td><a href="/admin/leads/{{leadID}}?tenant={{tenant}}"><code>{{leadID}}</code></a></td><td>{{buyer}}</td><td>{{price}}</td><td>{{reason}}{{#notes}}<br><small>{{notes}}</small>{{/notes}}</td><td>{{soldAt}}</td><td>{{requestedAt}}</td>
              {{#canChange}}<td>
                <form class="inline" method="post" action="/admin/billing/returns/{{leadID}}/approve"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="buyer_id" value="{{buyerID}}"><button type="submit">Approve and credit {{price}}</button></form>
                <details class="confirm"><summary>Deny…</summary><form method="post" action="/admin/billing/returns/{{leadID}}/deny"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="buyer_id" value="{{buyerID}}">
                  <label for="deny-{{leadID}}">Why (the buyer is told)</label><input id="deny-{{leadID}}" name="reason" type="text" required maxlength="500"><button type="submit" class="danger">Deny the return</button></form></details>
              </td>{{/canChange}}</tr>
            {{/returns}}
            {{^returns}}<tr><td colspan="7">No returns waiting.</td></tr>{{/returns}}
            </tbody>
          </table>
        </section>

        {{#canChange}}
        <section class="card">
          <h2>Add funds</h2>
          <form method="post" action="/admin/billing/credits">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="c-buyer">Buyer</label>
            <select id="c-buyer" name="buyer_id" required>{{#buyerChoices}}<option value="{{id}}">{{name}}</option>{{/buyerChoices}}</select>
            <label for="c-amount">Amount (dollars)</label>
            <input id="c-amount" name="amount" type="text" inputmode="decimal" required>
            <label for="c-source">Kind</label>
            <select id="c-source" name="source"><option value="payment">Payment received</option><option value="promotional">Promotional credit</option></select>
            <label for="c-reason">Note</label>
            <input id="c-reason" name="reason" type="text" maxlength="500">
            <button type="submit">Add funds</button>
          </form>
        </section>
        {{/canChange}}

        <section class="card">
          <h2>Latest transactions</h2>
          <table class="dense">
            <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Buyer</th><th scope="col">Lead</th><th scope="col">Amount</th><th scope="col">What</th><th scope="col">By</th></tr></thead>
            <tbody>
            {{#transactions}}<tr><td>{{at}}</td><td>{{kind}}</td><td><code>{{buyer}}</code></td><td>{{#lead}}<a href="/admin/leads/{{lead}}?tenant={{tenant}}"><code>{{lead}}</code></a>{{/lead}}</td><td>{{amount}}</td><td>{{description}}{{#reason}}<br><small>{{reason}}</small>{{/reason}}</td><td>{{actor}}</td></tr>
            {{/transactions}}
            {{^transactions}}<tr><td colspan="7">No transactions{{^continued}} yet{{/continued}}.</td></tr>{{/transactions}}
            </tbody>
          </table>
          <p class="pager">{{#continued}}<a href="/admin/billing?tenant={{tenant}}">Newest</a>{{/continued}} {{#olderTransactions}}<a href="{{olderTransactions}}" rel="next">Older transactions</a>{{/olderTransactions}}</p>
        </section>
        {{/content}}
        {{/layout}}
        """
}
