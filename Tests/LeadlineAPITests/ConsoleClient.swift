import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// A browser's part in console tests: signs a user in and sends their cookie (and forms) with each request.
struct ConsoleClient {
    let app: TestServer

    /// Creates a user and signs them in; returns the session cookie and the CSRF token of `page`.
    func signIn(_ email: String, role: AdminRole, tenantID: String?, page: String) throws -> (cookie: String, csrf: String) {
        _ = try app.server.console.users.create(email: email, password: "correct horse battery", role: role, tenantID: tenantID)
        let reply = try app.request("POST", "/admin/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                    body: Array("email=\(email)&password=correct+horse+battery".utf8))
        let cookie = try #require(ConsoleAccessTests.sessionCookie(reply))
        return (cookie, try #require(ConsoleAccessTests.csrf(try get(page, cookie).text)))
    }

    func get(_ path: String, _ cookie: String) throws -> HTTPConnection.Reply {
        try app.request("GET", path, headers: ["Cookie": "\(Console.cookieName)=\(cookie)"])
    }

    func post(_ path: String, _ form: String, _ cookie: String) throws -> HTTPConnection.Reply {
        try app.request("POST", path, headers: ["Cookie": "\(Console.cookieName)=\(cookie)", "Content-Type": "application/x-www-form-urlencoded"],
                        body: Array(form.utf8))
    }
}
