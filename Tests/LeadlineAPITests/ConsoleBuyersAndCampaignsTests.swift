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
            // The log of every auction, newest first.
            #expect(page.text.contains("href=\"/admin/auctions?tenant=acme\">Every auction"))
            let log = try browser.get("/admin/auctions?tenant=acme", cookie)
            #expect(log.status == 200 && log.text.contains("/admin/auctions/\(ping)?tenant=acme") && !log.text.contains("Older auctions"))

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

    @Test func anAdminEditsABuyersCapsScheduleAndLiveBidding() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.allowPrivateTargets = true }
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let other = try app.server.tenants.create(name: "other").id
            let browser = ConsoleClient(app: app)
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, [
                "name": "Acme Legal", "bid_cents": 3500, "states": ["NV"], "max_leads_per_day": 20, "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_secret": "s3cret-s3cret-s3cret",
            ]).json()["id"] as! String
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/buyers")

            // The list links to the buyer's page, which shows its settings in the form.
            #expect(try browser.get("/admin/buyers", cookie).text.contains("href=\"/admin/buyers/\(buyer)?tenant=acme\""))
            let page = try browser.get("/admin/buyers/\(buyer)", cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("value=\"35.00\"") && page.text.contains("value=\"NV\"") && page.text.contains("value=\"20\""))
            #expect(page.text.contains("name=\"always_open\" checked") && page.text.contains("Stop signing"))
            #expect(!page.text.contains("s3cret"))

            // Every field at once: live bidding with a ceiling, caps, weekday hours, prepaid billing.
            let form = [
                "_csrf=\(csrf)", "name=Acme+Legal+West", "bid=30", "max_price=80", "ping_url=http%3A%2F%2F127.0.0.1%3A9%2Fping",
                "timeout_ms=300", "exclusivity=exclusive", "campaign_types=legal_pi", "states=nv+az", "zip_codes=891",
                "max_leads_per_hour=5", "max_leads_per_day=40", "max_leads_per_week=", "max_leads_per_month=500", "monthly_budget=2%2C500",
                "schedule=1", "timezone=America%2FPhoenix", "monday_start=09%3A00", "monday_end=17%3A30", "friday_start=10%3A00",
                "friday_end=00%3A00", "post_url=http%3A%2F%2F127.0.0.1%3A9%2Fpost", "webhook_url=", "webhook_secret=",
                "billing=prepaid", "credit_limit=", "return_cap_percent=15",
                "response_parsing=" + #"{"type":"regex","accept_pattern":"^OK","price_pattern":"price=(\\d+)"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
            ].joined(separator: "&")
            let saved = try browser.post("/admin/buyers/\(buyer)", form, cookie)
            #expect(saved.status == 303)
            #expect(try browser.get(saved.header("Location") ?? "", cookie).text.contains("Saved"))
            let stored = try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()
            #expect(stored["name"] as? String == "Acme Legal West" && stored["bid_cents"] as? Int == 3000 && stored["max_price_cents"] as? Int == 8000)
            #expect(stored["ping_url"] as? String == "http://127.0.0.1:9/ping" && stored["timeout_ms"] as? Int == 300)
            #expect(stored["exclusivity"] as? String == "exclusive" && stored["states"] as? [String] == ["NV", "AZ"] && stored["zip_codes"] as? [String] == ["891"])
            #expect(stored["max_leads_per_hour"] as? Int == 5 && stored["max_leads_per_day"] as? Int == 40 && stored["max_leads_per_week"] as? Int == nil)
            #expect(stored["max_leads_per_month"] as? Int == 500 && stored["monthly_budget_cents"] as? Int == 250_000)
            #expect(stored["timezone"] as? String == "America/Phoenix")
            let hours = stored["hours_of_operation"] as? [String: [String: String]]
            #expect(hours == ["monday": ["start": "09:00", "end": "17:30"], "friday": ["start": "10:00", "end": "24:00"]])
            #expect(stored["webhook_url"] as? String == nil && stored["post_url"] as? String == "http://127.0.0.1:9/post")
            #expect(stored["billing"] as? String == "prepaid" && stored["return_cap_percent"] as? Int == 15 && stored["auto_approve_returns"] as? Bool == false)
            #expect((stored["response_parsing"] as? [String: Any])?["accept_pattern"] as? String == "^OK")
            // A blank secret kept the stored one; the page shows the hours again, midnight as 00:00.
            #expect(try app.server.buyers.webhookSecret(tenantID: tenant, buyerID: buyer) == "s3cret-s3cret-s3cret")
            let again = try browser.get("/admin/buyers/\(buyer)", cookie).text
            #expect(again.contains("name=\"friday_end\" value=\"00:00\"") && again.contains("<option value=\"America/Phoenix\" selected>"))
            #expect(again.contains("Test ping") && again.contains("&quot;accept_pattern&quot;:&quot;^OK&quot;"), "the rule shown to edit")

            // Mistakes are listed together, the form keeps what was typed, and nothing changes.
            let refused = try browser.post("/admin/buyers/\(buyer)", [
                "_csrf=\(csrf)", "name=Acme+%3Cb%3E", "bid=90", "max_price=80", "timeout_ms=5", "states=ZZ", "max_leads_per_day=lots",
                "schedule=1", "timezone=America%2FPhoenix", "monday_start=09%3A00", "ping_url=http%3A%2F%2F127.0.0.1%3A9%2Fping",
                "post_url=http%3A%2F%2F127.0.0.1%3A9%2Fpost", "response_parsing=%7B%22type%22%3A%22xml%22%7D",
            ].joined(separator: "&"), cookie)
            #expect(refused.status == 422)
            for reason in ["max_leads_per_day: must be a whole number", "monday: give both", "timeout_ms: must be from 50", "states[0]",
                           "response_parsing"] {
                #expect(refused.text.contains(reason), "\(reason) in \(refused.text.components(separatedBy: "role=\"alert\"").last?.prefix(600) ?? "")")
            }
            #expect(refused.text.contains("value=\"Acme &lt;b&gt;\"") && refused.text.contains("value=\"90\""))
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["name"] as? String == "Acme Legal West")
            // The rule across fields is the core's: a fixed bid above the ceiling.
            let above = try browser.post("/admin/buyers/\(buyer)", "_csrf=\(csrf)&name=Acme&bid=90&max_price=80", cookie)
            #expect(above.status == 422 && above.text.contains("bid_cents: must not be above max_price_cents"))
            // Always open again, and the secret removed.
            #expect(try browser.post("/admin/buyers/\(buyer)", "_csrf=\(csrf)&name=Acme&schedule=1&always_open=on&clear_webhook_secret=on", cookie).status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["hours_of_operation"] as? [String: Any] == nil)
            #expect(try app.server.buyers.webhookSecret(tenantID: tenant, buyerID: buyer) == nil)

            // Another tenant's admin cannot open or change it.
            let (theirs, theirCSRF) = try browser.signIn("them@example.com", role: .admin, tenantID: other, page: "/admin/buyers")
            #expect(try browser.get("/admin/buyers/\(buyer)?tenant=acme", theirs).status == 404)
            #expect(try browser.post("/admin/buyers/\(buyer)", "_csrf=\(theirCSRF)&tenant=acme&name=Mine", theirs).status == 404)
            // A viewer of the tenant sees the settings, disabled, and cannot save them.
            let (viewer, viewerCSRF) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: tenant, page: "/admin/buyers")
            let seen = try browser.get("/admin/buyers/\(buyer)", viewer)
            #expect(seen.status == 200 && seen.text.contains("<fieldset class=\"plain\" disabled>"))
            #expect(try browser.post("/admin/buyers/\(buyer)", "_csrf=\(viewerCSRF)&name=Mine", viewer).status == 403)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(buyer)", key: key).json()["name"] as? String == "Acme")
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

    @Test func anAdminAddsACampaignThenTurnsOnCallingAndEditsItsScript() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.allowPrivateTargets = true }
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/campaigns")
            let blank = try browser.get("/admin/campaigns", cookie).text
            #expect(blank.contains("Add a campaign") && blank.contains("name=\"max_attempts\" type=\"text\" inputmode=\"numeric\" value=\"3\""))

            // Mistakes in the form and the core's checks of the rest, in one refusal.
            let refused = try browser.post("/admin/campaigns", "_csrf=\(csrf)&name=Solar&campaign_type=solar+panels&floor=cheap&states=XX&calling=1", cookie)
            #expect(refused.status == 422)
            #expect(refused.text.contains("floor: must be an amount in dollars") && refused.text.contains("campaign_type: must be a short name"))
            #expect(refused.text.contains("states[0]") && refused.text.contains("value=\"solar panels\""))
            #expect((try app.ezleeds("GET", "/api/v1/campaigns", key: key).json()["items"] as? [Any])?.isEmpty == true)

            let added = try browser.post("/admin/campaigns", [
                "_csrf=\(csrf)", "name=Solar+%3CWest%3E", "campaign_type=solar", "states=nv+az", "floor=12.50", "budget=10%2C000",
                "max_leads_per_day=200", "max_buyers_per_lead=2", "return_window_days=5", "dedup_window_days=", "timezone=America%2FDenver",
                "delivery_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fcrm", "calling=1", "max_attempts=3", "retry_minutes=30+240", "max_concurrent_calls=5",
            ].joined(separator: "&"), cookie)
            #expect(added.status == 303)
            let location = try #require(added.header("Location"))
            let id = try #require(location.split(separator: "/").last?.split(separator: "?").first.map(String.init))
            let page = try browser.get(location, cookie).text
            #expect(page.contains("Campaign added") && page.contains("Solar &lt;West&gt;") && page.contains("auctioned"))
            var stored = try app.ezleeds("GET", "/api/v1/campaigns/\(id)", key: key).json()
            #expect(stored["campaign_type"] as? String == "solar" && stored["states"] as? [String] == ["NV", "AZ"])
            #expect(stored["floor_price_cents"] as? Int == 1250 && stored["budget_cents"] as? Int == 1_000_000 && stored["max_leads_per_day"] as? Int == 200)
            #expect(stored["max_buyers_per_lead"] as? Int == 2 && stored["return_window_days"] as? Int == 5 && stored["timezone"] as? String == "America/Denver")
            #expect(stored["delivery_webhook"] as? String == "http://127.0.0.1:9/crm")
            #expect(stored["calling"] as? [String: Any] == nil)

            // Calling on, with a script of one question; a script that is not JSON is refused with the rest kept.
            let script = #"{"questions":[{"id":"owns_home","text":"Do you own your home?","qualify":["yes"]}]}"#
            let bad = try browser.post("/admin/campaigns/\(id)", "_csrf=\(csrf)&name=Solar&campaign_type=solar&calling=1&calls=on&script=%7Bnope", cookie)
            #expect(bad.status == 422 && bad.text.contains("script: must be the call script as JSON"))
            let called = try browser.post("/admin/campaigns/\(id)", [
                "_csrf=\(csrf)", "name=Solar", "campaign_type=solar", "calling=1", "calls=on", "max_attempts=4", "retry_minutes=60+120",
                "max_concurrent_calls=2", "caller_id=%28702%29+555-0100",
                "script=\(script.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
            ].joined(separator: "&"), cookie)
            #expect(called.status == 303, "\(called.text.components(separatedBy: "role=\"alert\"").last?.prefix(400) ?? "")")
            stored = try app.ezleeds("GET", "/api/v1/campaigns/\(id)", key: key).json()
            let calling = try #require(stored["calling"] as? [String: Any])
            #expect(calling["enabled"] as? Bool == true && calling["max_attempts"] as? Int == 4 && calling["retry_minutes"] as? [Int] == [60, 120])
            #expect(calling["max_concurrent_calls"] as? Int == 2 && calling["caller_id"] as? String == "+17025550100")
            let questions = (calling["script"] as? [String: Any])?["questions"] as? [[String: Any]]
            #expect(questions?.map { $0["id"] as? String } == ["owns_home"])
            // The settings not in that form were kept; the page shows calling and the script.
            #expect(stored["floor_price_cents"] as? Int == 1250)
            let shown = try browser.get("/admin/campaigns/\(id)", cookie).text
            #expect(shown.contains("called and transferred") && shown.contains("owns_home") && shown.contains("name=\"calls\" checked"))
            // Calling off again: auctioned, and the calling settings kept switched off.
            #expect(try browser.post("/admin/campaigns/\(id)", "_csrf=\(csrf)&name=Solar&campaign_type=solar&calling=1", cookie).status == 303)
            let off = try #require(try app.ezleeds("GET", "/api/v1/campaigns/\(id)", key: key).json()["calling"] as? [String: Any])
            #expect(off["enabled"] as? Bool == false && off["max_attempts"] as? Int == 4)
            #expect(try browser.get("/admin/campaigns/camp_nope", cookie).status == 404)
        }
    }

    @Test func onlyBuyersAndCampaignsWithoutHistoryAreDeleted() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let unused = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Never bought", "bid_cents": 1000]).json()["id"] as! String
            let seller = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Bought one", "bid_cents": 3000, "states": ["NV"]]).json()["id"] as! String
            let campaign = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "Unused", "campaign_type": "solar"]).json()["id"] as! String
            let ping = try app.request("POST", "/api/v1/pingpost/ping", headers: ["X-Compliance-API-Key": key, "Content-Type": "application/json"],
                                       body: jsonBody(["campaign_type": "legal_pi", "state": "NV"])).json()["ping_id"] as! String
            let sold = try app.request("POST", "/api/v1/pingpost/post", headers: ["X-Compliance-API-Key": key, "Content-Type": "application/json"],
                                       body: jsonBody(["ping_id": ping, "buyer_id": seller, "lead": ["phone": "7025550123", "state": "NV"],
                                                       "consent": ["consent_text": "I agree", "page_url": "https://example.com/x"]]))
            #expect(try sold.json()["accepted"] as? Bool == true)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/buyers")

            #expect(try browser.post("/admin/buyers/\(unused)/delete", "tenant=acme", cookie).status == 403, "no CSRF token")
            let deleted = try browser.post("/admin/buyers/\(unused)/delete", "_csrf=\(csrf)", cookie)
            #expect(deleted.status == 303 && (deleted.header("Location") ?? "").contains("notice=deleted"))
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(unused)", key: key).status == 404)

            let refused = try browser.post("/admin/buyers/\(seller)/delete", "_csrf=\(csrf)", cookie)
            #expect(refused.status == 409 && refused.text.contains("has history") && refused.text.contains("pause it instead"))
            #expect(try app.ezleeds("GET", "/api/v1/buyers/\(seller)", key: key).status == 200)

            #expect(try browser.post("/admin/campaigns/\(campaign)/delete", "_csrf=\(csrf)", cookie).status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/campaigns/\(campaign)", key: key).status == 404)
            #expect(try browser.post("/admin/campaigns/\(campaign)/delete", "_csrf=\(csrf)", cookie).status == 404)
        }
    }
}
