import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// The console's Calls page: calls, destinations, the revenue postback URL (copy, rotate) and matching by hand.
@Suite struct ConsoleCallsTests {
    @Test func aLeadsPageSaysWhenTheDialerWillCallItAndWhyNotNow() async throws {
        try await blocking { () throws in
            // 01:00 in Texas: the dialer takes the lead and parks it until 09:00 in Denver (the state's western zone).
            let center = try CallCenter(now: Timestamp.parse("2026-07-22T06:00:00Z")!)
            let lead = try center.lead(phone: "5127314243")
            let tenant = try center.app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: center.app)
            let (cookie, _) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/calls")
            #expect(try browser.get("/admin/leads/\(lead)?tenant=acme", cookie).text.contains("Waiting to be called from 2026-07-22T06:00:00.000Z (0 placed so far)."))
            center.dial()
            let page = try browser.get("/admin/leads/\(lead)?tenant=acme", cookie).text
            #expect(page.contains("Waiting to be called from 2026-07-22T15:00:00.000Z (0 placed so far): waiting: "), "\(page)")
            #expect(page.contains("TX: calls only 09:00–21:00 local time on weekdays"))
        }
    }

    @Test func anAdminSeesCallsUsesThePostbackURLRotatesItAndMatchesAStrayPostback() async throws {
        try await blocking { () throws in
            let center = try CallCenter(odds: CallCenter.everyCallConnects)
            _ = try center.destination(["name": "Acme <Intake>", "phone": "5125550142"])
            let lead = try center.lead(phone: "5127314242")
            center.dial()
            let transfer = try #require(try center.transfers(lead).first?["id"] as? String)
            let tenant = try center.app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: center.app)
            var (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/calls")

            var page = try browser.get("/admin/calls", cookie).text
            #expect(page.contains("Acme &lt;Intake&gt;") && !page.contains("Acme <Intake>"))
            #expect(page.contains("/admin/leads/\(lead)?tenant=acme"))
            #expect(page.contains("<script src=\"/assets/js/console.js\" defer></script>"))
            // The postback URL on the page is one that works, addressed as the browser reached the server (this client
            // sends Host without a port).
            let url = try #require(page.range(of: #"value="http://127\.0\.0\.1(:[0-9]+)?/v1/postbacks/calls\?token=[^"]+""#, options: .regularExpression)
                .map { String(page[$0].dropFirst(7).dropLast()) })
            let path = String(url[url.range(of: "/v1/postbacks")!.lowerBound...])
            center.app.clock.advance(by: 5 * 3600)  // outside the matching window: it waits for a person
            let late = try center.app.request("GET", path + "&ani=5127314242&call_duration=120&revenue=$12.00&call_uuid=rb-77")
            #expect(try late.json()["matched"] as? Bool == false)
            // Five idle hours ended the session: sign in again.
            (cookie, csrf) = try browser.signIn("admin2@example.com", role: .admin, tenantID: tenant, page: "/admin/calls")

            let reply = try browser.get("/admin/calls", cookie)
            #expect(reply.status == 200, "\(reply.text)")
            page = reply.text
            let postback = try #require(page.range(of: #"/admin/calls/postbacks/[^/"]+/match"#, options: .regularExpression).map { String(page[$0]) },
                                        "\(page.components(separatedBy: "matched no transfer").last ?? "")")
            #expect(page.contains("<code>rb-77</code>") && page.contains("$12.00"))
            #expect(try browser.post(postback, "_csrf=\(csrf)&transfer_id=xfer_nope", cookie).status == 404)
            let matched = try browser.post(postback, "_csrf=\(csrf)&transfer_id=\(transfer)", cookie)
            #expect(matched.status == 303)
            #expect(try center.transfers(lead).first?["revenue_cents"] as? Int == 1200)
            #expect(try browser.get("/admin/calls", cookie).text.contains("None: every postback found its transfer."))

            // Rotating: the old URL is refused from now on, and the page shows the new one.
            #expect(try browser.post("/admin/calls/postbacks/rotate", "_csrf=\(csrf)", cookie).status == 303)
            #expect(try center.app.request("GET", path + "&call_uuid=rb-78&revenue=1").status == 401)
            #expect(!(try browser.get("/admin/calls", cookie).text.contains(url)))
        }
    }
}
