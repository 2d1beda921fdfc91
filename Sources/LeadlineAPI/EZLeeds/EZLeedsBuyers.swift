import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' buyers: `POST/GET /api/v1/buyers/`, `GET /api/v1/buyers/match`, `GET/PATCH /api/v1/buyers/{id}`.
extension Routes {
    struct BuyerView: Encodable {
        let id: String, name: String, status: String
        @Nullable var paused_reason: String?
        let campaign_types: [String], states: [String], zip_codes: [String]
        @Nullable var bid_cents: Int?
        @Nullable var max_price_cents: Int?
        let exclusivity: String
        @Nullable var max_leads_per_hour: Int?
        @Nullable var max_leads_per_day: Int?
        @Nullable var max_leads_per_week: Int?
        @Nullable var max_leads_per_month: Int?
        @Nullable var monthly_budget_cents: Int?
        let timezone: String
        @Nullable var hours_of_operation: [String: DailyHours]?
        @Nullable var webhook_url: String?
        /// Whether a secret is set; the secret itself is never returned.
        let webhook_secret_set: Bool
        @Nullable var ping_url: String?
        @Nullable var post_url: String?
        let timeout_ms: Int
        @Nullable var response_parsing: ResponseRule?
        let bidding: String
        let billing: String
        @Nullable var credit_limit_cents: Int?
        @Nullable var return_cap_percent: Int?
        let auto_approve_returns: Bool
        let leads_purchased: Int, leads_accepted: Int, leads_returned: Int
        @Nullable var acceptance_rate: Double?
        @Nullable var avg_response_time_ms: Int?
        let total_spent_cents: Int
        let created_at: String, updated_at: String

        init(_ buyer: Buyer, _ performance: BuyerPerformance?) {
            let s = buyer.settings
            id = buyer.id; name = buyer.name; status = buyer.status.rawValue; paused_reason = buyer.pausedReason
            campaign_types = s.campaignTypes; states = s.states; zip_codes = s.zipCodes; bid_cents = s.bidCents
            max_price_cents = s.maxPriceCents; exclusivity = s.exclusivity.rawValue; max_leads_per_hour = s.maxLeadsPerHour
            max_leads_per_day = s.maxLeadsPerDay; max_leads_per_week = s.maxLeadsPerWeek; max_leads_per_month = s.maxLeadsPerMonth
            monthly_budget_cents = s.monthlyBudgetCents; timezone = s.timezone; hours_of_operation = s.hoursOfOperation
            webhook_url = s.webhookUrl; webhook_secret_set = buyer.hasWebhookSecret; ping_url = s.pingUrl; post_url = s.postUrl
            timeout_ms = s.timeoutMs; response_parsing = s.responseParsing; bidding = s.bidsLive ? "live" : "fixed"
            billing = s.billingMode.rawValue; credit_limit_cents = s.creditLimitCents; return_cap_percent = s.returnCapPercent
            auto_approve_returns = s.autoApproveReturns ?? true
            leads_purchased = performance?.leadsPurchased ?? 0; leads_accepted = performance?.leadsAccepted ?? 0
            leads_returned = performance?.leadsReturned ?? 0; acceptance_rate = performance?.acceptanceRate
            avg_response_time_ms = performance?.avgResponseTimeMs; total_spent_cents = performance?.totalSpentCents ?? 0
            created_at = buyer.createdAt; updated_at = buyer.updatedAt
        }
    }

    mutating func addEZLeedsBuyers(_ buyers: Buyers) {
        @Sendable func view(_ buyer: Buyer, tenantID: String) throws -> BuyerView {
            BuyerView(buyer, try buyers.performance(tenantID: tenantID, buyerIDs: [buyer.id])[buyer.id])
        }

        addAsync(.POST, "/api/v1/buyers") { request in
            let caller = try request.caller
            let buyer = try await buyers.create(tenantID: caller.tenantID, try request.decode(BuyerInput.self))
            return try .json(try view(buyer, tenantID: caller.tenantID), status: 201)
        }

        add(.GET, "/api/v1/buyers") { request in
            let caller = try request.caller
            let all = try buyers.all(tenantID: caller.tenantID)
            let performance = try buyers.performance(tenantID: caller.tenantID, buyerIDs: all.map(\.id))
            struct Item: Encodable {
                let id: String, name: String, status: String, bidding: String, campaign_types: [String], states: [String]
                @Nullable var bid_cents: Int?
                let exclusivity: String, leads_purchased: Int, total_spent_cents: Int
            }
            struct Page: Encodable { let items: [Item], total: Int }
            return try .json(Page(items: all.map { buyer in
                let numbers = performance[buyer.id]
                return Item(id: buyer.id, name: buyer.name, status: buyer.status.rawValue, bidding: buyer.settings.bidsLive ? "live" : "fixed",
                            campaign_types: buyer.settings.campaignTypes, states: buyer.settings.states, bid_cents: buyer.settings.bidCents,
                            exclusivity: buyer.settings.exclusivity.rawValue, leads_purchased: numbers?.leadsPurchased ?? 0,
                            total_spent_cents: numbers?.totalSpentCents ?? 0)
            }, total: all.count))
        }

        // Before /buyers/{id}, which would otherwise take "match" for an id.
        add(.GET, "/api/v1/buyers/match") { request in
            let caller = try request.caller
            let state = try Self.state(request.query["state"])
            let zip = request.query["zip_code"]?.trimmingSpaces
            if let zip, !zip.isEmpty, !LeadInput.isZip(zip) {
                throw HTTPError.validation([.init(field: "zip_code", reason: "must be 5 digits or 5+4")])
            }
            let profile = LeadProfile(campaignType: request.query["campaign_type"], state: state, zipCode: zip?.isEmpty == true ? nil : zip)
            let results = try buyers.match(tenantID: caller.tenantID, profile)
            struct Matched: Encodable {
                let buyer_id: String, name: String
                @Nullable var bid_cents: Int?
                let exclusivity: String, bidding: String
            }
            struct Excluded: Encodable { let buyer_id: String, name: String, reason: String, detail: String }
            struct Answer: Encodable { let matches: [Matched], excluded: [Excluded]? }
            var matches: [Matched] = [], excluded: [Excluded] = []
            for result in results {
                switch result.verdict {
                case .eligible(let bid):
                    matches.append(Matched(buyer_id: result.buyer.id, name: result.buyer.name, bid_cents: bid,
                                           exclusivity: result.buyer.settings.exclusivity.rawValue,
                                           bidding: result.buyer.settings.bidsLive ? "live" : "fixed"))
                case .excluded(let code, let detail):
                    excluded.append(Excluded(buyer_id: result.buyer.id, name: result.buyer.name, reason: code, detail: detail))
                }
            }
            // `explain=true` adds the buyers left out and why.
            return try .json(Answer(matches: matches, excluded: try request.booleanQuery("explain") == true ? excluded : nil))
        }

        add(.GET, "/api/v1/buyers/{id}") { request in
            let caller = try request.caller
            return try .json(try view(try buyers.buyer(tenantID: caller.tenantID, buyerID: try request.parameter("id")), tenantID: caller.tenantID))
        }

        addAsync(.PATCH, "/api/v1/buyers/{id}") { request in
            let caller = try request.caller
            let buyer = try await buyers.update(tenantID: caller.tenantID, buyerID: try request.parameter("id"), try request.decode(BuyerInput.self))
            return try .json(try view(buyer, tenantID: caller.tenantID))
        }
    }
}
