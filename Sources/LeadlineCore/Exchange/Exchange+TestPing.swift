import Foundation
import HTTPServer
import OutboundHTTP

extension Exchange {
    /// What a test ping sent to a live buyer and what came back, byte for byte, with the reading its
    /// `response_parsing` rule makes of it: for an operator setting a buyer up.
    public struct TestPing: Sendable {
        public let url: String
        public let requestHeaders: [(name: String, value: String)]
        public let requestBody: String
        /// nil when no answer came (refused, timed out).
        public let status: Int?
        public let responseHeaders: [(name: String, value: String)]
        public let responseBody: String?
        public let milliseconds: Int
        /// `bid`, `no bid`, `unreadable`, `timed out` or `failed`.
        public let verdict: String
        public let priceCents: Int?
        /// The buyer's reason, or why the answer could not be read.
        public let detail: String?
    }

    /// Sends the buyer's `ping_url` a ping for `profile` as an auction would (signed when it has a secret, within its
    /// timeout) without storing an auction, reserving a cap or showing it to any other buyer.
    public func testPing(tenantID: String, buyerID: String, profile: PingInput.Profile) async throws -> TestPing {
        guard let entry = try buyers.entries(tenantID: tenantID).first(where: { $0.buyer.id == buyerID }) else {
            throw CoreError.notFound("buyer \(buyerID)")
        }
        let settings = entry.buyer.settings
        guard let url = settings.pingUrl else {
            throw CoreError.invalid([.init("ping_url", "the buyer has no ping_url: it bids a fixed price (\(settings.bidCents ?? 0) cents)")])
        }
        let now = clock.now
        let pingID = Identifier.make("ping_test")
        let body = try JSON.encode(BuyerRequests.PingBody(
            ping_id: pingID, campaign_type: profile.campaign_type, state: profile.state, zip_code: profile.zip_code, source: profile.source,
            phone_hash: profile.phone_hash, floor_price_cents: 0, expires_at: Timestamp.format(now.addingTimeInterval(60))))
        let request = BuyerRequests.request(to: url, event: "ping", id: pingID, body: body, secret: entry.secret, at: now,
                                            timeout: .milliseconds(settings.timeoutMs), policy: buyers.policy)
        let result = await outbound.send(request)
        let answer = BuyerRequests.read(result, rule: settings.responseParsing ?? .standard)
        let verdict = switch answer.kind {
        case .yes: "bid"
        case .no: "no bid"
        case .unreadable: "unreadable"
        case .timedOut: "timed out"
        case .failed: "failed"
        }
        return TestPing(url: url, requestHeaders: request.headers, requestBody: String(decoding: body, as: UTF8.self),
                        status: result.response?.status, responseHeaders: result.response?.headers ?? [],
                        responseBody: result.response.map { String(decoding: $0.body.prefix(16 << 10), as: UTF8.self) },
                        milliseconds: result.milliseconds, verdict: verdict, priceCents: answer.priceCents, detail: answer.detail)
    }
}
