import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// Settings: the tenant's dedup and auction rules, its calling settings, and the user's own password.
@Suite struct ConsoleSettingsTests {
    @Test func anAdminChangesDedupAuctionAndCallingRules() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/settings")
            let page = try browser.get("/admin/settings", cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("name=\"dedup_window_days\" type=\"text\" inputmode=\"numeric\" value=\"30\""))
            #expect(page.text.contains("name=\"try_next_bid\" checked") && page.text.contains("href=\"/admin/keys\""))

            let saved = try browser.post("/admin/settings/exchange",
                                         "_csrf=\(csrf)&dedup_window_days=45&dedup_by_email=on&floor=7.50&auction_deadline_ms=400", cookie)
            #expect(saved.status == 303)
            #expect(try browser.get(saved.header("Location") ?? "", cookie).text.contains("Saved: leads and auctions"))
            #expect(try app.server.tenants.dedupRule(tenantID: tenant) == .init(windowDays: 45, byEmail: true))
            #expect(try app.server.tenants.exchangeRules(tenantID: tenant) == .init(floorPriceCents: 750, auctionDeadlineMs: 400, tryNextBid: false))

            // The form's own mistakes and the core's, together; nothing is saved.
            let refused = try browser.post("/admin/settings/exchange", "_csrf=\(csrf)&dedup_window_days=forever&floor=1.5.0&auction_deadline_ms=5", cookie)
            #expect(refused.status == 422)
            for reason in ["dedup_window_days: must be a whole number", "floor: must be an amount in dollars", "auction_deadline_ms: must be 50 to 30000"] {
                #expect(refused.text.contains(reason), "\(reason)")
            }
            #expect(refused.text.contains("value=\"forever\""))
            #expect(try app.server.tenants.exchangeRules(tenantID: tenant).auctionDeadlineMs == 400)

            // Calling for leads without a campaign: the API reads what the console saved.
            let calling = try browser.post("/admin/settings/calling",
                                           "_csrf=\(csrf)&calling=1&calls=on&calls_paused=on&max_attempts=2&retry_minutes=15+90&max_concurrent_calls=3&caller_id=", cookie)
            #expect(calling.status == 303)
            let stored = try app.ezleeds("GET", "/api/v1/calling/settings", key: key).json()
            #expect(stored["paused"] as? Bool == true && stored["max_attempts"] as? Int == 2 && stored["retry_minutes"] as? [Int] == [15, 90])
            let bad = try browser.post("/admin/settings/calling", "_csrf=\(csrf)&calling=1&calls=on&max_attempts=99&retry_minutes=soon", cookie)
            #expect(bad.status == 422 && bad.text.contains("retry_minutes: must be whole numbers") && bad.text.contains("max_attempts"))
            #expect(try app.server.calls.settings(tenantID: tenant).maxAttempts == 2)

            // A viewer sees the rules and changes nothing.
            let (viewer, viewerCSRF) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: tenant, page: "/admin/settings")
            #expect(try browser.get("/admin/settings", viewer).text.contains("<fieldset class=\"plain\" disabled>"))
            #expect(try browser.post("/admin/settings/exchange", "_csrf=\(viewerCSRF)&dedup_window_days=1", viewer).status == 403)
            #expect(try app.server.tenants.dedupRule(tenantID: tenant).windowDays == 45)
        }
    }

    @Test func aUserChangesTheirPasswordAndTheirOtherSessionsEnd() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            _ = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: tenant, page: "/admin/settings")
            let wrong = try browser.post("/admin/settings/password", "_csrf=\(csrf)&current=guess&password=another+long+passphrase", cookie)
            #expect(wrong.status == 422 && wrong.text.contains("current: is not your password"))
            let short = try browser.post("/admin/settings/password", "_csrf=\(csrf)&current=correct+horse+battery&password=short", cookie)
            #expect(short.status == 422 && short.text.contains("password"))
            #expect(try browser.post("/admin/settings/password", "current=correct+horse+battery&password=another+long+passphrase", cookie).status == 403)

            let changed = try browser.post("/admin/settings/password", "_csrf=\(csrf)&current=correct+horse+battery&password=another+long+passphrase", cookie)
            #expect(changed.status == 303)
            let fresh = try #require(ConsoleAccessTests.sessionCookie(changed))
            #expect(try browser.get(changed.header("Location") ?? "", fresh).text.contains("Password changed"))
            // The old session has ended; the old password no longer signs in, the new one does.
            #expect(try browser.get("/admin/settings", cookie).header("Location") == "/admin/login")
            #expect(try app.server.console.users.authenticate(email: "viewer@example.com", password: "correct horse battery") == nil)
            #expect(try app.server.console.users.authenticate(email: "viewer@example.com", password: "another long passphrase") != nil)
        }
    }
}
