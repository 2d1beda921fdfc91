import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// An auction replayed from its page: the same lead offered to the buyers as they are now, nothing stored or sold.
@Suite struct ConsoleAuctionReplayTests {
    @Test func aReplayShowsEachBuyerNowAndWhoWouldWin() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.allowPrivateTargets = true }
            let key = try app.makeKey()
            let mock = try MockBuyer(.init(bidCents: 4200...4200))
            defer { mock.stop() }
            let fixed = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Fixed NV", "bid_cents": 3500, "states": ["NV"]]).json()["id"] as! String
            _ = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Texas only", "bid_cents": 9000, "states": ["TX"]])
            let ping = try app.request("POST", "/api/v1/pingpost/ping", headers: ["X-Compliance-API-Key": key, "Content-Type": "application/json"],
                                       body: jsonBody(["campaign_type": "legal_pi", "state": "NV"])).json()["ping_id"] as! String
            // Since the auction: a live buyer joined, and the fixed one is paused.
            let live = try app.ezleeds("POST", "/api/v1/buyers", key: key, [
                "name": "Live <Bidder>", "ping_url": mock.pingURL, "post_url": mock.postURL, "states": ["NV"],
            ]).json()["id"] as! String
            _ = try app.ezleeds("PATCH", "/api/v1/buyers/\(fixed)", key: key, ["status": "paused"])
            let sales = try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM lead_sales") ?? 0 }
            let pings = try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pings") ?? 0 }

            let browser = ConsoleClient(app: app)
            let acme = try app.server.tenants.named("acme").id
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: acme, page: "/admin/auctions/\(ping)")
            #expect(try browser.get("/admin/auctions/\(ping)", cookie).text.contains("Replay now"))
            let replay = try browser.post("/admin/auctions/\(ping)/replay", "_csrf=\(csrf)", cookie)
            #expect(replay.status == 200)
            let text = replay.text
            #expect(text.contains("Live &lt;Bidder&gt; would win at $42.00."))
            #expect(text.contains("href=\"/admin/buyers/\(live)?tenant=acme\">Live &lt;Bidder&gt;</a> <span class=\"status ok\">wins</span>"))
            #expect(text.contains("excluded") && text.contains("paused"), "the paused buyer is out")
            #expect(text.contains("Texas only") && text.contains("state"), "the Texas buyer is filtered out")
            // The live buyer got one test ping; nothing was stored.
            #expect(mock.pings.count == 1)
            #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM lead_sales") ?? 0 } == sales)
            #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pings") ?? 0 } == pings)
            // Without the form's token nothing is sent.
            #expect(try browser.post("/admin/auctions/\(ping)/replay", "", cookie).status == 403)
            #expect(mock.pings.count == 1)
        }
    }
}
