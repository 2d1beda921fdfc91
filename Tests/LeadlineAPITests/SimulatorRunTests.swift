import Foundation
import GRDB
import LeadlineCore
import LeadlineTesting
import Simulator
import Store
import Testing

/// `leadline simulate`: a scenario file run end to end by the real binary, the same report for the same seed, clear
/// refusals of bad scenario files, and the invariant checker catching each kind of breach.
@Suite struct SimulatorRunTests {
    let folder = TemporaryDirectory()

    /// A small scenario on a fast clock: two live buyers and a capped fixed one, a calling campaign with a
    /// destination, and a call platform sending duplicates and bad tokens.
    static let scenario = """
        {
          "name": "test", "seed": 7, "duration": "4m", "clock": {"start": "2026-11-24T16:00:00Z", "speed": 40},
          "campaigns": [{"name": "Auto", "campaign_type": "auto_insurance"}, {"name": "Solar", "campaign_type": "solar", "calling": true}],
          "buyers": [
            {"name": "Live", "count": 2, "bid_cents": "1500-3000", "latency_ms": 5, "jitter_ms": 5, "campaign_types": ["auto_insurance"], "return_rate": 0.2},
            {"name": "Capped", "live": false, "count": 1, "bid_cents": "2800", "max_leads_per_hour": 3, "campaign_types": ["auto_insurance"]}
          ],
          "destinations": [{"name": "Center", "phone": "5125550142", "campaign": "Solar"}],
          "traffic": {"leads_per_minute": 15, "campaign_types": {"auto_insurance": 0.7, "solar": 0.3}, "bad_rate": 0.1, "unconsented_rate": 0.1},
          "postbacks": {"delay_seconds": "0-20", "duplicate_rate": 0.5, "bad_token_rate": 0.5, "style": "retreaver"}
        }
        """

    func simulate(_ arguments: [String]) async throws -> LeadlineBinary.Outcome {
        try await blocking { try LeadlineBinary.run(["simulate"] + arguments) }
    }

    @Test func aScenarioFileRunsEndToEndAndReportsTheSameForTheSameSeed() async throws {
        let file = folder.file("test.json")
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let first = try await simulate([file, "--json", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(report["ok"] as? Bool == true)
        #expect(counts["leads"] == 60, "15 a minute for 4 minutes")
        #expect((counts["sold"] ?? 0) > 10 && (counts["returned"] ?? 0) > 0 && (counts["accepted"] ?? 0) > 0)
        #expect((counts["leads.bad"] ?? 0) > 0 && (counts["leads.unconsented"] ?? 0) > 0)
        let buyers = try #require(report["buyers"] as? [String: [String: Int]])
        #expect(Set(buyers.keys).isSuperset(of: ["Live 1", "Live 2", "Capped"]))
        #expect((buyers["Capped"]?["leads_won"] ?? 0) > 0)
        let invariants = try #require(report["invariants"] as? [String: Any])
        #expect((invariants["breaches"] as? [String]) == [])
        let checked = try #require(invariants["checked"] as? [String: Int])
        #expect((checked["sales"] ?? 0) == counts["sold"], "the server's sales are the ones the lead source saw")
        #expect((checked["calls"] ?? 0) > 0, "solar leads were called")
        let latency = try #require(report["latency"] as? [String: [String: Double]])
        #expect((latency["ping"]?["requests"] ?? 0) > 0 && (latency["ping"]?["p99_ms"] ?? -1) >= (latency["ping"]?["p50_ms"] ?? 0))

        // The same seed gives the same leads, auctions, sales and buyers. (Timings differ, and so may the postbacks: how
        // many calls end before the run does depends on the dialer's pace on a loaded machine.)
        let second = try await simulate([file, "--json", "--quiet"])
        let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        func leadSide(_ all: [String: Int]?) -> [String: Int] { (all ?? [:]).filter { !$0.key.hasPrefix("postbacks") } }
        #expect(leadSide(again["counts"] as? [String: Int]) == leadSide(counts))
        #expect(again["buyers"] as? [String: [String: Int]] == buyers)
    }

    @Test func badScenariosAreRefusedWithTheFieldNamed() async throws {
        let typo = folder.file("typo.json")
        try #"{"name": "x", "trafic": {}}"#.write(toFile: typo, atomically: true, encoding: .utf8)
        let refused = try await simulate([typo])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("trafic") && refused.stderr.contains("unknown field"))

        let invalid = folder.file("invalid.json")
        try #"{"buyers": [{"bid_cents": "cheap", "timeout_rate": 2}], "destinations": [{"campaign": "Nope"}]}"#
            .write(toFile: invalid, atomically: true, encoding: .utf8)
        let checked = try await simulate([invalid])
        #expect(checked.status == 2)
        #expect(checked.stderr.contains("buyers[0].bid_cents") && checked.stderr.contains("buyers[0].timeout_rate")
                && checked.stderr.contains("destinations[0].campaign"))
        #expect(try await simulate(["no-such-scenario"]).status == 2)

        // YAML reads the same, and is checked the same way.
        let yaml = folder.file("scenario.yaml")
        try """
            name: yaml day
            seed: 9
            clock: {speed: 30}
            buyers:
              - name: Live
                count: 2
                bid_cents: 1200-2400
            traffic:
              leads_per_minute: 30
              campaign_types: {auto_insurance: 1}
            """.write(toFile: yaml, atomically: true, encoding: .utf8)
        let parsed = try Scenario.parse(Data(contentsOf: URL(fileURLWithPath: yaml)), yaml: true).validated()
        #expect(parsed.name == "yaml day" && parsed.seed == 9 && parsed.clock.speed == 30 && parsed.buyers.first?.bidRange == 1200...2400)
        #expect(parsed.traffic.leadsPerMinute == 30 && parsed.traffic.inbound == 0.5, "what it leaves out keeps its default")
        let yamlTypo = folder.file("typo.yml")
        try "name: x\nbuyers:\n  - nmae: Live\n".write(toFile: yamlTypo, atomically: true, encoding: .utf8)
        let yamlRefused = try await simulate([yamlTypo])
        #expect(yamlRefused.status == 2 && yamlRefused.stderr.contains("nmae"))

        // The built-in ones are listed and shown as files to start from.
        let list = try await simulate(["--list"])
        #expect(list.status == 0 && list.stdout.contains("full-day") && list.stdout.contains("demo"))
        let shown = try await simulate(["--show", "full-day"])
        #expect(try Scenario.parse(Data(shown.stdout.utf8)).validated().clock.speed == 120)
    }

    @Test func theInvariantsCatchAnUnbalancedLedgerAnOversoldCapAndANightCall() async throws {
        try await blocking { () throws in
            let app = try TestServer(now: Timestamp.parse("2026-11-24T18:00:00Z")!)
            let key = try app.makeKey(scopes: [.read, .write, .admin])
            let tenant = try app.server.tenants.named("acme").id
            let buyer = try app.ezleeds("POST", "/api/v1/buyers", key: key, ["name": "Capped", "bid_cents": 1000, "max_leads_per_hour": 1])
                .json()["id"] as! String
            let lead = try app.lead(key: key, phone: "5127310142", state: "TX")
            let invariants = Invariants(store: app.server.store, buyers: app.server.buyers, blackouts: app.server.gate.blackouts)
            #expect(try invariants.check(tenantID: tenant).breaches == [])

            try app.server.store.writeNow { db in
                // Two sales in one hour to a buyer capped at one an hour.
                for id in ["sale_a", "sale_b"] {
                    try db.execute(sql: """
                        INSERT INTO lead_sales (id, tenant_id, lead_id, buyer_id, price_cents, exclusivity, status, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 1000, 'exclusive', 'delivered', '2026-11-24T18:05:00Z', '2026-11-24T18:05:00Z')
                        """, arguments: [id, tenant, lead, buyer])
                }
                // A transaction whose entries do not sum to zero.
                try db.execute(sql: """
                    INSERT INTO ledger_transactions (id, tenant_id, kind, amount_cents, description, actor, created_at)
                    VALUES ('cred_bad', ?, 'credit', 100, 'planted', 'test', '2026-11-24T18:05:00Z')
                    """, arguments: [tenant])
                try db.execute(sql: """
                    INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at)
                    VALUES ('cred_bad', ?, 'buyer:x', 100, '2026-11-24T18:05:00Z')
                    """, arguments: [tenant])
                // A call placed at 2 a.m. in Texas.
                try db.execute(sql: """
                    INSERT INTO call_attempts (id, tenant_id, lead_id, attempt_no, provider, to_number, status, lead_status_before,
                                               compliance, created_at, updated_at)
                    VALUES ('call_night', ?, ?, 1, 'simulator', '+15127310142', 'ended', 'new', '{}',
                            '2026-11-24T08:00:00Z', '2026-11-24T08:00:00Z')
                    """, arguments: [tenant, lead])
            }
            let found = try invariants.check(tenantID: tenant)
            let rules = Set(found.breaches.map(\.rule))
            #expect(rules == ["ledger balanced", "cap not oversold", "calls in calling hours"], "\(found.breaches)")
            #expect(found.breaches.contains { $0.rule == "cap not oversold" && $0.detail.contains("Capped bought 2") })
            #expect(found.breaches.contains { $0.rule == "calls in calling hours" && $0.detail.contains("call_night") })
        }
    }
}
