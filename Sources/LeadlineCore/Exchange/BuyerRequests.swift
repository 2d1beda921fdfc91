import Foundation
import OutboundHTTP

/// The requests Leadline makes to a buyer's own endpoints, and how their answers are read: a live ping to its
/// `ping_url` (what would you pay?) and a post to its `post_url` (here is the lead, do you take it?). Both are
/// signed like webhooks when the buyer has a secret, so a buyer can tell them from forgeries.
enum BuyerRequests {
    /// The most of a buyer's answer kept with the auction.
    static let keptResponseBytes = 2048
    /// How long a post may take; pings are bounded by the auction's deadline instead.
    static let postTimeout = Duration.seconds(10)

    /// What a buyer's `ping_url` receives: the ping's profile (no PII), its id and the floor.
    struct PingBody: Encodable {
        let ping_id: String
        let campaign_type: String?, state: String?, zip_code: String?, source: String?, phone_hash: String?
        let floor_price_cents: Int
        let expires_at: String
    }

    /// What a buyer's `post_url` receives: the lead at the price its bid locked.
    struct PostBody: Encodable {
        let ping_id: String?
        let price_cents: Int
        let lead: DeliveredLead
    }

    static func request(to url: String, event: String, id: String, body: [UInt8], secret: String?, at now: Date,
                        timeout: Duration, policy: AddressPolicy) -> OutboundRequest {
        var request = WebhookRequest.make(url: url, secret: secret, eventID: id, event: event, timestamp: Timestamp.format(now),
                                          body: body, timeout: timeout, policy: policy)
        request.maxResponseBytes = 64 << 10
        return request
    }

    /// What became of one request: the reading of the answer, or why there is none. `detail` says it for people.
    struct Answer: Sendable {
        enum Kind: Sendable { case yes, no, unreadable, timedOut, failed }
        let kind: Kind
        let priceCents: Int?
        let detail: String?
        let status: Int?
        let body: String?
        let milliseconds: Int
    }

    static func read(_ result: OutboundResult, rule: ResponseRule) -> Answer {
        let kept = result.response.map { String(decoding: $0.body.prefix(keptResponseBytes), as: UTF8.self) }
        switch result.outcome {
        case .failure(let failure):
            if case .timedOut = failure {
                return Answer(kind: .timedOut, priceCents: nil, detail: failure.description, status: nil, body: nil, milliseconds: result.milliseconds)
            }
            return Answer(kind: .failed, priceCents: nil, detail: failure.description, status: nil, body: nil, milliseconds: result.milliseconds)
        case .success(let response):
            switch rule.read(status: response.status, body: response.body) {
            case .failure(let unreadable):
                return Answer(kind: .unreadable, priceCents: nil, detail: unreadable.description, status: response.status, body: kept,
                              milliseconds: result.milliseconds)
            case .success(let reading):
                return Answer(kind: reading.accepted ? .yes : .no, priceCents: reading.priceCents, detail: reading.reason,
                              status: response.status, body: kept, milliseconds: result.milliseconds)
            }
        }
    }
}
