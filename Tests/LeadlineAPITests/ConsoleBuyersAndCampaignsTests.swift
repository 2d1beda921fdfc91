import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct ConsoleBuyersAndCampaignsTests {
    @Test func anOperatorSeesBuyersAndAuctionsAndPausesAndResumes() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let browser = ConsoleClient(app: app)
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, [
                "name": "<b>Acme</b> Legal", "bid_cents": 3500, "states": ["NV"], "max_leads_per_day": 20,
            ]).json()["id"] as! String
            let ping = try app.request("POST", "/api/v1/pingpost/ping", headers: ["X-Compliance-API-Key": key, "Content-Type": "application/json"],
                                       body: jsonBody(["campaign_type": "legal_pi", "state": "NV"])).json()["ping_id"] as! String

            let (cookie, csrf) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin/buyers")
            let page = try browser.get("/admin/buyers?tenant=acme", cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("&lt;b&gt;Acme&lt;/b&gt; Legal"))
            #expect(!page.text.contains("<b>Acme</b>"))
            #expect(page.text.contains("fixed $35.00"))
            #expect(page.text.contains("20/day"))
            #expect(page.text.contains("/admin/auctions/\(ping)?tenant=acme"))
            // The auction's page: each buyer's outcome and why.
            let auction = try browser.get("/admin/auctions/\(ping)?tenant=acme", cookie)
            #expect(auction.status == 200)
            #expect(auction.text.contains("&lt;b&gt;Acme&lt;/b&gt; Legal") && auction.text.contains("$35.00") && auction.text.contains("NV"))
            #expect(try browser.get("/admin/auctions/ping_nope?tenant=acme", cookie).status == 404)

            // Pausing takes the buyer out of auctions; resuming brings it back.
            let paused = try browser.post("/admin/buyers/\(buyer)/status", "_csrf=\(csrf)&tenant=acme&status=paused", cookie)
            #expect(paused.status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["status"] as? String == "paused")
            let after = try browser.get(paused.header("Location") ?? "/admin/buyers", cookie).text
            #expect(after.contains("Buyer paused"))
            #expect(after.contains(">Resume<"))
            #expect(try browser.post("/admin/buyers/\(buyer)/status", "_csrf=\(csrf)&tenant=acme&status=active", cookie).status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["status"] as? String == "active")
            // Without the CSRF token nothing changes.
            #expect(try browser.post("/admin/buyers/\(buyer)/status", "tenant=acme&status=paused", cookie).status == 403)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["status"] as? String == "active")
        }
    }

    @Test func anAdminAddsABuyerAndItsFieldsAreCheckedOneByOne() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/buyers")

            let refused = try browser.post("/admin/buyers", "_csrf=\(csrf)&name=Acme+%3Cb%3E&bid=lots&max_leads_per_day=x&states=NV", cookie)
            #expect(refused.status == 422)
            #expect(refused.text.contains("bid: must be an amount in dollars") && refused.text.contains("max_leads_per_day: must be a whole number"))
            #expect(refused.text.contains("value=\"Acme &lt;b&gt;\"") && refused.text.contains("value=\"NV\""))
            #expect((try app.ezleeds("GET", "/api/v1/buyers", key: key).json()["items"] as? [Any])?.isEmpty == true)

            let added = try browser.post("/admin/buyers", "_csrf=\(csrf)&name=Acme+Legal&bid=35&states=nv+tx&campaign_types=legal_pi&max_leads_per_day=20&monthly_budget=1%2C000", cookie)
            #expect(added.status == 303)
            #expect(try browser.get(added.header("Location") ?? "", cookie).text.contains("Buyer added"))
            let listed = try #require((try app.ezleeds("GET", "/api/v1/buyers", key: key).json()["items"] as? [[String: Any]])?.first)
            let buyer = try app.ezleeds("GET", "/api/v1/buyers/\(listed["id"] as? String ?? "")", key: key).json()
            #expect(buyer["name"] as? String == "Acme Legal" && buyer["bid_cents"] as? Int == 3500)
            #expect(buyer["states"] as? [String] == ["NV", "TX"] && buyer["max_leads_per_day"] as? Int == 20)
            #expect(buyer["monthly_budget_cents"] as? Int == 100_000 && buyer["auto_approve_returns"] as? Bool == false)
        }
    }

    @Test func aViewerOfAnotherTenantSeesOnlyTheirOwnAndChangesNothing() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let other = try app.server.tenants.create(name: "other").id
            let browser = ConsoleClient(app: app)
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Acme Only", "bid_cents": 1000]).json()["id"] as! String
            let (cookie, csrf) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: other, page: "/admin/buyers")
            let page = try browser.get("/admin/buyers?tenant=acme", cookie).text
            #expect(!page.contains("Acme Only"))
            #expect(!page.contains(">Pause<"))
            let refused = try browser.post("/admin/buyers/\(buyer)/status", "_csrf=\(csrf)&tenant=acme&status=paused", cookie)
            #expect(refused.status == 403)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["status"] as? String == "active")
        }
    }

    @Test func anOperatorSeesCampaignsWithWhatTheySoldAndPausesOne() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let browser = ConsoleClient(app: app)
            let campaign = try app.ezleeds("POST", "/api/v1/campaigns", key: key, [
                "name": "PI <Nevada>", "campaign_type": "legal_pi", "states": ["NV"], "budget_cents": 100000, "max_leads_per_day": 50,
                "max_buyers_per_lead": 2,
            ]).json()["id"] as! String
            let (cookie, csrf) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin/campaigns")
            let page = try browser.get("/admin/campaigns?tenant=acme", cookie).text
            #expect(page.contains("PI &lt;Nevada&gt;"))
            #expect(page.contains("$1000.00 left of $1000.00"))
            #expect(page.contains("0 of 50 today"))
            #expect(page.contains("up to 2 buyers"))
            let paused = try browser.post("/admin/campaigns/\(campaign)/status", "_csrf=\(csrf)&tenant=acme&status=paused", cookie)
            #expect(paused.status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/campaigns/\(campaign)", key: key).json()["status"] as? String == "paused")
            #expect(try browser.get(paused.header("Location") ?? "/admin/campaigns", cookie).text.contains(">Resume<"))
        }
    }
}
