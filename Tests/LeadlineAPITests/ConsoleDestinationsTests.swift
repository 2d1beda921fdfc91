import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// Destinations in the console: the phone lines live calls are transferred to, added, edited, paused and deleted.
@Suite struct ConsoleDestinationsTests {
    @Test func anAdminAddsALineEditsItsHoursAndPriceAndDeletesIt() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Call Center <One>", "bid_cents": 1000]).json()["id"] as! String
            let solar = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "Solar calls", "campaign_type": "solar"]).json()["id"] as! String
            let auto = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "Auto", "campaign_type": "auto"]).json()["id"] as! String
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/destinations")
            let empty = try browser.get("/admin/destinations", cookie).text
            #expect(empty.contains("No lines yet") && empty.contains("Call Center &lt;One&gt;") && empty.contains("value=\"\(solar)\""))
            #expect(try browser.get("/admin/calls", cookie).text.contains("href=\"/admin/destinations?tenant=acme\""))

            let refused = try browser.post("/admin/destinations", "_csrf=\(csrf)&campaigns=1&name=Line&phone=12&price=lots&schedule=1&monday_start=09%3A00", cookie)
            #expect(refused.status == 422)
            for reason in ["price: must be an amount in dollars", "monday: give both", "phone:"] { #expect(refused.text.contains(reason), "\(reason)") }

            let added = try browser.post("/admin/destinations", [
                "_csrf=\(csrf)", "campaigns=1", "name=Austin+floor", "phone=%28512%29+555-0142", "buyer_id=\(buyer)", "campaign_ids=\(solar)",
                "campaign_ids=\(auto)", "states=tx+ok", "price=42.50", "min_duration_seconds=90", "max_concurrent_transfers=3",
                "max_transfers_per_day=40", "schedule=1", "timezone=America%2FChicago", "monday_start=08%3A00", "monday_end=18%3A00",
            ].joined(separator: "&"), cookie)
            #expect(added.status == 303)
            let location = try #require(added.header("Location"))
            #expect(try browser.get(location, cookie).text.contains("Line added"))
            let id = try #require(location.split(separator: "/").last?.split(separator: "?").first.map(String.init))
            var line = try app.ezleeds("GET", "/api/v1/destinations/\(id)", key: key).json()
            #expect(line["phone"] as? String == "+15125550142" && line["buyer_id"] as? String == buyer && line["price_cents"] as? Int == 4250)
            #expect(line["campaign_ids"] as? [String] == [solar, auto] && line["states"] as? [String] == ["TX", "OK"])
            #expect(line["max_concurrent_transfers"] as? Int == 3 && line["max_transfers_per_day"] as? Int == 40 && line["min_duration_seconds"] as? Int == 90)
            #expect((line["hours_of_operation"] as? [String: [String: String]])?["monday"] == ["start": "08:00", "end": "18:00"])

            // Its page shows what is stored; a change of price to "by postback" and every hour.
            let page = try browser.get("/admin/destinations/\(id)", cookie).text
            #expect(page.contains("value=\"42.50\"") && page.contains("value=\"\(auto)\" checked") && page.contains("<option value=\"\(buyer)\" selected>"))
            let saved = try browser.post("/admin/destinations/\(id)", "_csrf=\(csrf)&campaigns=1&name=Austin+floor&phone=5125550142&price=&schedule=1&always_open=on&campaign_ids=\(solar)", cookie)
            #expect(saved.status == 303)
            line = try app.ezleeds("GET", "/api/v1/destinations/\(id)", key: key).json()
            #expect(line["price_cents"] as? Int == nil && line["campaign_ids"] as? [String] == [solar] && line["hours_of_operation"] as? [String: Any] == nil)

            // Paused from the list, then deleted: it leaves the list.
            #expect(try browser.post("/admin/destinations/\(id)/status", "_csrf=\(csrf)&status=paused", cookie).status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/destinations/\(id)", key: key).json()["status"] as? String == "paused")
            #expect(try browser.post("/admin/destinations/\(id)/delete", "_csrf=\(csrf)", cookie).status == 303)
            #expect(!(try browser.get("/admin/destinations", cookie).text.contains("Austin floor")))
        }
    }
}
