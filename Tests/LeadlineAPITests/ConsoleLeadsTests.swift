import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The console's Leads pages: the list (search, filters, pages by key), a lead's detail, and what an admin can do there.
@Suite struct ConsoleLeadsTests {
    static func lead(_ app: TestServer, key: String, phone: String, firstName: String = "Jane", email: String? = nil, state: String = "TX") throws -> String {
        try app.lead(key: key, phone: phone, firstName: firstName, email: email, state: state)
    }

    @Test func aLeadNamedAfterAScriptRendersInertInTheListAndItsPage() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let id = try Self.lead(app, key: key, phone: "5127310100", firstName: "<script>alert(1)</script>", email: "x@example.com")
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, _) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/leads")
            for path in ["/admin/leads", "/admin/leads/\(id)", "/admin/leads?q=5127310100"] {
                let page = try browser.get(path, cookie)
                #expect(page.status == 200, "\(path)")
                #expect(!page.text.contains("<script>"), "\(path)")
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    @Test func theListSearchesFiltersAndPagesByKey() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            var ids: [String] = []
            for n in 0..<55 {
                ids.append(try Self.lead(app, key: key, phone: "51273\(String(format: "%05d", 10_100 + n))", firstName: "Lead\(n)",
                                         email: "lead\(n)@example.com", state: n % 5 == 0 ? "NV" : "TX"))
                app.clock.advance(by: 1)
            }
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, _) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/leads")

            // Newest first, 50 to a page, then the rest by the key of the last one.
            let first = try browser.get("/admin/leads", cookie).text
            #expect(first.components(separatedBy: "<a href=\"/admin/leads/").count - 1 == 50)
            #expect(first.contains(">Lead54<") && !first.contains(">Lead4<"))
            let next = try #require(first.range(of: #"href="(/admin/leads\?[^"]*after=[^"]*)" rel="next""#, options: .regularExpression)
                .map { String(first[$0]).replacingOccurrences(of: "href=\"", with: "").replacingOccurrences(of: "\" rel=\"next\"", with: "")
                           .replacingOccurrences(of: "&amp;", with: "&") })
            let second = try browser.get(next, cookie).text
            #expect(second.components(separatedBy: "<a href=\"/admin/leads/").count - 1 == 5)
            #expect(second.contains(">Lead4<") && second.contains(">Lead0<") && !second.contains(">Lead5<"))
            #expect(!second.contains("rel=\"next\""))

            // Search by phone (any spelling), email, or id; filter by state.
            #expect(try browser.get("/admin/leads?q=(512)%20731-0107", cookie).text.contains(">Lead7<"))
            let byEmail = try browser.get("/admin/leads?q=LEAD8%40example.com", cookie).text
            #expect(byEmail.contains(">Lead8<") && !byEmail.contains(">Lead9<"))
            #expect(try browser.get("/admin/leads?q=\(ids[3])", cookie).text.contains(">Lead3<"))
            let nevada = try browser.get("/admin/leads?state=nv", cookie).text
            #expect(nevada.components(separatedBy: "<a href=\"/admin/leads/").count - 1 == 11)
            #expect(try browser.get("/admin/leads?status=bogus", cookie).text.contains("status: is not a lead status"))
        }
    }

    @Test func aLeadsPageTellsItsStoryAndItsActionsWork() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let id = try Self.lead(app, key: key, phone: "5127310100", firstName: "Ann", email: "ann@example.com")
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/leads/\(id)")
            let page = try browser.get("/admin/leads/\(id)", cookie).text
            #expect(page.contains("hash chain intact"))
            #expect(page.contains("<td>created</td>"), "the intake event on the timeline")
            #expect(page.contains("<option value=\"qualified\">"))

            // A move the lifecycle does not allow is refused and nothing changes.
            let refused = try browser.post("/admin/leads/\(id)/status", "_csrf=\(csrf)&status=accepted", cookie)
            #expect(refused.status == 409)
            #expect(try app.ezleeds("GET", "/api/v1/leads/\(id)", key: key).json()["status"] as? String == "new")
            let moved = try browser.post("/admin/leads/\(id)/status", "_csrf=\(csrf)&status=qualified", cookie)
            #expect(moved.status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/leads/\(id)", key: key).json()["status"] as? String == "qualified")
            let after = try browser.get(moved.header("Location") ?? "", cookie).text
            #expect(after.contains("Status changed.") && after.contains("new → qualified"))

            // Do-not-call from the lead's page.
            #expect(try browser.post("/admin/leads/\(id)/dnc", "_csrf=\(csrf)", cookie).status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: key).json()["channel"] as? String == "console")
            #expect(try app.ezleeds("GET", "/api/v1/leads/\(id)", key: key).json()["status"] as? String == "ineligible")
            // Without the CSRF token, nothing.
            #expect(try browser.post("/admin/leads/\(id)/status", "status=new", cookie).status == 403)
        }
    }

    @Test func aTenantAdminCannotOpenAnotherTenantsLead() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let id = try Self.lead(app, key: key, phone: "5127310100", firstName: "Acme Only")
            let other = try app.server.tenants.create(name: "other").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@other.example", role: .admin, tenantID: other, page: "/admin/leads")
            let page = try browser.get("/admin/leads/\(id)?tenant=acme", cookie)
            #expect(page.status == 404)
            #expect(!page.text.contains("Acme Only"))
            #expect(!(try browser.get("/admin/leads?tenant=acme", cookie).text.contains("Acme Only")))
            #expect(try browser.post("/admin/leads/\(id)/dnc", "_csrf=\(csrf)&tenant=acme", cookie).status == 404)
            #expect(try app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: key).status == 404)
            // An operator picks the tenant and sees it.
            let (opsCookie, _) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin/leads")
            #expect(try browser.get("/admin/leads/\(id)?tenant=acme", opsCookie).text.contains("Acme Only"))
        }
    }
}
