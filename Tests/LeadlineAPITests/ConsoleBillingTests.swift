import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The console's Billing page: balances, the returns queue (approve, deny), adding funds.
@Suite struct ConsoleBillingTests {
    @Test func anAdminApprovesOneReturnDeniesAnotherAndAddsFunds() async throws {
        try await blocking { () throws in
            let market = try Market()
            let buyer = try market.buyer("Careful <Co>", ["bid_cents": 1500, "auto_approve_returns": false])
            let first = try market.sell(to: buyer), second = try market.sell(to: buyer)
            for lead in [first, second] {
                #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(lead)/return", key: market.key, ["reason": "wrong_person"]).status == 200)
            }
            let tenant = try #require(market.app.server.tenants.all().first).id
            let browser = ConsoleClient(app: market.app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/billing")

            let page = try browser.get("/admin/billing", cookie).text
            #expect(page.contains("Careful &lt;Co&gt;") && !page.contains("Careful <Co>"))
            #expect(page.contains("−$30.00"), "two sales of $15 owed")
            #expect(page.contains("/admin/billing/returns/\(first)/approve") && page.contains("/admin/billing/returns/\(second)/deny"))

            // Approve: the charge comes back, once.
            let approved = try browser.post("/admin/billing/returns/\(first)/approve", "_csrf=\(csrf)&buyer_id=\(buyer)", cookie)
            #expect(approved.status == 303)
            #expect(try browser.get(approved.header("Location") ?? "", cookie).text.contains("Return approved"))
            #expect(try market.app.ezleeds("GET", "/api/v1/leads/\(first)", key: market.key).json()["status"] as? String == "returned")
            #expect(try browser.post("/admin/billing/returns/\(first)/approve", "_csrf=\(csrf)&buyer_id=\(buyer)", cookie).status == 409)

            // Deny needs a reason; then the charge stands and the lead's timeline says why.
            #expect(try browser.post("/admin/billing/returns/\(second)/deny", "_csrf=\(csrf)&buyer_id=\(buyer)&reason=", cookie).status == 422)
            #expect(try browser.post("/admin/billing/returns/\(second)/deny", "_csrf=\(csrf)&buyer_id=\(buyer)&reason=Reached+the+consumer", cookie).status == 303)
            let after = try browser.get("/admin/billing", cookie).text
            #expect(after.contains("No returns waiting."))
            #expect(after.contains("−$15.00"), "one sale owed after the credit")
            #expect(try browser.get("/admin/leads/\(second)", cookie).text.contains("return denied"))
            #expect(try browser.post("/admin/billing/returns/\(second)/deny", "_csrf=\(csrf)&buyer_id=\(buyer)&reason=again", cookie).status == 409)

            // Funds in dollars, as a ledger credit.
            #expect(try browser.post("/admin/billing/credits", "_csrf=\(csrf)&buyer_id=\(buyer)&amount=12.5x", cookie).status == 422)
            #expect(try browser.post("/admin/billing/credits", "_csrf=\(csrf)&buyer_id=\(buyer)&amount=%24100.50&source=payment&reason=wire", cookie).status == 303)
            #expect(try market.app.server.billing.balance(tenantID: tenant, buyerID: buyer) == -1500 + 10_050)
            #expect(try market.ledgerProblems().isEmpty)
            // Without the CSRF token, nothing.
            #expect(try browser.post("/admin/billing/credits", "buyer_id=\(buyer)&amount=5", cookie).status == 403)
        }
    }

    @Test func theTransactionsArePagedByKey() async throws {
        try await blocking { () throws in
            let market = try Market()
            let buyer = try market.buyer("Funded", ["bid_cents": 1500])
            let tenant = try #require(market.app.server.tenants.all().first).id
            let browser = ConsoleClient(app: market.app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/billing")
            for dollars in 1...55 {
                let added = try browser.post("/admin/billing/credits", "_csrf=\(csrf)&buyer_id=\(buyer)&amount=\(dollars)&source=payment&reason=top+up+\(dollars)", cookie)
                #expect(added.status == 303)
                market.app.clock.advance(by: 1)
            }
            let first = try browser.get("/admin/billing", cookie).text
            #expect(first.contains("top up 55") && first.contains("top up 6") && !first.contains("top up 5<"), "the newest 50")
            let older = try #require(first.range(of: #"href="(/admin/billing\?tenant=[^"]*&amp;after=[^"]+)" rel="next""#, options: .regularExpression)
                .map { String(first[$0]).components(separatedBy: "\"")[1].replacingOccurrences(of: "&amp;", with: "&") })
            let second = try browser.get(older, cookie).text
            #expect(second.contains("top up 5<") && second.contains("top up 1<") && !second.contains("top up 6<"), "the 5 before them")
            #expect(second.contains(">Newest</a>") && !second.contains("rel=\"next\""))
        }
    }

    @Test func aMonthThatEndedIsInvoicedAndMarkedPaid() async throws {
        try await blocking { () throws in
            let market = try Market()
            let buyer = try market.buyer("Acme Legal", ["bid_cents": 3500])
            _ = try market.sell(to: buyer)
            _ = try market.sell(to: buyer)
            market.app.clock.advance(by: 32 * 86_400)  // the month ends
            let tenant = try market.app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: market.app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/billing/invoices")
            let page = try browser.get("/admin/billing/invoices", cookie).text
            let id = try #require(page.range(of: #"/admin/billing/invoices/inv_[a-z0-9_]+/paid"#, options: .regularExpression).map { String(page[$0]) })
            #expect(page.contains("Acme Legal") && page.contains("$70.00") && page.contains("open"))
            #expect(try market.app.server.billing.balance(tenantID: tenant, buyerID: buyer) == -7000)
            let paid = try browser.post(id, "_csrf=\(csrf)", cookie)
            #expect(paid.status == 303)
            #expect(try market.app.server.billing.balance(tenantID: tenant, buyerID: buyer) == 0)
            let after = try browser.get(paid.header("Location") ?? "", cookie).text
            #expect(after.contains("Invoice paid") && after.contains("paid 20") && !after.contains(id))
            #expect(try market.ledgerProblems().isEmpty)
        }
    }
}
