import CSV  // yaslab/CSV.swift: its `CSV` names its reader, apart from our importer's `CSVReader`
import Foundation
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

@Suite struct InvoicesAndReportsTests {
    @Test func aMonthClosesIntoInvoicesOnItsBoundary() async throws {
        try await blocking { () throws in
            // 2026-07-31T23:00:00Z: an hour before August.
            let market = try Market(now: Date(timeIntervalSince1970: 1_785_538_800))
            let admin = try market.adminKey()
            let invoiced = try market.buyer("Invoiced", ["bid_cents": 3000])
            let prepaid = try market.buyer("Prepaid", ["bid_cents": 2000, "billing": "prepaid"])
            _ = try market.app.ezleeds("POST", "/api/v1/billing/credits/add", key: admin, ["buyer_id": prepaid, "amount_cents": 10_000])
            let returned = try market.sell(to: invoiced)
            _ = try market.sell(to: invoiced)
            _ = try market.sell(to: prepaid)
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(returned)/return", key: market.key, ["reason": "fraud"]).status == 200)
            #expect((try market.billing("/api/v1/billing/invoices")["items"] as? [[String: Any]])?.isEmpty == true)

            // A sale in the last millisecond of July is July's; one in the first of August is not.
            market.app.clock.advance(by: 3600 - 0.001)
            _ = try market.sell(to: invoiced)
            market.app.clock.advance(by: 0.001)
            _ = try market.sell(to: invoiced)

            let items = try #require(try market.billing("/api/v1/billing/invoices")["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let july = try #require(items.first { $0["buyer_id"] as? String == invoiced })
            #expect(july["period"] as? String == "2026-07")
            #expect(july["leads"] as? Int == 3)
            #expect(july["charges_cents"] as? Int == 9000)
            #expect(july["credits_cents"] as? Int == 3000)
            #expect(july["amount_cents"] as? Int == 6000)
            #expect(july["status"] as? String == "open")
            #expect(july["created_at"] as? String == "2026-08-01T00:00:00.000Z")
            let paidByBalance = try #require(items.first { $0["buyer_id"] as? String == prepaid })
            #expect(paidByBalance["status"] as? String == "paid")
            #expect(paidByBalance["amount_cents"] as? Int == 2000)

            // Closing again changes nothing; the scoped view shows one buyer's.
            let again = try #require(try market.billing("/api/v1/billing/invoices")["items"] as? [[String: Any]])
            #expect(again.map { $0["id"] as? String } == items.map { $0["id"] as? String })
            #expect(again.map { $0["amount_cents"] as? Int } == items.map { $0["amount_cents"] as? Int })
            #expect((try market.billing("/api/v1/billing/invoices?buyer_id=\(prepaid)")["items"] as? [[String: Any]])?.count == 1)

            // Paying it credits what the buyer owed for July; August's sale is still owed.
            let id = try #require(july["id"] as? String)
            #expect(try market.app.ezleeds("POST", "/api/v1/billing/invoices/\(id)/pay", key: market.key).status == 403)
            let paid = try market.app.ezleeds("POST", "/api/v1/billing/invoices/\(id)/pay", key: admin)
            #expect(paid.status == 200)
            #expect(try paid.json()["status"] as? String == "paid")
            #expect(try market.app.ezleeds("POST", "/api/v1/billing/invoices/\(id)/pay", key: admin).status == 409)
            #expect(try market.billing("/api/v1/billing/usage?buyer_id=\(invoiced)")["balance_cents"] as? Int == -3000)
            #expect(try market.billing("/api/v1/billing/usage?buyer_id=\(invoiced)")["period"] as? String == "2026-08")
            #expect(try market.billing("/api/v1/billing/transactions?type=payment")["total"] as? Int == 1)
            #expect(try market.ledgerProblems() == [])
        }
    }

    @Test func reportsCountThePeriodAndTheExportReadsBackAsCSV() async throws {
        try await blocking { () throws in
            let market = try Market()
            let campaign = try #require(try market.app.ezleeds("POST", "/api/v1/campaigns", key: market.key, [
                "name": "NV PI", "campaign_type": "legal_pi", "states": ["NV"],
            ]).json()["id"] as? String)
            let acme = try market.buyer("Acme, \"Legal\" Partners", ["bid_cents": 4000])
            let sold = try (0..<3).map { _ in try market.sell(to: acme, campaign: campaign) }
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(sold[0])/accept", key: market.key).status == 200)
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(sold[1])/return", key: market.key, ["reason": "duplicate"]).status == 200)
            // A lead whose name a spreadsheet would run, with a comma, a quote and a line break in its notes-free fields.
            let formula = "=HYPERLINK(\"http://evil\",\"x\")"
            let reply = try market.app.ezleeds("POST", "/api/v1/leads/inbound", key: market.key, [
                "phone": TestPhones.next(), "first_name": formula, "last_name": "O'Neil, \"Jr\"\nSr", "state": "NV",
                "consent": ["consent_type": "tcpa_express_written", "consent_text": "I agree", "ip_address": "203.0.113.9"],
            ])
            #expect(reply.status == 201)

            let dashboard = try market.billing("/api/v1/reports/dashboard")
            #expect(dashboard["period"] as? String == "2026-07")
            #expect(dashboard["leads_total"] as? Int == 4)
            #expect(dashboard["leads_delivered"] as? Int == 3)
            #expect(dashboard["acceptance_rate"] as? Double == 0.667)
            #expect(dashboard["revenue_cents"] as? Int == 8000)
            #expect(dashboard["avg_lead_cost_cents"] as? Int == 4000)
            #expect(try market.billing("/api/v1/reports/dashboard?period=2026-06")["leads_total"] as? Int == 0)
            #expect(try market.billing("/api/v1/reports/dashboard?from=2026-07-25&to=2026-07-25")["leads_total"] as? Int == 4)
            #expect(try market.app.ezleeds("GET", "/api/v1/reports/dashboard?period=July", key: market.key).fields == ["period"])

            let line = try #require((try market.billing("/api/v1/reports/campaigns")["campaigns"] as? [[String: Any]])?.first)
            #expect(line["id"] as? String == campaign)
            #expect(line["leads"] as? Int == 3)
            #expect(line["accepted"] as? Int == 1)
            #expect(line["returned"] as? Int == 1)
            #expect(line["revenue_cents"] as? Int == 8000)
            let buyer = try #require((try market.billing("/api/v1/reports/buyers")["buyers"] as? [[String: Any]])?.first)
            #expect(buyer["leads_purchased"] as? Int == 3)
            #expect(buyer["total_spent_cents"] as? Int == 8000)

            let export = try market.app.ezleeds("GET", "/api/v1/reports/export?type=leads", key: market.key)
            #expect(export.status == 200)
            #expect(export.header("Content-Type") == "text/csv; charset=utf-8")
            let reader = try CSV(string: export.text, hasHeaderRow: true)
            let header = try #require(reader.headerRow)
            var rows: [[String: String]] = []
            while let row = reader.next() { rows.append(Dictionary(uniqueKeysWithValues: zip(header, row))) }
            #expect(rows.count == 4)
            let odd = try #require(rows.first { $0["first_name"]?.contains("HYPERLINK") == true })
            #expect(odd["first_name"] == "'" + formula)
            #expect(odd["last_name"] == "O'Neil, \"Jr\"\nSr")
            #expect(Set(rows.filter { $0["status"] == "returned" }.map { $0["id"] }) == [sold[1]])

            let transactions = try market.app.ezleeds("GET", "/api/v1/reports/export?type=transactions", key: market.key)
            let ledger = try CSV(string: transactions.text, hasHeaderRow: true)
            var kinds: [String] = []
            while let row = ledger.next() { kinds.append(row[2]) }
            #expect(kinds.sorted() == ["charge", "charge", "charge", "refund"])
            #expect(try market.app.ezleeds("GET", "/api/v1/reports/export?type=buyers", key: market.key).fields == ["type"])
        }
    }

    /// Random sales, accepts, returns, refunds, credits and payments: after every step the ledger balances, each
    /// buyer's balance is what its transactions add up to, and no sale is credited twice.
    @Test(arguments: [11, 2026, 90210]) func theLedgerBalancesWhateverHappens(seed: Int) async throws {
        try await blocking { () throws in
            var random = SplitMix64(seed: UInt64(seed))
            let market = try Market()
            let admin = try market.adminKey()
            let buyers = try (0..<3).map { i in
                try market.buyer("B\(i)", ["bid_cents": 1000 + 500 * i, "states": [["NV"], ["NV", "CA"], ["NV"]][i]])
            }
            var sold: [(lead: String, buyer: String)] = []
            var credited: Set<String> = []
            var expected: [String: Int] = [:]
            let price = Dictionary(uniqueKeysWithValues: buyers.enumerated().map { ($1, 1000 + 500 * $0) })
            for step in 0..<40 {
                switch Int.random(in: 0..<6, using: &random) {
                case 0, 1:
                    let buyer = buyers.randomElement(using: &random)!
                    sold.append((try market.sell(to: buyer), buyer))
                    expected[buyer, default: 0] -= price[buyer]!
                case 2 where !sold.isEmpty:
                    let sale = sold.randomElement(using: &random)!
                    _ = try market.app.ezleeds("POST", "/api/v1/leads/\(sale.lead)/accept", key: market.key)
                case 3 where !sold.isEmpty:
                    let sale = sold.randomElement(using: &random)!
                    let reply = try market.app.ezleeds("POST", "/api/v1/leads/\(sale.lead)/return", key: market.key, ["reason": "fraud"])
                    if reply.status == 200 {
                        #expect(!credited.contains(sale.lead), "step \(step): \(sale.lead) credited twice")
                        credited.insert(sale.lead)
                        expected[sale.buyer, default: 0] += price[sale.buyer]!
                    }
                case 4 where !sold.isEmpty:
                    let sale = sold.randomElement(using: &random)!
                    let reply = try market.app.ezleeds("POST", "/api/v1/billing/refund", key: admin, ["lead_id": sale.lead, "reason": "invalid"])
                    #expect(reply.status == (credited.contains(sale.lead) ? 409 : 200), "step \(step): \(reply.text)")
                    if reply.status == 200 {
                        credited.insert(sale.lead)
                        expected[sale.buyer, default: 0] += price[sale.buyer]!
                    }
                default:
                    let buyer = buyers.randomElement(using: &random)!
                    let cents = Int.random(in: 1...5000, using: &random)
                    let reply = try market.app.ezleeds("POST", "/api/v1/billing/credits/add", key: admin, [
                        "buyer_id": buyer, "amount_cents": cents, "source": Bool.random(using: &random) ? "payment" : "promotional",
                    ])
                    #expect(reply.status == 200)
                    expected[buyer, default: 0] += cents
                }
                #expect(try market.ledgerProblems() == [], "step \(step)")
            }
            for buyer in buyers {
                #expect(try market.billing("/api/v1/billing/usage?buyer_id=\(buyer)")["balance_cents"] as? Int == expected[buyer] ?? 0)
            }
            #expect(try market.billing("/api/v1/billing/transactions?type=refund")["total"] as? Int == credited.count)
        }
    }
}
