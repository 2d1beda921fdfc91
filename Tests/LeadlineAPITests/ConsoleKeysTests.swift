import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// Settings → API keys: create (the token shown once), use, revoke.
@Suite struct ConsoleKeysTests {
    @Test func anAdminCreatesAKeyThatWorksAndRevokesIt() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            _ = try app.makeKey()
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/keys")

            let refused = try browser.post("/admin/keys", "_csrf=\(csrf)&name=Web+%3Cform%3E&rate_limit_per_minute=lots", cookie)
            #expect(refused.status == 422)
            #expect(refused.text.contains("rate_limit_per_minute: must be a whole number"))
            #expect(refused.text.contains("value=\"Web &lt;form&gt;\""))
            #expect(try browser.post("/admin/keys", "_csrf=\(csrf)&name=No+scopes", cookie).text.contains("scopes: at least one scope"))

            let created = try browser.post("/admin/keys", "_csrf=\(csrf)&name=Web+form&scopes=read&scopes=write&rate_limit_per_minute=600", cookie)
            #expect(created.status == 201)
            #expect(created.header("Cache-Control") == "no-store")
            let token = try #require(created.text.range(of: #"value="ll_[A-Za-z0-9_]+""#, options: .regularExpression)
                .map { String(created.text[$0].dropFirst(7).dropLast()) })
            // It works, with what was asked for.
            let me = try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"]).json()
            #expect(me["scopes"] as? [String] == ["read", "write"])
            #expect(me["rate_limit_per_minute"] as? Int == 600)
            // Shown once: the list has its prefix, never the token.
            let list = try browser.get("/admin/keys", cookie).text
            #expect(!list.contains(token))
            #expect(list.contains("Web form") && list.contains("600/min") && list.contains("read, write"))

            let id = try #require(app.server.keys.list(tenantID: tenant).first { $0.name == "Web form" }?.id)
            #expect(try browser.post("/admin/keys/\(id)/revoke", "_csrf=\(csrf)", cookie).status == 303)
            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == 401)
            #expect(try browser.get("/admin/keys", cookie).text.contains("revoked"))
        }
    }

    @Test func aViewerCannotCreateKeysAndNoOneRevokesAnotherTenantsKey() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let acmeKey = try app.makeKey()
            let acme = try #require(app.server.tenants.all().first).id
            let acmeKeyID = try #require(app.server.keys.list(tenantID: acme).first?.id)
            let other = try app.server.tenants.create(name: "other").id
            let browser = ConsoleClient(app: app)
            let (viewer, viewerCSRF) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: acme, page: "/admin/keys")
            #expect(!(try browser.get("/admin/keys", viewer).text.contains("Create a key")))
            #expect(try browser.post("/admin/keys", "_csrf=\(viewerCSRF)&name=x&scopes=read", viewer).status == 403)
            let (admin, csrf) = try browser.signIn("admin@other.example", role: .admin, tenantID: other, page: "/admin/keys")
            #expect(try browser.post("/admin/keys/\(acmeKeyID)/revoke", "_csrf=\(csrf)&tenant=acme", admin).status == 404)
            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(acmeKey)"]).status == 200)
        }
    }
}
