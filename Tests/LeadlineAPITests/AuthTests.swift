import Foundation
import LeadlineCore
import LeadlineTesting
import Synchronization
import Testing

@Suite struct AuthTests {
    let app: TestServer
    init() throws { app = try TestServer() }

    func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test func healthNeedsNoKey() async throws {
        try await blocking { [app] () throws in
            let reply = try app.request("GET", "/healthz")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"status":"ok"}"#)
            #expect(reply.header("X-RateLimit-Limit") == nil)
        }
    }

    @Test func missingMalformedUnknownAndRevokedKeysAre401() async throws {
        let token = try app.makeKey(scopes: [.read])
        try await blocking { [app] () throws in
            let missing = try app.request("GET", "/v1/me")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized")
            #expect(missing.header("WWW-Authenticate") == "Bearer")
            #expect(missing.text.contains("Authorization: Bearer"))

            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Basic dXNlcjpwdw=="]).status == 401)
            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer"]).status == 401)
            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer ll_short"]).status == 401)
            let unknown = try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer ll_" + String(repeating: "Z", count: 40)])
            #expect(unknown.status == 401)
            #expect(unknown.text.contains("unknown API key"))
            // The EZLeeds header is not the lead2inbound dialect's.
            #expect(try app.request("GET", "/v1/me", headers: ["X-API-Key": token]).status == 401)

            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        }
        guard case .valid(let caller) = try app.server.keys.check(token) else { Issue.record("expected valid"); return }
        try app.server.keys.revoke(id: caller.keyID)
        try await blocking { [app] () throws in
            let revoked = try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(revoked.status == 401)
            #expect(revoked.text.contains("revoked"))
        }
    }

    @Test func validKeyWithoutTheScopeIs403() async throws {
        let reader = try app.makeKey(scopes: [.read])
        let writer = try app.makeKey(scopes: [.write])
        try await blocking { [app, self] () throws in
            let listKeys = try app.request("GET", "/v1/keys", headers: bearer(reader))
            #expect(listKeys.status == 403)
            #expect(listKeys.errorCode == "forbidden")
            #expect(listKeys.text.contains("admin"))
            let create = try app.request("POST", "/v1/keys", headers: bearer(writer).merging(["Content-Type": "application/json"]) { a, _ in a },
                                         body: jsonBody(["scopes": ["read"]]))
            #expect(create.status == 403)
            // Any valid key may ask who it is.
            let me = try app.request("GET", "/v1/me", headers: bearer(writer))
            #expect(me.status == 200)
            #expect(try me.json()["scopes"] as? [String] == ["write"])
            #expect(try me.json()["tenant"] as? String == "acme")
        }
    }

    @Test func everyAuthenticatedAnswerCarriesRateLimitHeadersAnd429HasRetryAfter() async throws {
        let token = try app.makeKey(scopes: [.read], rateLimit: 3)
        let clock = app.clock
        // Put the clock 20 s into a minute.
        let minute = (clock.now.timeIntervalSince1970 / 60).rounded(.down) * 60
        clock.set(Date(timeIntervalSince1970: minute + 20))
        let reset = String(Int64(minute) + 60)
        try await blocking { [app, self] () throws in
            for remaining in [2, 1, 0] {
                let reply = try app.request("GET", "/v1/me", headers: bearer(token))
                #expect(reply.status == 200)
                #expect(reply.header("X-RateLimit-Limit") == "3")
                #expect(reply.header("X-RateLimit-Remaining") == String(remaining))
                #expect(reply.header("X-RateLimit-Reset") == reset)
            }
            let limited = try app.request("GET", "/v1/me", headers: bearer(token))
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.header("Retry-After") == "40")
            #expect(limited.header("X-RateLimit-Remaining") == "0")
            #expect(limited.header("X-RateLimit-Reset") == reset)
        }
        clock.advance(by: 40)
        try await blocking { [app, self] () throws in
            let again = try app.request("GET", "/v1/me", headers: bearer(token))
            #expect(again.status == 200)
            #expect(again.header("X-RateLimit-Remaining") == "2")
            // A 403 is counted and carries the headers too.
            let forbidden = try app.request("GET", "/v1/keys", headers: bearer(token))
            #expect(forbidden.status == 403)
            #expect(forbidden.header("X-RateLimit-Remaining") == "1")
        }
    }

    @Test func rateLimitIsExactUnderConcurrentRequests() async throws {
        let token = try app.makeKey(scopes: [.read], rateLimit: 25)
        let port = app.port
        let statuses = Mutex<[Int]>([])
        try await blocking { () throws in
            onThreads(80) { _ in
                let status = (try? http(port, "GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"]))?.status ?? -1
                statuses.withLock { $0.append(status) }
            }
        }
        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 200 }.count == 25)
        #expect(all.filter { $0 == 429 }.count == 55)
    }

    @Test func metricsForLoopbackOrAdminOnly() async throws {
        let reader = try app.makeKey(scopes: [.read])
        let admin = try app.makeKey(scopes: [.admin])
        try await blocking { [app, self] () throws in
            _ = try app.request("GET", "/healthz")
            _ = try app.request("BREW", "/pot-\(UUID().uuidString)")
            let local = try app.request("GET", "/metrics")
            #expect(local.status == 200)
            #expect(local.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(local.text.contains(#"leadline_http_requests_total{route="/healthz",method="GET",status="200"}"#))
            #expect(local.text.contains("leadline_http_request_duration_seconds_bucket"))
            #expect(local.text.contains("leadline_db_write_batch_size"))
            #expect(local.text.contains("leadline_db_wal_catch_ups_total"))
            #expect(local.text.contains("leadline_db_wal_bytes"))
            #expect(local.text.contains(#"route="unmatched",method="OTHER""#), "unknown methods and paths share one label value")
            #expect(!local.text.contains("BREW") && !local.text.contains("pot-"))
            // Behind a reverse proxy every request comes from loopback: a forwarded one needs the admin key.
            #expect(try app.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"]).status == 401)
            #expect(try app.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"].merging(bearer(reader)) { a, _ in a }).status == 403)
            #expect(try app.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9", "X-API-Key": admin]).status == 200)
        }
    }
}

@Suite struct KeysAPITests {
    let app: TestServer
    init() throws { app = try TestServer() }

    @Test func adminCreatesListsAndRevokesKeysOfItsOwnTenant() async throws {
        let admin = try app.makeKey(tenant: "acme", scopes: [.admin])
        let otherAdmin = try app.makeKey(tenant: "globex", scopes: [.admin])
        try await blocking { [app] () throws in
            let auth = ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"]
            let created = try app.request("POST", "/v1/keys", headers: auth,
                                          body: jsonBody(["name": "publisher A", "scopes": ["write"], "rate_limit_per_minute": 500]))
            #expect(created.status == 201)
            let body = try created.json()
            let id = try #require(body["id"] as? String)
            let token = try #require(body["key"] as? String)
            #expect(id.hasPrefix("key_"))
            #expect(body["tenant"] as? String == "acme")
            #expect(body["scopes"] as? [String] == ["write"])
            #expect(body["rate_limit_per_minute"] as? Int == 500)
            #expect(body["prefix"] as? String == String(token.prefix(11)))

            let me = try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(me.status == 200)
            #expect(me.header("X-RateLimit-Limit") == "500")

            let listed = try app.request("GET", "/v1/keys", headers: auth)
            #expect(listed.status == 200)
            #expect(!listed.text.contains(token), "a key is never shown again")
            let items = try #require(try listed.json()["items"] as? [[String: Any]])
            #expect(items.count == 2)

            // Another tenant's admin cannot see or revoke it.
            let foreign = try app.request("DELETE", "/v1/keys/\(id)", headers: ["Authorization": "Bearer \(otherAdmin)"])
            #expect(foreign.status == 404)
            let foreignList = try app.request("GET", "/v1/keys", headers: ["Authorization": "Bearer \(otherAdmin)"])
            #expect(!foreignList.text.contains(id))

            let revoked = try app.request("DELETE", "/v1/keys/\(id)", headers: auth)
            #expect(revoked.status == 200)
            #expect(try revoked.json()["revoked_at"] as? String != nil)
            #expect(try app.request("GET", "/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == 401)
        }
    }

    @Test func badKeyRequestsAre422NamingTheField() async throws {
        let admin = try app.makeKey(scopes: [.admin])
        try await blocking { [app] () throws in
            let auth = ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"]
            let unknownScope = try app.request("POST", "/v1/keys", headers: auth, body: jsonBody(["scopes": ["read", "root"]]))
            #expect(unknownScope.status == 422)
            #expect(unknownScope.text.contains(#""field":"scopes""#))
            let badLimit = try app.request("POST", "/v1/keys", headers: auth, body: jsonBody(["scopes": ["read"], "rate_limit_per_minute": -5]))
            #expect(badLimit.status == 422)
            #expect(badLimit.text.contains("rate_limit_per_minute"))
            let missing = try app.request("POST", "/v1/keys", headers: auth, body: jsonBody(["name": "x"]))
            #expect(missing.status == 422)
            #expect(missing.text.contains(#""field":"scopes""#))
            let wrongType = try app.request("POST", "/v1/keys", headers: ["Authorization": "Bearer \(admin)", "Content-Type": "text/plain"],
                                            body: jsonBody(["scopes": ["read"]]))
            #expect(wrongType.status == 415)
        }
    }
}
