import Foundation
import LeadlineCore
import LeadlineTesting
import Synchronization
import Testing

extension Market {
    /// An admin key of the same tenant.
    func adminKey() throws -> String { try app.makeKey(scopes: [.admin]) }

    /// Pings, posts to `buyer`, and answers the sold lead's id.
    func sell(to buyer: String, campaign: String? = nil, phone: String = TestPhones.next()) throws -> String {
        var body: [String: Any] = ["campaign_type": "legal_pi", "state": "NV", "zip_code": "89101"]
        if let campaign { body["campaign_id"] = campaign }
        let ping = try self.ping(body)
        guard let pingID = try ping.json()["ping_id"] as? String else { throw TestFailure("no ping: \(ping.text)") }
        let post = try self.post(pingID, buyer: buyer, phone: phone)
        guard post.status == 200, try post.json()["accepted"] as? Bool == true, let lead = try post.json()["lead_id"] as? String else {
            throw TestFailure("not sold: \(post.text)")
        }
        return lead
    }

    func billing(_ path: String, key: String? = nil) throws -> [String: Any] {
        let reply = try app.ezleeds("GET", path, key: key ?? self.key)
        guard reply.status == 200 else { throw TestFailure("\(path): \(reply.status) \(reply.text)") }
        return try reply.json()
    }

    func ledgerProblems() throws -> [String] {
        try app.server.store.read { try Invariants.problems($0) }
    }
}

@Suite struct BillingAPITests {
    @Test func aSaleIsChargedAnAcceptMakesItFinalAndAReturnCreditsItOnce() async throws {
        try await blocking { () throws in
            let market = try Market()
            let admin = try market.adminKey()
            let buyer = try market.buyer("Acme Legal", ["bid_cents": 3500])
            let kept = try market.sell(to: buyer)
            let sent = try market.sell(to: buyer)

            let charges = try market.billing("/api/v1/billing/transactions?type=charge")
            #expect(charges["total"] as? Int == 2)
            let charge = try #require((charges["items"] as? [[String: Any]])?.first { $0["lead_id"] as? String == kept })
            #expect(charge["amount_cents"] as? Int == 3500)
            #expect(charge["description"] as? String == "Lead #\(kept.prefix(8)) delivered")

            let accept = try market.app.ezleeds("POST", "/api/v1/leads/\(kept)/accept", key: market.key)
            #expect(accept.status == 200)
            #expect(try accept.json()["status"] as? String == "accepted")
            #expect(try accept.json()["billing_event_id"] as? String == charge["id"] as? String)
            // Accepting twice answers the first acceptance; a return after it is refused, billing being final.
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(kept)/accept", key: market.key).json()["accepted_at"] as? String
                    == (try accept.json()["accepted_at"] as? String))
            let late = try market.app.ezleeds("POST", "/api/v1/leads/\(kept)/return", key: market.key, ["reason": "invalid_phone"])
            #expect(late.status == 409)
            #expect(late.errorCode == "already_accepted")

            let back = try market.app.ezleeds("POST", "/api/v1/leads/\(sent)/return", key: market.key,
                                              ["reason": "invalid_phone", "notes": "Number disconnected on first dial."])
            #expect(back.status == 200)
            let answer = try back.json()
            #expect(answer["status"] as? String == "returned")
            #expect(answer["return_reason"] as? String == "invalid_phone")
            #expect(answer["credit_issued"] as? Bool == true)
            #expect(answer["returned_at"] as? String == Timestamp.format(market.app.clock.now))
            #expect(try market.app.ezleeds("GET", "/api/v1/leads/\(sent)", key: market.key).json()["status"] as? String == "returned")

            // Credited once, whichever way is tried next.
            let again = try market.app.ezleeds("POST", "/api/v1/leads/\(sent)/return", key: market.key, ["reason": "invalid_phone"])
            #expect(again.status == 409)
            let refund = try market.app.ezleeds("POST", "/api/v1/billing/refund", key: admin, ["lead_id": sent, "reason": "invalid_phone"])
            #expect(refund.status == 409)
            #expect(refund.errorCode == "already_credited")
            #expect(refund.text.contains("invalid_phone"))

            let usage = try market.billing("/api/v1/billing/usage?buyer_id=\(buyer)")
            #expect(usage["leads_purchased"] as? Int == 2)
            #expect(usage["total_spend_cents"] as? Int == 3500)
            #expect(usage["balance_cents"] as? Int == -3500)
            #expect(usage["avg_cost_per_lead_cents"] as? Int == 3500)
            #expect(try market.billing("/api/v1/billing/transactions?type=refund")["total"] as? Int == 1)
            #expect(try market.ledgerProblems() == [])
        }
    }

    @Test func badReturnsAreExplainedFieldByField() async throws {
        try await blocking { () throws in
            let market = try Market()
            let buyer = try market.buyer("Acme", ["bid_cents": 1000])
            let lead = try market.sell(to: buyer)
            let bad = try market.app.ezleeds("POST", "/api/v1/leads/\(lead)/return", key: market.key, ["reason": "meh"])
            #expect(bad.status == 422)
            #expect(bad.fields == ["reason"])
            let other = try market.app.ezleeds("POST", "/api/v1/leads/\(lead)/return", key: market.key, ["reason": "other"])
            #expect(other.fields == ["notes"])
            // A lead never sold has nothing to return; a sold lead's status follows billing, not a PATCH.
            let unsold = try market.app.ezleeds("POST", "/api/v1/leads/inbound", key: market.key, [
                "phone": TestPhones.next(), "first_name": "Al",
                "consent": ["consent_type": "tcpa_express_written", "consent_text": "I agree", "ip_address": "203.0.113.9"],
            ])
            let unsoldID = try #require(try unsold.json()["id"] as? String)
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(unsoldID)/return", key: market.key, ["reason": "fraud"]).status == 409)
            let patch = try market.app.ezleeds("PATCH", "/api/v1/leads/\(lead)", key: market.key, ["status": "returned"])
            #expect(patch.status == 409)
            #expect(patch.errorCode == "use_return")
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(UUID().uuidString.lowercased())/accept", key: market.key).status == 404)
            // Admin-only endpoints refuse a read/write key.
            #expect(try market.app.ezleeds("POST", "/api/v1/billing/refund", key: market.key, ["lead_id": lead, "reason": "x"]).status == 403)
            #expect(try market.app.ezleeds("POST", "/api/v1/billing/credits/add", key: market.key, ["buyer_id": buyer, "amount_cents": 5]).status == 403)
            let admin = try market.adminKey()
            let credit = try market.app.ezleeds("POST", "/api/v1/billing/credits/add", key: admin, ["amount_cents": -5, "source": "gift"])
            #expect(Set(credit.fields) == ["buyer_id", "amount_cents", "source"])
        }
    }

    @Test func theReturnWindowClosesOnTheDayTheCampaignSays() async throws {
        try await blocking { () throws in
            let market = try Market()
            let campaign = try #require(try market.app.ezleeds("POST", "/api/v1/campaigns", key: market.key, [
                "name": "NV PI", "campaign_type": "legal_pi", "states": ["NV"], "return_window_days": 3,
            ]).json()["id"] as? String)
            let buyer = try market.buyer("Acme", ["bid_cents": 2000])
            let inTime = try market.sell(to: buyer, campaign: campaign)
            let late = try market.sell(to: buyer, campaign: campaign)
            market.app.clock.advance(by: 3 * 86_400 - 0.001)
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(inTime)/return", key: market.key, ["reason": "duplicate"]).status == 200)
            market.app.clock.advance(by: 0.001)
            let closed = try market.app.ezleeds("POST", "/api/v1/leads/\(late)/return", key: market.key, ["reason": "duplicate"])
            #expect(closed.status == 422)
            #expect(closed.fields == ["return_window"])
            #expect(closed.text.contains("3 day(s)"))
        }
    }

    @Test func buyersThatCannotPayAreLeftOutOfAuctions() async throws {
        try await blocking { () throws in
            let market = try Market()
            let admin = try market.adminKey()
            let prepaid = try market.buyer("Prepaid", ["bid_cents": 3000, "billing": "prepaid"])
            #expect(try market.auction(try market.ping().json()["ping_id"] as! String)[prepaid]?["reason"] as? String == "insufficient_funds")

            let credit = try market.app.ezleeds("POST", "/api/v1/billing/credits/add", key: admin,
                                                ["buyer_id": prepaid, "amount_cents": 5000, "reason": "Wire 2026-07-25"])
            #expect(credit.status == 200)
            #expect(try credit.json()["balance_cents"] as? Int == 5000)
            #expect((try credit.json()["credit_id"] as? String)?.hasPrefix("cred_") == true)
            _ = try market.sell(to: prepaid)
            #expect(try market.billing("/api/v1/billing/usage?buyer_id=\(prepaid)")["credits_remaining_cents"] as? Int == 2000)
            #expect(try bids(try market.ping()).isEmpty)

            // An invoiced buyer may owe up to its credit limit.
            let limited = try market.buyer("Limited", ["bid_cents": 3000, "credit_limit_cents": 4000])
            _ = try market.sell(to: limited)
            let ping = try market.ping()
            #expect(try bids(ping).isEmpty)
            #expect((try market.auction(try ping.json()["ping_id"] as! String)[limited]?["detail"] as? String)?.contains("credit_limit_cents (4000)") == true)
            // A returned lead's credit makes room again.
            let lead = try #require(try market.billing("/api/v1/billing/transactions?buyer_id=\(limited)")["items"] as? [[String: Any]]).first?["lead_id"] as? String
            #expect(try market.app.ezleeds("POST", "/api/v1/leads/\(try #require(lead))/return", key: market.key, ["reason": "fraud"]).status == 200)
            #expect(try bids(try market.ping()).map(\.buyer) == [limited])
            #expect(try market.ledgerProblems() == [])
        }
    }

    @Test func returnsOverTheCapAreRefusedAndUnapprovedOnesWaitForAnAdmin() async throws {
        try await blocking { () throws in
            let market = try Market()
            let admin = try market.adminKey()
            let buyer = try market.buyer("Careful", ["bid_cents": 1500, "return_cap_percent": 50, "auto_approve_returns": false])
            let first = try market.sell(to: buyer), second = try market.sell(to: buyer)
            let asked = try market.app.ezleeds("POST", "/api/v1/leads/\(first)/return", key: market.key, ["reason": "wrong_person"])
            #expect(asked.status == 200)
            #expect(try asked.json()["status"] as? String == "return_requested")
            #expect(try asked.json()["credit_issued"] as? Bool == false)
            #expect(try market.app.ezleeds("GET", "/api/v1/leads/\(first)", key: market.key).json()["status"] as? String == "delivered")

            let capped = try market.app.ezleeds("POST", "/api/v1/leads/\(second)/return", key: market.key, ["reason": "wrong_person"])
            #expect(capped.status == 409)
            #expect(capped.errorCode == "return_cap_reached")

            // The admin's refund approves the waiting return; a second refund is refused.
            let refund = try market.app.ezleeds("POST", "/api/v1/billing/refund", key: admin, ["lead_id": first, "reason": "approved"])
            #expect(refund.status == 200)
            #expect(try refund.json()["amount_cents"] as? Int == 1500)
            #expect(try refund.json()["status"] as? String == "processed")
            #expect(try market.app.ezleeds("GET", "/api/v1/leads/\(first)", key: market.key).json()["status"] as? String == "returned")
            #expect(try market.app.ezleeds("POST", "/api/v1/billing/refund", key: admin, ["lead_id": first, "reason": "again"]).status == 409)
            #expect(try market.billing("/api/v1/billing/usage")["total_spend_cents"] as? Int == 1500)
        }
    }

    @Test func concurrentReturnsOfOneLeadCreditItOnce() async throws {
        try await blocking { () throws in
            let market = try Market()
            let admin = try market.adminKey()
            let buyer = try market.buyer("Acme", ["bid_cents": 4200])
            let lead = try market.sell(to: buyer)
            let statuses = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 12) { i in
                let reply = i % 3 == 0
                    ? try? market.app.ezleeds("POST", "/api/v1/billing/refund", key: admin, ["lead_id": lead, "reason": "invalid"])
                    : try? market.app.ezleeds("POST", "/api/v1/leads/\(lead)/return", key: market.key, ["reason": "invalid_phone"])
                statuses.withLock { $0.append(reply?.status ?? 0) }
            }
            #expect(statuses.withLock { $0.filter { $0 == 200 }.count } == 1)
            #expect(statuses.withLock { $0.filter { $0 == 409 }.count } == 11)
            #expect(try market.billing("/api/v1/billing/transactions?type=refund")["total"] as? Int == 1)
            #expect(try market.billing("/api/v1/billing/usage?buyer_id=\(buyer)")["balance_cents"] as? Int == 0)
            #expect(try market.ledgerProblems() == [])
        }
    }
}
