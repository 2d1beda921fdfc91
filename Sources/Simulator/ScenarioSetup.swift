import Foundation

/// Sets a scenario's campaigns, buyers and destinations up on a server through its API, as an operator's script
/// would. It is safe to run again: an object with the scenario's name is changed, not added twice, so a restarted
/// `serve --demo` points its live buyers at the new mock servers' ports.
public struct ScenarioSetup: Sendable {
    /// One buyer the scenario set up, with the mock server behind a live one.
    public struct Buyer: Sendable {
        public let id: String
        public let name: String
        public let plan: Scenario.BuyerPlan
        public let mock: MockBuyer?
    }

    public struct Result: Sendable {
        public let campaignIDs: [String: String]
        public let buyers: [Buyer]
        public let destinationIDs: [String]
        /// The tenant's revenue postback URL, with its token.
        public let postbackURL: String
    }

    public let client: LeadlineClient
    public let scenario: Scenario

    public init(client: LeadlineClient, scenario: Scenario) {
        self.client = client
        self.scenario = scenario
    }

    public func run() async throws -> Result {
        var campaignIDs: [String: String] = [:]
        let existingCampaigns = try await named("/api/v1/campaigns")
        for plan in scenario.campaigns {
            var body: [String: Any] = ["name": plan.name, "campaign_type": plan.campaignType, "status": "active",
                                       "max_buyers_per_lead": plan.maxBuyersPerLead, "return_window_days": plan.returnWindowDays,
                                       "calling": plan.calling ? ["enabled": true] as [String: Any] : NSNull()]
            body["floor_price_cents"] = plan.floorPriceCents ?? NSNull()
            campaignIDs[plan.name] = try await upsert("/api/v1/campaigns", existing: existingCampaigns[plan.name], body)
        }

        let allTypes = Array(Set(scenario.campaigns.map(\.campaignType))).sorted()
        let existingBuyers = try await named("/api/v1/buyers")
        var buyers: [Buyer] = []
        var random = SplitMix64(seed: scenario.seed &* 31 &+ 7)
        for (planIndex, plan) in scenario.buyers.enumerated() {
            let range = plan.bidRange ?? 1000...1000
            for number in 1...plan.count {
                let name = plan.count == 1 ? plan.name : "\(plan.name) \(number)"
                var body: [String: Any] = [
                    "name": name, "status": "active", "campaign_types": plan.campaignTypes.isEmpty ? allTypes : plan.campaignTypes,
                    "states": plan.states, "exclusivity": plan.exclusivity, "timeout_ms": plan.timeoutMs,
                    "max_leads_per_hour": plan.maxLeadsPerHour ?? NSNull(), "max_leads_per_day": plan.maxLeadsPerDay ?? NSNull(),
                    "max_price_cents": plan.maxPriceCents ?? NSNull(), "auto_approve_returns": true,
                ]
                var mock: MockBuyer?
                if plan.live {
                    let behavior = MockBuyer.Behavior(
                        bidCents: range, latency: .milliseconds(plan.latencyMs), jitter: .milliseconds(plan.jitterMs),
                        timeoutRate: plan.timeoutRate, hang: .seconds(30), declineRate: plan.declineRate, rejectRate: plan.rejectRate,
                        format: MockBuyer.Behavior.Format(rawValue: plan.format) ?? .json)
                    let buyer = try MockBuyer(behavior, seed: scenario.seed &+ UInt64(planIndex * 1000 + number))
                    mock = buyer
                    body["ping_url"] = buyer.pingURL
                    body["post_url"] = buyer.postURL
                    // Signed like a real integration (the mock does not check it; the console shows it signed).
                    body["webhook_secret"] = "whsec_simulated_\(scenario.seed)_\(planIndex)_\(number)"
                    body["response_parsing"] = behavior.responseParsing ?? NSNull()
                    // A plain-text answer says yes or no only: the price is the buyer's own bid_cents.
                    body["bid_cents"] = behavior.format == .text ? range.lowerBound : NSNull()
                } else {
                    body["bid_cents"] = range.lowerBound + Int(random.unit() * Double(range.count))
                    body["ping_url"] = NSNull()
                    body["post_url"] = NSNull()
                }
                let id = try await upsert("/api/v1/buyers", existing: existingBuyers[name], body)
                buyers.append(Buyer(id: id, name: name, plan: plan, mock: mock))
            }
        }

        let existingDestinations = try await named("/api/v1/destinations")
        var destinationIDs: [String] = []
        for plan in scenario.destinations {
            let campaigns = plan.campaign.flatMap { campaignIDs[$0] }.map { [$0] } ?? []
            destinationIDs.append(try await upsert("/api/v1/destinations", existing: existingDestinations[plan.name], [
                "name": plan.name, "phone": plan.phone, "status": "active", "campaign_ids": campaigns, "price_cents": plan.priceCents,
                "max_concurrent_transfers": plan.maxConcurrentTransfers,
            ]))
        }

        let postback = await client.send("POST", "/api/v1/calling/postback-url")
        guard postback.ok, let url = postback["url"] as? String else { throw Self.failure("POST /api/v1/calling/postback-url", postback) }
        return Result(campaignIDs: campaignIDs, buyers: buyers, destinationIDs: destinationIDs, postbackURL: url)
    }

    /// The ids of a list's objects by name.
    func named(_ path: String) async throws -> [String: String] {
        let answer = await client.send("GET", path)
        guard answer.ok else { throw Self.failure("GET \(path)", answer) }
        var ids: [String: String] = [:]
        for item in answer.items { if let name = item["name"] as? String, let id = item["id"] as? String { ids[name] = id } }
        return ids
    }

    /// Changes the object when it exists, else creates it; its id.
    func upsert(_ path: String, existing: String?, _ body: [String: Any]) async throws -> String {
        let answer = if let existing { await client.send("PATCH", "\(path)/\(existing)", body) } else { await client.send("POST", path, body) }
        guard answer.ok, let id = answer["id"] as? String else {
            throw Self.failure("\(existing == nil ? "POST" : "PATCH") \(path)", answer)
        }
        return id
    }

    static func failure(_ what: String, _ answer: LeadlineClient.Answer) -> ScenarioError {
        let detail = answer.failure ?? ((answer["error"] as? [String: Any]).map { "\($0)" } ?? "")
        return ScenarioError(reason: "setting up: \(what) answered \(answer.status) \(detail)")
    }
}
