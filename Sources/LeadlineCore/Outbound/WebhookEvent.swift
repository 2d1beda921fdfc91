import Foundation
import OutboundHTTP

/// What every webhook body looks like: `{"id": "evt_…", "event": "lead.delivered", "timestamp": "…", "data": {…}}`.
/// The reference shows `event`, `timestamp` and `data`; `id` is added so a receiver can drop a retried delivery it
/// already processed (it is also sent as the `X-Webhook-Id` header).
public struct WebhookEvent<Payload: Encodable & Sendable>: Encodable, Sendable {
    public let id: String
    public let event: String
    public let timestamp: String
    public let data: Payload

    public init(id: String = Identifier.make("evt"), event: String, at date: Date, data: Payload) {
        self.id = id
        self.event = event
        self.timestamp = Timestamp.format(date)
        self.data = data
    }

    /// The body exactly as it is signed and sent.
    public func body() throws -> [UInt8] {
        try StoredJSON.bytes(self)
    }
}

/// The request that delivers a signed webhook body.
public enum WebhookRequest {
    public static let signatureHeader = "X-Signature"
    public static let timestampHeader = "X-Webhook-Timestamp"
    public static let idHeader = "X-Webhook-Id"
    public static let eventHeader = "X-Webhook-Event"

    /// Without a secret the request is sent unsigned (a buyer that set none).
    public static func make(url: String, secret: String?, eventID: String, event: String, timestamp: String, body: [UInt8],
                            timeout: Duration, policy: AddressPolicy) -> OutboundRequest {
        var headers = [("Content-Type", "application/json")]
        if let secret { headers.append((signatureHeader, WebhookSignature.sign(body: body, secret: secret))) }
        headers += [(timestampHeader, timestamp), (idHeader, eventID), (eventHeader, event)]
        return OutboundRequest(url: url, headers: headers, body: body, timeout: timeout, maxResponseBytes: 16 << 10, policy: policy)
    }
}

/// The lead a `lead.delivered` webhook carries: the reference's sample payload's `data`.
public struct DeliveredLead: Codable, Sendable, Equatable {
    public var lead_id: String
    public var first_name: String?
    public var last_name: String?
    public var email: String?
    public var phone: String
    public var state: String?
    public var zip_code: String?
    public var campaign_type: String?
    public var score: Int
    public var consent_certificate_id: String?
    public var sold_price_cents: Int?

    public init(_ lead: Lead, soldPriceCents: Int?) {
        lead_id = lead.id; first_name = lead.firstName; last_name = lead.lastName; email = lead.email; phone = lead.phone
        state = lead.state; zip_code = lead.zipCode; campaign_type = lead.campaignType; score = lead.score
        consent_certificate_id = lead.consentCertificateID; sold_price_cents = soldPriceCents
    }

    init(lead_id: String, first_name: String?, last_name: String?, email: String?, phone: String, state: String?,
         zip_code: String?, campaign_type: String?, score: Int, consent_certificate_id: String?, sold_price_cents: Int?) {
        self.lead_id = lead_id; self.first_name = first_name; self.last_name = last_name; self.email = email
        self.phone = phone; self.state = state; self.zip_code = zip_code; self.campaign_type = campaign_type
        self.score = score; self.consent_certificate_id = consent_certificate_id; self.sold_price_cents = sold_price_cents
    }

    private enum CodingKeys: String, CodingKey {
        case lead_id, first_name, last_name, email, phone, state, zip_code, campaign_type, score, consent_certificate_id, sold_price_cents
    }

    /// Every field always present; an unknown value is `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lead_id, forKey: .lead_id)
        try container.encode(first_name, forKey: .first_name)
        try container.encode(last_name, forKey: .last_name)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(state, forKey: .state)
        try container.encode(zip_code, forKey: .zip_code)
        try container.encode(campaign_type, forKey: .campaign_type)
        try container.encode(score, forKey: .score)
        try container.encode(consent_certificate_id, forKey: .consent_certificate_id)
        try container.encode(sold_price_cents, forKey: .sold_price_cents)
    }

    /// The reference's sample (`GET /api/v1/webhook-test/sample-payload`), field for field.
    public static let sample = DeliveredLead(
        lead_id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", first_name: "Jane", last_name: "Doe", email: "jane@example.com",
        phone: "+17025551234", state: "NV", zip_code: "89101", campaign_type: "legal_pi", score: 87,
        consent_certificate_id: "cert_abc123def456", sold_price_cents: 35000)
}
