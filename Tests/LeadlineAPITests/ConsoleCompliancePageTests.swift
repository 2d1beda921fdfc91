import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct ConsoleCompliancePageTests {
    let app: TestServer
    let acme: String
    let other: String

    init() throws {
        app = try TestServer(now: Date(timeIntervalSince1970: 1_773_244_800))
        acme = try app.server.tenants.create(name: "acme").id
        other = try app.server.tenants.create(name: "other").id
    }

    var browser: ConsoleClient { ConsoleClient(app: app) }

    /// Signs a new user in; returns the session cookie and the page's CSRF token.
    func signIn(_ email: String, role: AdminRole, tenantID: String?) throws -> (cookie: String, csrf: String) {
        try browser.signIn(email, role: role, tenantID: tenantID, page: "/admin/compliance")
    }

    func get(_ path: String, _ cookie: String) throws -> HTTPConnection.Reply { try browser.get(path, cookie) }

    func post(_ path: String, _ form: String, _ cookie: String) throws -> HTTPConnection.Reply { try browser.post(path, form, cookie) }

    @Test func anOperatorReadsRulesAndManagesListsAndBlackouts() async throws {
        try await blocking { [self] () throws in
            let (cookie, csrf) = try signIn("ops@example.com", role: .operator, tenantID: nil)
            let page = try get("/admin/compliance?tenant=acme", cookie)
            #expect(page.status == 200)
            #expect(page.text.components(separatedBy: "<th scope=\"row\">").count - 1 == 51, "one row per state and DC")
            #expect(page.text.contains("<option value=\"other\">other</option>"), "an operator picks the tenant")

            #expect(try post("/admin/compliance/dnc", "tenant=acme&phone=7025551234", cookie).status == 403, "no CSRF token")
            let added = try post("/admin/compliance/dnc", "_csrf=\(csrf)&tenant=acme&phone=(702)+555-1234&reason=asked", cookie)
            #expect(added.status == 303)
            let after = try get(try #require(added.header("Location")), cookie)
            #expect(after.text.contains("The number is on the internal do-not-call list."))
            #expect(after.text.contains("+17025551234: on internal"))
            #expect(try app.server.gate.dnc.lists(tenantID: acme).contains(7_025_551_234, in: .internal))
            #expect(!(try app.server.gate.dnc.lists(tenantID: other).contains(7_025_551_234, in: .internal)))

            let bad = try post("/admin/compliance/blackouts", "_csrf=\(csrf)&tenant=acme&state=ZZ&starts_on=&reason=", cookie)
            #expect(bad.status == 422 && bad.text.contains("starts_on: must be a date"))
            let declared = try post("/admin/compliance/blackouts",
                                    "_csrf=\(csrf)&tenant=acme&state=LA&starts_on=2026-03-11&reason=%3Cscript%3Ealert(1)%3C%2Fscript%3E", cookie)
            #expect(declared.status == 303)
            let listed = try get("/admin/compliance?tenant=acme", cookie)
            #expect(listed.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !listed.text.contains("<script>alert(1)"))
            let blackout = try #require(try app.server.gate.blackouts.current(tenantID: acme).first)
            #expect(try post("/admin/compliance/blackouts/\(blackout.id)/lift", "_csrf=\(csrf)&tenant=acme", cookie).status == 303)
            #expect(try app.server.gate.blackouts.current(tenantID: acme).isEmpty)
        }
    }

    @Test func anAdminImportsTheFederalListAndAStatesChanges() async throws {
        try await blocking { [self] () throws in
            let (cookie, csrf) = try signIn("admin@example.com", role: .admin, tenantID: acme)
            let boundary = "----LeadlineBoundary1234"
            func upload(_ fields: [String: String], file: String?) throws -> HTTPConnection.Reply {
                var body = ""
                for (name, value) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
                if let file {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"registry.txt\"\r\nContent-Type: text/plain\r\n\r\n\(file)\r\n"
                }
                body += "--\(boundary)--\r\n"
                return try app.request("POST", "/admin/compliance/dnc/import", headers: [
                    "Cookie": "\(Console.cookieName)=\(cookie)", "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: Array(body.utf8))
            }
            #expect(try upload(["list": "federal"], file: "7025551234\n").status == 403, "no CSRF token")
            let missing = try upload(["_csrf": csrf, "list": "state"], file: nil)
            #expect(missing.status == 422 && missing.text.contains("state: choose the state") && missing.text.contains("file: choose the registry file"))

            let federal = try upload(["_csrf": csrf, "list": "federal", "kind": "full"], file: "7025551234\n702,5551235\nnot a number\n")
            #expect(federal.status == 200)
            #expect(federal.text.contains("Imported into the federal list (full): 3 lines, 2 added, 0 removed, 1 rejected"))
            #expect(federal.text.contains("line 3:"))
            #expect(try app.server.gate.dnc.lists(tenantID: acme).contains(7_025_551_235, in: .federal))
            #expect(!(try app.server.gate.dnc.lists(tenantID: other).contains(7_025_551_235, in: .federal)), "another tenant's lists are untouched")

            let changes = try upload(["_csrf": csrf, "list": "state", "state": "co", "kind": "changes"], file: "A,3035550100\n")
            #expect(changes.status == 200 && changes.text.contains("Imported into the"))
            #expect(try app.server.gate.dnc.lists(tenantID: acme).contains(3_035_550_100, in: .state("CO")))
            #expect(try get("/admin/compliance", cookie).text.contains("state lists CO: 1"))
        }
    }

    @Test func tenantUsersSeeTheirOwnTenantAndViewersChangeNothing() async throws {
        try await app.server.gate.dnc.add(tenantID: acme, phone: "+17025550000", reason: nil, channel: "api", actor: "t")
        try await blocking { [self] () throws in
            let (viewerCookie, viewerCSRF) = try signIn("viewer@example.com", role: .viewer, tenantID: other)
            let page = try get("/admin/compliance?tenant=acme", viewerCookie)
            #expect(page.status == 200)
            #expect(!page.text.contains("<select"), "no tenant choice")
            #expect(page.text.contains("Internal list: 0 numbers"), "the other tenant's list, whatever the address says")
            #expect(!page.text.contains("Add to do-not-call"))
            #expect(try post("/admin/compliance/dnc", "_csrf=\(viewerCSRF)&phone=7025551234", viewerCookie).status == 403)

            let (adminCookie, adminCSRF) = try signIn("admin@example.com", role: .admin, tenantID: other)
            let added = try post("/admin/compliance/dnc", "_csrf=\(adminCSRF)&tenant=acme&phone=7025559999", adminCookie)
            #expect(added.status == 303)
            #expect(try app.server.gate.dnc.lists(tenantID: other).contains(7_025_559_999, in: .internal), "added to the admin's own tenant")
            #expect(!(try app.server.gate.dnc.lists(tenantID: acme).contains(7_025_559_999, in: .internal)))
            #expect(try get("/admin/compliance?phone=555-CALL", adminCookie).text.contains("phone: must be digits"))
        }
    }
}
