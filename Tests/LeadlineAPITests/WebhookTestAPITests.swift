import Foundation
import LeadlineTesting
import Testing

@Suite struct WebhookTestAPITests {
    @Test func sendSignsTheSamplePayloadAsPythonWould() async throws {
        try await blocking { () throws in
            let server = try TestServer { $0.allowPrivateTargets = true }
            let receiver = try WebhookReceiver()
            let reply = try server.request("POST", "/api/v1/webhook-test/send", headers: ["Content-Type": "application/json"],
                                           body: jsonBody(["url": receiver.url, "secret": "whsec_abc123"]))
            #expect(reply.status == 200)
            let answer = try reply.json()
            #expect(answer["status_code"] as? Int == 200)
            #expect(answer["response_body"] as? String == "OK")
            #expect(answer["success"] as? Bool == true)
            #expect((answer["latency_ms"] as? Int).map { $0 >= 0 } == true)

            let delivery = try #require(receiver.deliveries.first)
            let signature = try #require(answer["signature_sent"] as? String)
            #expect(delivery.header("X-Signature") == signature)
            #expect(signature == "sha256=" + (try pythonHMACSHA256(secret: "whsec_abc123", body: delivery.body)))
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
            #expect(payload["event"] as? String == "lead.delivered")
            #expect(delivery.header("X-Webhook-Id") == payload["id"] as? String)
            #expect(delivery.header("X-Webhook-Timestamp") == payload["timestamp"] as? String)
            #expect((payload["data"] as? [String: Any])?["sold_price_cents"] as? Int == 35000)

            // A receiver answering 500 is reported, not an error of ours.
            receiver.answer(500)
            let failing = try server.request("POST", "/api/v1/webhook-test/send", headers: ["Content-Type": "application/json"],
                                             body: jsonBody(["url": receiver.url, "secret": "s"])).json()
            #expect(failing["status_code"] as? Int == 500)
            #expect(failing["success"] as? Bool == false)
        }
    }

    @Test func sendRefusesInsideAddressesByDefault() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let receiver = try WebhookReceiver()
            for url in [receiver.url, "http://localhost:\(receiver.server.port)/hook", "http://169.254.169.254/latest/meta-data/",
                        "http://10.0.0.7/hook", "http://[::1]:\(receiver.server.port)/hook", "ftp://example.com/x", "not a url"] {
                let reply = try server.request("POST", "/api/v1/webhook-test/send", headers: ["Content-Type": "application/json"],
                                               body: jsonBody(["url": url, "secret": "s"]))
                #expect(reply.status == 422, "\(url)")
                #expect(reply.fields == ["url"], "\(url)")
            }
            #expect(receiver.deliveries.isEmpty)
            let missing = try server.request("POST", "/api/v1/webhook-test/send", headers: ["Content-Type": "application/json"], body: jsonBody([:]))
            #expect(Set(missing.fields) == ["url", "secret"])
        }
    }

    @Test func aDeadEndpointIsReportedAsAFailedSend() async throws {
        try await blocking { () throws in
            let server = try TestServer { $0.allowPrivateTargets = true }
            // A port nothing listens on: the connection is refused at once.
            let closed = try WebhookReceiver()
            let port = closed.server.port
            closed.server.server.stop()
            let answer = try server.request("POST", "/api/v1/webhook-test/send", headers: ["Content-Type": "application/json"],
                                            body: jsonBody(["url": "http://127.0.0.1:\(port)/hook", "secret": "s"])).json()
            #expect(answer["success"] as? Bool == false)
            #expect(answer["status_code"] is NSNull)
            #expect(answer["error"] as? String != nil)
        }
    }

    @Test func validateComparesSignatures() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let payload = #"{"lead_id": "a1b2c3d4-..."}"#
            let expected = "sha256=" + (try pythonHMACSHA256(secret: "whsec_abc123", body: Array(payload.utf8)))
            func validate(_ signature: String) throws -> [String: Any] {
                try server.request("POST", "/api/v1/webhook-test/validate", headers: ["Content-Type": "application/json"],
                                   body: jsonBody(["payload": payload, "signature": signature, "secret": "whsec_abc123"])).json()
            }
            let good = try validate(expected)
            #expect(good["valid"] as? Bool == true)
            #expect(good["expected_signature"] as? String == expected)
            #expect(try validate(expected.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="))["valid"] as? Bool == true)
            #expect(try validate("sha256=" + String(repeating: "0", count: 64))["valid"] as? Bool == false)
            #expect(try validate("nonsense")["valid"] as? Bool == false)
            let missing = try server.request("POST", "/api/v1/webhook-test/validate", headers: ["Content-Type": "application/json"],
                                             body: jsonBody(["payload": payload]))
            #expect(missing.status == 422)
            #expect(Set(missing.fields) == ["signature", "secret"])
        }
    }

    @Test func samplePayloadHasTheDocumentedShape() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let reply = try server.request("GET", "/api/v1/webhook-test/sample-payload")
            #expect(reply.status == 200)
            let sample = try reply.json()
            #expect(sample["event"] as? String == "lead.delivered")
            #expect(sample["timestamp"] is String)
            let data = try #require(sample["data"] as? [String: Any])
            #expect(Set(data.keys) == ["lead_id", "first_name", "last_name", "email", "phone", "state", "zip_code", "campaign_type",
                                       "score", "consent_certificate_id", "sold_price_cents"])
            #expect(data["phone"] as? String == "+17025551234")
            #expect(data["score"] as? Int == 87)
        }
    }
}
