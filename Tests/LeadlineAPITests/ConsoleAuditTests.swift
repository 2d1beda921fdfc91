import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// Every change made in the console is in the audit log, without secrets, and each tenant sees its own.
@Suite struct ConsoleAuditTests {
    @Test func changesAreLoggedWithoutSecretsAndEachTenantSeesItsOwn() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let acme = try app.server.tenants.named("acme").id
            let other = try app.server.tenants.create(name: "other").id
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Acme Legal", "bid_cents": 1000]).json()["id"] as! String
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: acme, page: "/admin/buyers")
            #expect(try browser.post("/admin/buyers/\(buyer)/status", "_csrf=\(csrf)&status=paused", cookie).status == 303)
            #expect(try browser.post("/admin/compliance/dnc", "_csrf=\(csrf)&phone=5127310100&reason=asked", cookie).status == 303)
            #expect(try browser.post("/admin/buyers/\(buyer)/status", "status=active", cookie).status == 403, "refused: not a change")
            let (otherCookie, otherCSRF) = try browser.signIn("admin@other.example", role: .admin, tenantID: other, page: "/admin/keys")
            #expect(try browser.post("/admin/keys", "_csrf=\(otherCSRF)&name=Other&scopes=read", otherCookie).status == 201)

            let page = try browser.get("/admin/audit", cookie).text
            #expect(page.contains("<code>POST /admin/buyers/{id}/status</code>") && page.contains("id=\(buyer)") && page.contains("status=paused"))
            #expect(page.contains("<code>POST /admin/compliance/dnc</code>") && page.contains("phone=5127310100"))
            #expect(page.contains("<code>POST /admin/login</code>") == false, "a sign-in belongs to no tenant")
            #expect(page.contains("_csrf=(not kept)") && !page.contains("_csrf=\(csrf)") && !page.contains("status=active"))
            #expect(!page.contains("POST /admin/keys"), "the other tenant's change is not shown")

            // An operator sees everything, sign-ins included, with the password never written down.
            let (ops, _) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin/audit")
            let all = try browser.get("/admin/audit", ops).text
            #expect(all.contains("<code>POST /admin/keys</code>") && all.contains("<code>POST /admin/login</code>"))
            #expect(all.contains("password=(not kept)") && !all.contains("correct horse battery"))
            #expect(!(try browser.get("/admin/audit?tenant=other", ops).text.contains("POST /admin/compliance/dnc")))
        }
    }
}
