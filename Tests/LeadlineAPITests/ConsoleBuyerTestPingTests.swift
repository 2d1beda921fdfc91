import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// A live buyer's "Test ping" in the console: one signed ping to its ping_url, the raw exchange shown, nothing stored.
@Suite struct ConsoleBuyerTestPingTests {
    @Test func theRawExchangeIsShownAndNothingIsStored() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.allowPrivateTargets = true }
            let key = try app.makeKey()
            let mock = try MockBuyer(.init(bidCents: 2750...2750, format: .xml))
            defer { mock.stop() }
            let live = try app.ezleeds("POST", "/api/v1/buyers", key: key, [
                "name": "XML <Bidder>", "ping_url": mock.pingURL, "post_url": mock.postURL, "webhook_secret": "whsec_test",
                "campaign_types": ["auto_insurance"], "states": ["NV"], "response_parsing": mock.behavior.responseParsing!,
            ]).json()["id"] as! String
            let fixed = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Fixed", "bid_cents": 1000]).json()["id"] as! String

            let browser = ConsoleClient(app: app)
            let acme = try app.server.tenants.named("acme").id
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: acme, page: "/admin/buyers")
            let list = try browser.get("/admin/buyers", cookie).text
            #expect(list.contains("/admin/buyers/\(live)/test-ping") && !list.contains("/admin/buyers/\(fixed)/test-ping"),
                    "only live buyers have the button")

            let page = try browser.post("/admin/buyers/\(live)/test-ping", "_csrf=\(csrf)&zip_code=89101", cookie)
            #expect(page.status == 200)
            let text = page.text
            #expect(text.contains("Test ping: XML &lt;Bidder&gt;"))
            #expect(text.contains("What it read: bid, $27.50"))
            #expect(text.contains("POST \(mock.pingURL)") && text.contains("X-Signature: sha256="))
            #expect(text.contains("&quot;state&quot;:&quot;NV&quot;") && text.contains("&quot;zip_code&quot;:&quot;89101&quot;"),
                    "the profile defaults to the buyer's own filters")
            #expect(text.contains("HTTP 200") && text.contains("&lt;status&gt;Matched&lt;/status&gt;"), "the answer, escaped")
            // The buyer received exactly that request, signed; no auction was stored.
            let received = try #require(mock.pings.last)
            #expect(received.headers["x-signature"]?.hasPrefix("sha256=") == true)
            #expect((received.json?["ping_id"] as? String)?.hasPrefix("ping_test") == true)
            #expect(try app.server.exchange.recent(tenantID: acme, limit: 10).isEmpty)

            // A fixed buyer has nothing to ping; a viewer cannot send one.
            #expect(try browser.post("/admin/buyers/\(fixed)/test-ping", "_csrf=\(csrf)", cookie).status == 422)
            let (viewer, viewerCSRF) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: acme, page: "/admin/buyers")
            #expect(try browser.post("/admin/buyers/\(live)/test-ping", "_csrf=\(viewerCSRF)", viewer).status == 403)
            #expect(mock.pings.count == 1)
        }
    }
}
