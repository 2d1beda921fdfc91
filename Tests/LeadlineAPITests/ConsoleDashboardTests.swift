import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The dashboard's periods and charts, from real sales.
@Suite struct ConsoleDashboardTests {
    @Test func theDashboardCountsTodaysSalesAndDrawsThirtyDays() async throws {
        try await blocking { () throws in
            let market = try Market()
            let buyer = try market.buyer("Acme Legal", ["bid_cents": 3500])
            _ = try market.sell(to: buyer)
            let returned = try market.sell(to: buyer)
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(returned)/return", key: market.key, ["reason": "fraud"]).status == 200)
            let other = try market.app.makeKey(tenant: "other")
            _ = try market.app.lead(key: other, phone: "5127310100")
            let acme = try market.app.server.tenants.named("acme").id

            let browser = ConsoleClient(app: market.app)
            let (cookie, _) = try browser.signIn("admin@example.com", role: .admin, tenantID: acme, page: "/admin")
            let page = try browser.get("/admin", cookie).text
            let today = String(Timestamp.format(market.app.clock.now).prefix(10))
            // Today: two leads, one delivered and one returned; $35 charged twice less $35 credited back.
            #expect(page.contains("<tr><th scope=\"row\">Today</th><td>2</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td><td>0</td><td>$35.00</td></tr>"), "\(page)")
            #expect(page.components(separatedBy: "<rect ").count - 1 == 60, "30 bars in each chart")
            #expect(page.contains("<title>\(today): 2 leads</title>"))
            #expect(page.contains("<title>\(today): $35.00</title>"))
            #expect(page.contains("Tenant acme."))

            // An operator sees every tenant by default, or the one picked.
            let (ops, _) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin")
            #expect(try browser.get("/admin", ops).text.contains("<tr><th scope=\"row\">Today</th><td>3</td>"))
            #expect(try browser.get("/admin?tenant=other", ops).text.contains("<tr><th scope=\"row\">Today</th><td>1</td>"))
        }
    }
}
