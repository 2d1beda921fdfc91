import Foundation
import LeadlineCore
import LeadlineTesting
import Testing

/// A sale recorded as the exchange records it, for tests of what is computed from sales.
func recordSale(_ app: TestServer, tenant: String = "acme", lead phone: String, buyer: String, campaign: String?, price: Int,
                status: String, at: Date? = nil, responseMs: Int = 100) async throws {
    let tenantID = try app.server.tenants.named(tenant).id
    let lead = try await app.server.leads.intake(tenantID: tenantID, LeadInput(phone: phone, state: "NV"), options: .init(actor: "test")).lead
    let stamp = Timestamp.format(at ?? app.clock.now)
    try await app.server.store.write { db in
        try db.execute(sql: """
            INSERT INTO lead_sales (id, tenant_id, lead_id, buyer_id, campaign_id, price_cents, exclusivity, status, response_ms, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'shared', ?, ?, ?, ?)
            """, arguments: [Identifier.make("sale"), tenantID, lead.id, buyer, campaign, price, status, responseMs, stamp, stamp])
    }
}

@Suite struct CampaignsAPITests {
    let app: TestServer
    let key: String

    init() throws {
        app = try TestServer()
        key = try app.makeKey()
    }

    @Test func createListGetAndPatchAsDocumented() async throws {
        try await blocking { [self] () throws in
            let created = try app.ezleeds("POST", "/api/v1/campaigns/", key: key, [
                "name": "NV Personal Injury Q2", "campaign_type": "legal_pi", "states": ["NV", "ca", "AZ"],
                "budget_cents": 5_000_000, "max_leads_per_day": 50, "delivery_webhook": "https://crm.example.com/leads",
            ])
            #expect(created.status == 201)
            let campaign = try created.json()
            let id = try #require(campaign["id"] as? String)
            #expect(id.hasPrefix("camp_"))
            #expect(campaign["status"] as? String == "active")
            #expect(campaign["states"] as? [String] == ["NV", "CA", "AZ"])
            #expect(campaign["created_at"] is String)

            let list = try app.ezleeds("GET", "/api/v1/campaigns/", key: key).json()
            #expect(list["total"] as? Int == 1)
            let item = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(item["leads_delivered"] as? Int == 0)
            #expect(item["budget_remaining_cents"] as? Int == 5_000_000)

            let patched = try app.ezleeds("PATCH", "/api/v1/campaigns/\(id)", key: key, ["status": "paused", "max_leads_per_day": 25])
            #expect(patched.status == 200)
            let after = try patched.json()
            #expect(after["status"] as? String == "paused")
            #expect(after["max_leads_per_day"] as? Int == 25)
            #expect(after["updated_at"] is String)
            // Left-out fields keep their values; null clears.
            #expect(after["budget_cents"] as? Int == 5_000_000)
            let cleared = try app.ezleeds("PATCH", "/api/v1/campaigns/\(id)", key: key, ["budget_cents": NSNull()]).json()
            #expect(cleared["budget_cents"] is NSNull)
            #expect(cleared["budget_remaining_cents"] is NSNull)
        }
    }

    @Test func badFieldsAreNamed() async throws {
        try await blocking { [self] () throws in
            let missing = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["states": ["XX"]])
            #expect(missing.status == 422)
            #expect(Set(missing.fields) == ["name", "campaign_type", "states[0]"])
            let bad = try app.ezleeds("POST", "/api/v1/campaigns", key: key, [
                "name": "x", "campaign_type": "legal pi!", "budget_cents": -5, "delivery_webhook": "http://127.0.0.1:9/hook",
                "timezone": "Mars/Olympus",
            ])
            #expect(Set(bad.fields) == ["campaign_type", "budget_cents", "delivery_webhook", "timezone"])
            let wrongType = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "x", "campaign_type": "a", "budget_cents": "lots"])
            #expect(wrongType.status == 422)
            #expect(wrongType.fields == ["budget_cents"])
            #expect(try app.ezleeds("GET", "/api/v1/campaigns/", key: key).json()["total"] as? Int == 0)
        }
    }

    @Test func metricsComeFromSales() async throws {
        let id = try await blocking { [self] () throws -> String in
            try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "PI", "campaign_type": "legal_pi", "budget_cents": 100_000])
                .json()["id"] as! String
        }
        let buyer = try await app.server.buyers.create(tenantID: try app.server.tenants.named("acme").id, {
            var input = BuyerInput(); input.name = .value("Acme Legal"); input.bidCents = .value(30_000); return input
        }())
        try await recordSale(app, lead: "7025550001", buyer: buyer.id, campaign: id, price: 30_000, status: "accepted")
        try await recordSale(app, lead: "7025550002", buyer: buyer.id, campaign: id, price: 20_000, status: "accepted")
        try await recordSale(app, lead: "7025550003", buyer: buyer.id, campaign: id, price: 40_000, status: "returned")
        try await recordSale(app, lead: "7025550004", buyer: buyer.id, campaign: id, price: 10_000, status: "rejected")
        try await blocking { [self] () throws in
            let campaign = try app.ezleeds("GET", "/api/v1/campaigns/\(id)", key: key).json()
            #expect(campaign["leads_delivered"] as? Int == 3)
            #expect(campaign["leads_accepted"] as? Int == 3)
            #expect(campaign["leads_returned"] as? Int == 1)
            #expect(campaign["acceptance_rate"] as? Double == 0.75)  // 3 of the 4 decided
            #expect(campaign["avg_cost_cents"] as? Int == 30_000)
            #expect(campaign["budget_remaining_cents"] as? Int == 50_000)  // returned and rejected leads cost nothing
        }
    }

    @Test func anotherTenantSeesNothing() async throws {
        try await blocking { [self] () throws in
            let id = try app.ezleeds("POST", "/api/v1/campaigns", key: key, ["name": "PI", "campaign_type": "legal_pi"]).json()["id"] as! String
            let other = try app.makeKey(tenant: "globex")
            #expect(try app.ezleeds("GET", "/api/v1/campaigns/\(id)", key: other).status == 404)
            #expect(try app.ezleeds("PATCH", "/api/v1/campaigns/\(id)", key: other, ["status": "paused"]).status == 404)
            #expect(try app.ezleeds("GET", "/api/v1/campaigns", key: other).json()["total"] as? Int == 0)
        }
    }
}
