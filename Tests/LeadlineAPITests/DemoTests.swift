import Foundation
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// `serve --demo`: what it seeds, that it never writes into other data, and that its traffic sells leads through the
/// real API to the demo's mock buyers.
@Suite struct DemoTests {
    @Test func seedsAnEmptyDatabaseOnceAndPicksTheDemoUpAgain() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let users = app.server.console.users
            let first = try #require(try DemoSeed.prepare(tenants: app.server.tenants, keys: app.server.keys, users: users))
            #expect(first.key != nil && first.adminEmail == DemoSeed.adminEmail)
            let password = try #require(first.adminPassword)
            #expect(try users.authenticate(email: DemoSeed.adminEmail, password: password) != nil, "the printed password signs in")

            // A restart: no new tenant, user or printed key; the traffic key is replaced and the old one revoked.
            let again = try #require(try DemoSeed.prepare(tenants: app.server.tenants, keys: app.server.keys, users: users))
            #expect(again.key == nil && again.adminPassword == nil && again.tenant.id == first.tenant.id)
            let keys = try app.server.keys.list(tenantID: first.tenant.id)
            #expect(keys.first { $0.id == first.trafficKey.key.id }?.revokedAt != nil)
            #expect(keys.first { $0.id == again.trafficKey.key.id }?.revokedAt == nil)
            #expect(try users.count() == 1)

            // A database holding anything else is left alone.
            _ = try app.server.tenants.create(name: "acme")
            #expect(try DemoSeed.prepare(tenants: app.server.tenants, keys: app.server.keys, users: users) == nil)
        }
    }

    @Test func theDemoSetsItselfUpThroughTheAPIAndSellsLeads() async throws {
        let app = try TestServer { $0.allowPrivateTargets = true }
        defer { app.stop() }
        let seeded = try #require(try DemoSeed.prepare(tenants: app.server.tenants, keys: app.server.keys, users: app.server.console.users))
        let flow = DemoFlow(base: "http://127.0.0.1:\(app.port)", key: seeded.trafficKey.token)
        try await flow.start(clockStart: app.clock.now)
        defer { flow.stop() }

        // The warm-up burst alone sells leads to the live mock buyers.
        var sold = 0
        for _ in 0..<300 where sold < 3 {
            try await Task.sleep(for: .milliseconds(100))
            sold = flow.snapshot[count: "sold"]
        }
        #expect(sold >= 3)
        let key = try #require(seeded.key).token
        @Sendable func names(_ path: String) throws -> [String] {
            (try app.ezleeds("GET", path, key: key).json()["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        let purchased = try await blocking {
            (try app.ezleeds("GET", "/api/v1/buyers", key: key).json()["items"] as? [[String: Any]] ?? [])
                .reduce(0) { $0 + ($1["leads_purchased"] as? Int ?? 0) }
        }
        #expect(Set(try await blocking { try names("/api/v1/buyers") })
                == ["Harbor Insurance Group", "Summit Auto Leads", "Beacon Direct", "Pioneer Mutual"])
        #expect(purchased >= 3)
        #expect(try await blocking { try names("/api/v1/campaigns") }.count == 2)
        #expect(try await blocking { try names("/api/v1/destinations") } == ["Evergreen Solar call center"])

        // Set up again (a restarted demo): the same objects, changed, not doubled.
        let second = DemoFlow(base: "http://127.0.0.1:\(app.port)", key: seeded.trafficKey.token)
        try await second.start(clockStart: app.clock.now)
        second.stop()
        #expect(try await blocking { try names("/api/v1/buyers") }.count == 4)
    }
}
