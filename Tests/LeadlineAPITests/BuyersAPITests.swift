import Foundation
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct BuyersAPITests {
    let app: TestServer
    let key: String

    /// Wednesday 2026-03-11 16:00 UTC: 12:00 in New York, 09:00 in Los Angeles.
    init() throws {
        app = try TestServer(now: Date(timeIntervalSince1970: 1_773_244_800))
        key = try app.makeKey()
    }

    func create(_ body: [String: Any]) throws -> [String: Any] {
        let reply = try app.ezleeds("POST", "/api/v1/buyers/", key: key, body)
        guard reply.status == 201 else { throw TestFailure("creating a buyer answered \(reply.status): \(reply.text)") }
        return try reply.json()
    }

    @Test func createGetPatchAsDocumentedAndTheSecretIsNeverShown() async throws {
        try await blocking { [self] () throws in
            let buyer = try create(["name": "Acme Legal Partners", "campaign_types": ["legal_pi", "legal_mass_tort"], "states": ["NV", "CA"],
                                    "bid_cents": 35_000, "max_price_cents": 50_000, "webhook_url": "https://acme.example.com/leads",
                                    "webhook_secret": "whsec_abc123"])
            let id = try #require(buyer["id"] as? String)
            #expect(id.hasPrefix("buyer_"))
            #expect(buyer["status"] as? String == "active")
            #expect(buyer["webhook_secret_set"] as? Bool == true)

            let detail = try app.ezleeds("GET", "/api/v1/buyers/\(id)", key: key)
            #expect(!detail.text.contains("whsec_abc123"))
            let fields = try detail.json()
            #expect(fields["campaign_types"] as? [String] == ["legal_pi", "legal_mass_tort"])
            #expect(fields["leads_purchased"] as? Int == 0)
            #expect(fields["acceptance_rate"] is NSNull)
            #expect(fields["avg_response_time_ms"] is NSNull)
            #expect(!(try app.ezleeds("GET", "/api/v1/buyers/", key: key).text.contains("whsec_abc123")))

            let patched = try app.ezleeds("PATCH", "/api/v1/buyers/\(id)", key: key, ["states": ["NV", "CA", "AZ"], "max_price_cents": 55_000]).json()
            #expect(patched["states"] as? [String] == ["NV", "CA", "AZ"])
            #expect(patched["max_price_cents"] as? Int == 55_000)
            #expect(patched["bid_cents"] as? Int == 35_000)
            #expect(patched["updated_at"] is String)

            // At rest the secret is sealed; only the server's key opens it.
            let tenantID = try app.server.tenants.named("acme").id
            let stored = try app.server.store.read { db in try Data.fetchOne(db, sql: "SELECT webhook_secret FROM buyers WHERE id = ?", arguments: [id]) }
            let sealed = try #require(stored)
            #expect(sealed.range(of: Data("whsec_abc123".utf8)) == nil)
            #expect(try app.server.buyers.webhookSecret(tenantID: tenantID, buyerID: id) == "whsec_abc123")
            let keyFile = try String(contentsOfFile: app.directory.file("leadline.db.secret-key"), encoding: .utf8)
            #expect(keyFile.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
            let mode = try FileManager.default.attributesOfItem(atPath: app.directory.file("leadline.db.secret-key"))[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func badSettingsAreNamed() async throws {
        try await blocking { [self] () throws in
            let none = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["states": ["NV"]])
            #expect(Set(none.fields) == ["name", "bid_cents"])
            let bad = try app.ezleeds("POST", "/api/v1/buyers", key: key, [
                "name": "B", "bid_cents": 60_000, "max_price_cents": 50_000, "states": ["NV", "ZZ"], "zip_codes": ["891", "8910"],
                "exclusivity": "sometimes", "timezone": "Nowhere/Land", "timeout_ms": 20, "ping_url": "http://10.0.0.5/ping",
                "hours_of_operation": ["funday": ["start": "09:00", "end": "17:00"], "monday": ["start": "18:00", "end": "09:00"]],
                "response_parsing": ["type": "regex", "accept_pattern": "^OK", "price_pattern": "(\\d+)-(\\d+)", "reason_pattern": "(["],
            ])
            #expect(bad.status == 422)
            #expect(Set(bad.fields) == ["states[1]", "zip_codes[1]", "exclusivity", "timezone", "timeout_ms", "ping_url",
                                        "hours_of_operation.funday", "hours_of_operation.monday", "response_parsing.price_pattern",
                                        "response_parsing.reason_pattern", "bid_cents"])
            let live = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Live", "ping_url": "https://bids.example.com/ping"])
            #expect(live.fields == ["post_url"])
            #expect(try app.ezleeds("GET", "/api/v1/buyers", key: key).json()["total"] as? Int == 0)
        }
    }

    @Test func matchAppliesFiltersHoursCapsAndBudget() async throws {
        let ids = try await blocking { [self] () throws -> [String: String] in
            var ids: [String: String] = [:]
            ids["pi"] = try create(["name": "PI NV", "campaign_types": ["legal_pi"], "states": ["NV"], "bid_cents": 30_000])["id"] as? String
            ids["zip"] = try create(["name": "Vegas only", "states": ["NV"], "zip_codes": ["891"], "bid_cents": 40_000,
                                     "exclusivity": "exclusive"])["id"] as? String
            ids["ca"] = try create(["name": "CA", "states": ["CA"], "bid_cents": 50_000])["id"] as? String
            // 09:00 in Los Angeles: open from 10:00.
            ids["late"] = try create(["name": "Opens at ten", "bid_cents": 45_000, "timezone": "America/Los_Angeles",
                                      "hours_of_operation": ["wednesday": ["start": "10:00", "end": "18:00"]]])["id"] as? String
            ids["capped"] = try create(["name": "One a day", "bid_cents": 60_000, "max_leads_per_day": 1])["id"] as? String
            ids["budget"] = try create(["name": "Small budget", "bid_cents": 25_000, "monthly_budget_cents": 40_000])["id"] as? String
            ids["paused"] = try create(["name": "Paused", "bid_cents": 90_000])["id"] as? String
            #expect(try app.ezleeds("PATCH", "/api/v1/buyers/\(ids["paused"]!)", key: key, ["status": "paused"]).status == 200)
            return ids
        }
        try await recordSale(app, lead: "7025550001", buyer: ids["capped"]!, campaign: nil, price: 60_000, status: "accepted")
        try await recordSale(app, lead: "7025550002", buyer: ids["budget"]!, campaign: nil, price: 25_000, status: "delivered")
        // Yesterday's sale does not count against today's cap.
        try await recordSale(app, lead: "7025550003", buyer: ids["pi"]!, campaign: nil, price: 30_000, status: "accepted",
                             at: app.clock.now.addingTimeInterval(-86_400))
        try await blocking { [self] () throws in
            let answer = try app.ezleeds("GET", "/api/v1/buyers/match?campaign_type=legal_pi&state=NV&zip_code=89101&explain=true", key: key).json()
            let matches = try #require(answer["matches"] as? [[String: Any]])
            #expect(matches.map { $0["buyer_id"] as? String } == [ids["zip"], ids["pi"]])
            #expect(matches.first?["bid_cents"] as? Int == 40_000)
            #expect(matches.first?["exclusivity"] as? String == "exclusive")
            let excluded = Dictionary(uniqueKeysWithValues: (answer["excluded"] as? [[String: Any]] ?? []).map {
                ($0["buyer_id"] as! String, $0["reason"] as! String)
            })
            #expect(excluded == [ids["ca"]!: "state", ids["late"]!: "outside_hours", ids["capped"]!: "capped",
                                 ids["budget"]!: "over_budget", ids["paused"]!: "paused"])

            // Another zip: the Vegas-only buyer drops out. Without explain, no excluded list.
            let elsewhere = try app.ezleeds("GET", "/api/v1/buyers/match?campaign_type=legal_pi&state=NV&zip_code=89501", key: key).json()
            #expect((elsewhere["matches"] as? [[String: Any]])?.map { $0["buyer_id"] as? String } == [ids["pi"]])
            #expect(elsewhere["excluded"] == nil)
            #expect(try app.ezleeds("GET", "/api/v1/buyers/match?state=XX", key: key).fields == ["state"])
        }
        // An hour later Los Angeles is open.
        app.clock.advance(by: 3600)
        try await blocking { [self] () throws in
            let later = try app.ezleeds("GET", "/api/v1/buyers/match?campaign_type=legal_pi&state=NV&zip_code=89101", key: key).json()
            #expect((later["matches"] as? [[String: Any]])?.contains { $0["buyer_id"] as? String == ids["late"] } == true)
        }
    }

    @Test func performanceComesFromSales() async throws {
        let id = try await blocking { [self] () throws -> String in try create(["name": "Acme", "bid_cents": 30_000])["id"] as! String }
        try await recordSale(app, lead: "7025550001", buyer: id, campaign: nil, price: 30_000, status: "accepted", responseMs: 100)
        try await recordSale(app, lead: "7025550002", buyer: id, campaign: nil, price: 30_000, status: "accepted", responseMs: 300)
        try await recordSale(app, lead: "7025550003", buyer: id, campaign: nil, price: 30_000, status: "rejected", responseMs: 200)
        try await blocking { [self] () throws in
            let buyer = try app.ezleeds("GET", "/api/v1/buyers/\(id)", key: key).json()
            #expect(buyer["leads_purchased"] as? Int == 2)
            #expect(buyer["acceptance_rate"] as? Double == 0.667)
            #expect(buyer["avg_response_time_ms"] as? Int == 200)
            #expect(buyer["total_spent_cents"] as? Int == 60_000)
        }
    }
}

@Suite struct ResponseRuleTests {
    func read(_ rule: ResponseRule, _ body: String) -> Result<ResponseRule.Reading, ResponseRule.Unreadable> { read(rule, 200, body) }

    func read(_ rule: ResponseRule, _ status: Int, _ body: String) -> Result<ResponseRule.Reading, ResponseRule.Unreadable> {
        rule.read(status: status, body: Array(body.utf8))
    }

    @Test func jsonPaths() throws {
        var rule = ResponseRule(type: .jsonPath)
        rule.acceptPath = "result.status"
        rule.pricePath = "result.bids.0.amount"
        rule.reasonPath = "result.message"
        rule.priceUnit = .dollars
        #expect(try read(rule, #"{"result": {"status": "Accepted", "bids": [{"amount": 12.5}]}}"#).get() ==
                .init(accepted: true, priceCents: 1250, reason: nil))
        #expect(try read(rule, #"{"result": {"status": "rejected", "message": "duplicate"}}"#).get() ==
                .init(accepted: false, priceCents: nil, reason: "duplicate"))
        #expect(read(rule, #"{"result": {}}"#) == .failure(.missing("result.status")))
        #expect(read(rule, "<xml/>") == .failure(.notJSON))
        #expect(read(rule, #"{"result": {"status": "ok", "bids": [{"amount": "lots"}]}}"#) == .failure(.badPrice("lots")))
        #expect(read(rule, 503, "busy") == .failure(.serverError(503)))
        #expect(try read(.standard, #"{"accepted": true, "price_cents": 3500}"#).get() == .init(accepted: true, priceCents: 3500, reason: nil))
        #expect(try read(.standard, #"{"accepted": false, "reason": "capped"}"#).get().accepted == false)
        // One name, with or without "$.", at the top of an object or (by index) an array; dollar signs in prices.
        var flat = ResponseRule(type: .jsonPath)
        flat.acceptPath = "$.ok"
        flat.pricePath = "price"
        flat.priceUnit = .dollars
        #expect(try read(flat, #"{"ok": "yes", "price": "$12.50"}"#).get() == .init(accepted: true, priceCents: 1250, reason: nil))
        #expect(try read(flat, #"{"ok": true, "price": " $ 7 "}"#).get() == .init(accepted: true, priceCents: 700, reason: nil))
        #expect(read(flat, #"{"ok": true, "price": "$$"}"#) == .failure(.badPrice("$$")))
        #expect(read(flat, #"[{"ok": true}]"#) == .failure(.missing("$.ok")))
        var indexed = ResponseRule(type: .jsonPath)
        indexed.acceptPath = "0.ok"
        indexed.pricePath = "$.0.cents"
        #expect(try read(indexed, #"[{"ok": 1, "cents": 950}]"#).get() == .init(accepted: true, priceCents: 950, reason: nil))
        #expect(read(indexed, #"[]"#) == .failure(.missing("0.ok")))
    }

    @Test func regexAndStatus() throws {
        var rule = ResponseRule(type: .regex)
        rule.acceptPattern = "<status>accepted</status>"
        rule.pricePattern = "<price_cents>(\\d+)</price_cents>"
        rule.reasonPattern = "<reason>(.*?)</reason>"
        #expect(try read(rule, "<response><status>accepted</status><price_cents>4200</price_cents></response>").get() ==
                .init(accepted: true, priceCents: 4200, reason: nil))
        #expect(try read(rule, "<response><status>rejected</status><reason>out of area</reason></response>").get() ==
                .init(accepted: false, priceCents: nil, reason: "out of area"))
        // The compiled patterns are kept: read again, alike.
        for _ in 0..<3 {
            #expect(try read(rule, "<response><status>accepted</status><price_cents>4200</price_cents></response>").get() ==
                    .init(accepted: true, priceCents: 4200, reason: nil))
        }
        var status = ResponseRule(type: .httpStatus)
        #expect(try read(status, 201, "").get().accepted)
        #expect(try read(status, 409, "").get() == .init(accepted: false, priceCents: nil, reason: "HTTP 409"))
        status.acceptStatuses = [200]
        #expect(try read(status, 201, "").get().accepted == false)
    }
}
