import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/billing/invoices`: each buyer's months as billed (months that ended are closed when the page is opened),
/// and recording an invoice as paid, which credits the payment to the buyer's account.
extension Console {
    func registerInvoices(_ router: inout Router) {
        addPage(&router, .GET, "/admin/billing/invoices") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values = try pageBasics(session, tenant, path: "/admin/billing/invoices")
            values["notice"] = request.query["notice"] == "paid" ? "Invoice paid: the payment is credited to the buyer's account." : nil
            let names = Dictionary(try buyers.all(tenantID: tenant.id).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            values["invoices"] = try await billing.invoices(tenantID: tenant.id, buyerID: nil).map { invoice -> [String: Any] in
                ["id": invoice.id, "period": invoice.period, "buyer": names[invoice.buyerID] ?? invoice.buyerID, "leads": invoice.leads,
                 "charges": Self.dollars(invoice.chargesCents), "credits": Self.dollars(invoice.creditsCents),
                 "amount": Self.signedDollars(invoice.amountCents), "status": invoice.status.rawValue, "paidAt": invoice.paidAt ?? "",
                 "payable": invoice.status == .open && invoice.amountCents > 0]
            }
            return pages.render("invoices", title: "Invoices", viewer: viewer(session), values)
        }

        addPage(&router, .POST, "/admin/billing/invoices/{id}/paid", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, _, tenant) = try await changeRequest(request)
            _ = try await billing.markPaid(tenantID: tenant.id, invoiceID: try request.parameter("id"), actor: "console:\(session.user.email)")
            return Pages.redirect("/admin/billing/invoices?tenant=\(tenant.name)&notice=paid")
        }
    }
}

extension Templates {
    static let invoices = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/billing?tenant={{tenant}}">← Billing</a></p>
        <h1>Invoices</h1>
        {{>pageHead}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Month</th><th scope="col">Buyer</th><th scope="col">Leads</th><th scope="col">Charges</th><th scope="col">Credits</th><th scope="col">Amount</th><th scope="col">Status</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#invoices}}<tr><td>{{period}}</td><th scope="row">{{buyer}}<br><small>{{id}}</small></th><td>{{leads}}</td><td>{{charges}}</td><td>{{credits}}</td><td>{{amount}}</td><td>{{status}} {{paidAt}}</td>
              {{#canChange}}<td>{{#payable}}<details class="confirm"><summary>Mark paid…</summary><form method="post" action="/admin/billing/invoices/{{id}}/paid"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><p>Records {{amount}} received from {{buyer}}.</p><button type="submit">Mark {{period}} paid</button></form></details>{{/payable}}</td>{{/canChange}}</tr>
            {{/invoices}}
            {{^invoices}}<tr><td colspan="8">No invoices yet: a buyer's month is invoiced when it ends.</td></tr>{{/invoices}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
