import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct ConsoleAccessTests {
    let app: TestServer

    init() throws { app = try TestServer() }

    func post(_ path: String, _ form: String, cookie: String? = nil, headers extra: [String: String] = [:]) throws -> HTTPConnection.Reply {
        var headers = ["Content-Type": "application/x-www-form-urlencoded"]
        if let cookie { headers["Cookie"] = "\(Console.cookieName)=\(cookie)" }
        for (k, v) in extra { headers[k] = v }
        return try app.request("POST", path, headers: headers, body: Array(form.utf8))
    }

    func get(_ path: String, cookie: String? = nil) throws -> HTTPConnection.Reply {
        try app.request("GET", path, headers: cookie.map { ["Cookie": "\(Console.cookieName)=\($0)"] } ?? [:])
    }

    static func sessionCookie(_ reply: HTTPConnection.Reply) -> String? {
        guard let header = reply.headers.first(where: { $0.0.lowercased() == "set-cookie" })?.1,
              header.hasPrefix("\(Console.cookieName)=") else { return nil }
        return String(header.dropFirst(Console.cookieName.count + 1).prefix { $0 != ";" })
    }

    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(html[range].dropLast().suffix(64))
    }

    @Test func firstRunSetupThenSignOutAndBackIn() async throws {
        try await blocking { [self] () throws in
            #expect(try get("/admin").header("Location") == "/admin/login")
            let path = try #require(try app.server.console.firstRunPath())
            let refused = try get("/admin/setup?token=wrong")
            #expect(refused.status == 403 && refused.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(refused.text.contains("Not allowed") && refused.header("X-Frame-Options") == "DENY", "refusals are pages too")

            let page = try get(path)
            #expect(page.status == 200)
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(page.header("X-Frame-Options") == "DENY")
            let token = String(path.split(separator: "=").last!)

            // Bad input comes back with field reasons, and what was typed is escaped.
            let bad = try post("/admin/setup", "token=\(token)&email=%3Cscript%3Ealert(1)%3C%2Fscript%3E&password=short")
            #expect(bad.status == 422)
            #expect(!bad.text.contains("<script>alert(1)"))
            #expect(bad.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(bad.text.contains("password: must be at least 12 characters"))

            let made = try post("/admin/setup", "token=\(token)&email=ops%40example.com&password=correct+horse+battery")
            #expect(made.status == 303 && made.header("Location") == "/admin")
            let cookie = try #require(Self.sessionCookie(made))
            let setCookie = made.headers.first { $0.0.lowercased() == "set-cookie" }?.1 ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/admin"))
            #expect(try get(path).status == 404, "the setup link works once")
            #expect(try app.server.console.firstRunPath() == nil)

            let dashboard = try get("/admin", cookie: cookie)
            #expect(dashboard.status == 200 && dashboard.text.contains("ops@example.com") && dashboard.text.contains("Dashboard"))
            let csrf = try #require(Self.csrf(dashboard.text))

            // Sign-out needs the page's token and a same-site request.
            #expect(try post("/admin/logout", "", cookie: cookie).status == 403)
            #expect(try post("/admin/logout", "_csrf=\(csrf)", cookie: cookie, headers: ["Sec-Fetch-Site": "cross-site"]).status == 403)
            #expect(try post("/admin/logout", "_csrf=\(csrf)", cookie: cookie, headers: ["Origin": "https://evil.example"]).status == 403)
            let out = try post("/admin/logout", "_csrf=\(csrf)", cookie: cookie, headers: ["Origin": "http://127.0.0.1"])   // the test client's Host
            #expect(out.status == 303 && out.header("Location") == "/admin/login")
            #expect(try get("/admin", cookie: cookie).status == 303, "the session is over")

            let wrong = try post("/admin/login", "email=ops%40example.com&password=wrong+password+here")
            #expect(wrong.status == 401 && wrong.text.contains("The email or the password is wrong."))
            let back = try post("/admin/login", "email=OPS%40example.com&password=correct+horse+battery")
            #expect(back.status == 303)
            let phone = try #require(Self.sessionCookie(back))
            #expect(try get("/admin", cookie: phone).status == 200)

            // "Sign out everywhere" from one device ends the other's session too.
            let laptop = try #require(Self.sessionCookie(try post("/admin/login", "email=ops%40example.com&password=correct+horse+battery")))
            let laptopCSRF = try #require(Self.csrf(try get("/admin", cookie: laptop).text))
            #expect(try post("/admin/logout?everywhere=1", "_csrf=\(laptopCSRF)", cookie: laptop).status == 303)
            #expect(try get("/admin", cookie: phone).status == 303)
            #expect(try get("/admin", cookie: laptop).status == 303)
        }
    }

    @Test func guessingIsThrottled() async throws {
        try await blocking { [self] () throws in
            _ = try app.server.console.users.create(email: "ops@example.com", password: "correct horse battery", role: .operator, tenantID: nil)
            for _ in 0..<5 { #expect(try post("/admin/login", "email=ops%40example.com&password=guess+number+one").status == 401) }
            let locked = try post("/admin/login", "email=ops%40example.com&password=correct+horse+battery")
            #expect(locked.status == 429)
            #expect(locked.header("Retry-After") == "900")
            #expect(try post("/admin/setup", "token=x&email=a%40b.co&password=long+enough+password").status == 404, "setup is over once a user exists")
        }
    }
}
