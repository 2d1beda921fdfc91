import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' ping-post: `POST /api/v1/pingpost/ping` and `POST /api/v1/pingpost/post` (X-Compliance-API-Key), plus
/// `GET /api/v1/pingpost/pings/{id}`, the stored auction with each buyer's outcome.
extension Routes {
    /// Any JSON value, decoded only to learn that a field was sent.
    struct Sent: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    struct PingBody: Decodable {
        let campaign_type: String?, state: String?, zip_code: String?, source: String?, campaign_id: String?, phone_hash: String?
        // Personal data a ping must not carry.
        let phone: Sent?, email: Sent?, first_name: Sent?, last_name: Sent?, address: Sent?, ip_address: Sent?

        var input: PingInput {
            let personal: [(String, Sent?)] = [("phone", phone), ("email", email), ("first_name", first_name), ("last_name", last_name),
                                               ("address", address), ("ip_address", ip_address)]
            return PingInput(campaignType: campaign_type, state: state, zipCode: zip_code, source: source, campaignID: campaign_id,
                             phoneHash: phone_hash, personalFields: personal.filter { $0.1 != nil }.map(\.0))
        }
    }

    /// The ping's answer, written by hand (every ping answers one): keys sorted, as `Response.json` would write it.
    static func pingAnswer(_ record: PingRecord) -> Response {
        let bids = record.bids.map { bid in
            var json = CanonicalJSON()
            json.add("bid_cents", bid.bid_cents ?? 0)
            json.add("buyer_id", bid.buyer_id)
            json.add("buyer_name", bid.buyer_name)
            json.add("exclusivity", bid.exclusivity)
            return json
        }
        var answer = CanonicalJSON()
        answer.add("bids", json: CanonicalJSON.array(bids))
        answer.add("expires_at", record.expiresAt)
        answer.add("floor_price_cents", record.floorPriceCents)
        answer.add("ping_id", record.id)
        var response = Response(status: 200, body: .bytes(answer.finished()))
        response.headers.set("Content-Type", "application/json")
        return response
    }

    struct PostBody: Decodable {
        struct Lead: Decodable {
            let first_name: String?, last_name: String?, phone: String?, email: String?, state: String?, zip_code: String?
        }
        let ping_id: String?, buyer_id: String?, lead: Lead?, consent: EZLeedsInbound.Consent?

        var input: PostInput {
            let lead = lead
            return PostInput(pingID: ping_id, buyerID: buyer_id,
                             lead: EZLeedsInbound(first_name: lead?.first_name, last_name: lead?.last_name, email: lead?.email,
                                                  phone: lead?.phone, state: lead?.state, zip_code: lead?.zip_code, campaign_type: nil,
                                                  source: nil, consent: consent).input)
        }
    }

    struct PostAnswer: Encodable {
        struct Attempt: Encodable {
            let buyer_id: String, price_cents: Int, status: String
            @Nullable var reason: String?
            @Nullable var response_ms: Int?
        }
        let accepted: Bool, lead_id: String, buyer_id: String, price_cents: Int
        @Nullable var consent_certificate_id: String?
        let delivery_status: String
        /// Every buyer offered the lead, in order (more than one when the first said no and the next bid was tried).
        let attempts: [Attempt]

        init(_ result: PostResult) {
            accepted = result.accepted
            lead_id = result.lead.id
            buyer_id = result.buyerID
            price_cents = result.priceCents
            consent_certificate_id = result.lead.consentCertificateID
            delivery_status = result.deliveryStatus
            attempts = result.attempts.map { Attempt(buyer_id: $0.buyerID, price_cents: $0.priceCents, status: $0.status.rawValue,
                                                     reason: $0.reason, response_ms: $0.milliseconds) }
        }
    }

    mutating func addEZLeedsPingPost(_ exchange: Exchange) {
        addAsync(.POST, "/api/v1/pingpost/ping", access: .complianceOrWrite) { request in
            let caller = try request.caller
            let record = try await exchange.ping(tenantID: caller.tenantID, try request.decode(PingBody.self).input)
            return Self.pingAnswer(record)
        }

        addAsync(.POST, "/api/v1/pingpost/post", access: .complianceOrWrite) { request in
            let caller = try request.caller
            let result = try await exchange.post(tenantID: caller.tenantID, try request.decode(PostBody.self).input, actor: request.eventActor)
            return try .json(PostAnswer(result))
        }

        add(.GET, "/api/v1/pingpost/pings/{id}", access: .anyOf([.read, .compliance])) { request in
            let caller = try request.caller
            let report = try exchange.report(tenantID: caller.tenantID, pingID: try request.parameter("id"))
            return try .json(AuctionView(report))
        }
    }

    /// The stored auction: what was pinged, every buyer's outcome, and for each why it won or lost.
    struct AuctionView: Encodable {
        struct Buyer: Encodable {
            let buyer_id: String, buyer_name: String, outcome: String
            @Nullable var reason: String?
            @Nullable var detail: String?
            @Nullable var bid_cents: Int?
            let bidding: String, exclusivity: String
            @Nullable var response_ms: Int?
            @Nullable var response_status: Int?
            @Nullable var response_body: String?
            let result: String
        }
        let ping_id: String, status: String, profile: PingInput.Profile
        @Nullable var campaign_id: String?
        @Nullable var lead_id: String?
        let floor_price_cents: Int, deadline_ms: Int, took_ms: Int, created_at: String, expires_at: String
        let buyers: [Buyer]

        init(_ report: AuctionReport) {
            let record = report.record
            ping_id = record.id; status = record.status.rawValue; profile = record.profile; campaign_id = record.campaignID
            lead_id = record.leadID; floor_price_cents = record.floorPriceCents; deadline_ms = record.deadlineMs; took_ms = record.tookMs
            created_at = record.createdAt; expires_at = record.expiresAt
            buyers = record.outcomes.map { outcome in
                Buyer(buyer_id: outcome.buyer_id, buyer_name: outcome.buyer_name, outcome: outcome.outcome.rawValue, reason: outcome.reason,
                      detail: outcome.detail, bid_cents: outcome.bid_cents, bidding: outcome.bidding, exclusivity: outcome.exclusivity,
                      response_ms: outcome.ms, response_status: outcome.response_status, response_body: outcome.response_body,
                      result: report.explanation(for: outcome))
            }
        }
    }
}
