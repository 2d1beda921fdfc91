import Foundation
import HTTPServer
import LeadlineCore
import OutboundHTTP

/// EZLeeds' webhook testing, open to anyone (the reference marks it public): `POST /api/v1/webhook-test/send`,
/// `POST /api/v1/webhook-test/validate`, `GET /api/v1/webhook-test/sample-payload`.
extension Routes {
    /// Test sends per client address per minute: the endpoint needs no key and makes requests for its caller.
    static let webhookTestsPerMinute = 30
    static let webhookTestTimeout = Duration.seconds(10)

    static func samplePayload(at date: Date) -> WebhookEvent<DeliveredLead> {
        WebhookEvent(event: "lead.delivered", at: date, data: .sample)
    }

    mutating func addWebhookTest(outbound: OutboundClient, policy: AddressPolicy, clock: any Clock) {
        let limiter = self.limiter
        struct Send: Decodable { let url: String?, secret: String? }
        addAsync(.POST, "/api/v1/webhook-test/send", access: .open) { request in
            let decision = limiter.admit(key: "webhook-test:\(request.remoteAddress ?? "?")", limit: Self.webhookTestsPerMinute)
            guard decision.allowed else { throw HTTPError.tooManyRequests(retryAfter: decision.retryAfter) }
            let body = try request.decode(Send.self)
            var problems: [HTTPError.FieldError] = []
            var url = ""
            do throws(CoreError) { url = try TargetURL.checked(body.url ?? "", field: "url", policy: policy) } catch {
                problems += error.httpError.fields
            }
            let secret = body.secret ?? ""
            if secret.isEmpty { problems.append(.init(field: "secret", reason: "is required: the secret the payload is signed with")) }
            if secret.count > 512 { problems.append(.init(field: "secret", reason: "must be at most 512 characters")) }
            if !problems.isEmpty { throw HTTPError.validation(problems) }

            let event = Self.samplePayload(at: clock.now)
            let payload = try event.body()
            let signed = WebhookRequest.make(url: url, secret: secret, eventID: event.id, event: event.event, timestamp: event.timestamp,
                                               body: payload, timeout: Self.webhookTestTimeout, policy: policy)
            let result = await outbound.send(signed)
            if case .refused(let why) = result.failure { throw HTTPError.validation([.init(field: "url", reason: why)]) }
            if case .invalidURL(let why) = result.failure { throw HTTPError.validation([.init(field: "url", reason: why)]) }
            struct Answer: Encodable {
                @Nullable var status_code: Int?
                @Nullable var response_body: String?
                let latency_ms: Int, signature_sent: String, success: Bool
                /// Why no answer came (timed out, could not connect); only when none did.
                let error: String?
            }
            let response = result.response
            return try .json(Answer(status_code: response?.status, response_body: response.map { String($0.text.prefix(4096)) },
                                    latency_ms: result.milliseconds, signature_sent: WebhookSignature.sign(body: payload, secret: secret),
                                    success: response.map { (200..<300).contains($0.status) } ?? false,
                                    error: result.failure?.description))
        }

        struct Validate: Decodable { let payload: String?, signature: String?, secret: String? }
        add(.POST, "/api/v1/webhook-test/validate", access: .open) { request in
            let body = try request.decode(Validate.self)
            var problems: [HTTPError.FieldError] = []
            if body.payload == nil { problems.append(.init(field: "payload", reason: "is required: the raw body as received")) }
            if (body.signature ?? "").isEmpty { problems.append(.init(field: "signature", reason: "is required, e.g. sha256=…")) }
            if (body.secret ?? "").isEmpty { problems.append(.init(field: "secret", reason: "is required")) }
            if !problems.isEmpty { throw HTTPError.validation(problems) }
            let payload = Array(body.payload!.utf8)
            struct Answer: Encodable { let valid: Bool, expected_signature: String }
            return try .json(Answer(valid: WebhookSignature.isValid(body.signature!, body: payload, secret: body.secret!),
                                    expected_signature: WebhookSignature.sign(body: payload, secret: body.secret!)))
        }

        add(.GET, "/api/v1/webhook-test/sample-payload", access: .open) { _ in
            var response = Response(status: 200, body: .bytes(try Self.samplePayload(at: clock.now).body()))
            response.headers.set("Content-Type", "application/json")
            return response
        }
    }
}
