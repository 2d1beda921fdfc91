import Foundation
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct ConsentAPITests {
    let app: TestServer
    let compliance: String
    let writer: String

    init() throws {
        app = try TestServer()
        compliance = try app.makeKey(scopes: [.compliance, .read])
        writer = try app.makeKey(scopes: [.write, .read])
    }

    var headers: [String: String] { ["X-Compliance-API-Key": compliance, "Content-Type": "application/json"] }

    func unconsentedLead() throws -> String {
        try app.request("POST", "/api/v1/leads/inbound", headers: ["X-API-Key": writer, "Content-Type": "application/json"],
                        body: jsonBody(["phone": TestPhones.next(), "first_name": "Jane"])).json()["id"] as! String
    }

    @Test func recordThenVerifyWithTheReferenceBodies() async throws {
        try await blocking { [app, headers, writer, self] () throws in
            let lead = try unconsentedLead()
            let recordBody = """
                {
                  "lead_id": "\(lead)",
                  "consent_type": "tcpa_express_written",
                  "channel": "web",
                  "mechanism": "web_form",
                  "consent_text": "I agree to be contacted...",
                  "ip_address": "203.0.113.42",
                  "user_agent": "Mozilla/5.0...",
                  "page_url": "https://example.com/intake"
                }
                """
            let recorded = try app.request("POST", "/api/v1/compliance/record-consent", headers: headers, body: Array(recordBody.utf8))
            #expect(recorded.status == 201)
            let answer = try recorded.json()
            #expect(Set(answer.keys) == ["certificate_id", "created_at", "hash"])
            let id = try #require(answer["certificate_id"] as? String)
            #expect(id.hasPrefix("cert_"))
            #expect((answer["hash"] as? String)?.hasPrefix("sha256:") == true)
            #expect((answer["hash"] as? String)?.count == 7 + 64)

            // The lead was ineligible for want of consent; now it has it.
            let detail = try app.request("GET", "/api/v1/leads/\(lead)", headers: ["X-API-Key": writer]).json()
            #expect(detail["status"] as? String == "new")
            #expect(detail["consent_certificate_id"] as? String == id)
            #expect((detail["events"] as? [[String: Any]])?.last?["kind"] as? String == "consent_recorded")

            let verified = try app.request("POST", "/api/v1/compliance/verify-consent", headers: headers,
                                           body: Array(#"{"certificate_id": "\#(id)"}"#.utf8))
            #expect(verified.status == 200)
            let verdict = try verified.json()
            #expect(verdict["valid"] as? Bool == true)
            let certificate = try #require(verdict["certificate"] as? [String: Any])
            #expect(certificate["id"] as? String == id)
            #expect(certificate["consent_type"] as? String == "tcpa_express_written")
            #expect(certificate["channel"] as? String == "web")
            #expect(certificate["is_active"] as? Bool == true)
            #expect(certificate["created_at"] as? String == answer["created_at"] as? String)
        }
    }

    @Test func tamperingWithTheStoredCertificateIsReported() async throws {
        let id = try await blocking { [app, headers] () throws in
            try app.request("POST", "/api/v1/compliance/record-consent", headers: headers,
                            body: jsonBody(["consent_text": "I agree to calls about auto insurance", "page_url": "https://example.com/a"]))
                .json()["certificate_id"] as! String
        }
        try app.server.store.writeNow { db in
            try db.execute(sql: "UPDATE consent_certificates SET consent_text = 'I agree to anything' WHERE id = ?", arguments: [id])
        }
        try await blocking { [app, headers] () throws in
            let verdict = try app.request("POST", "/api/v1/compliance/verify-consent", headers: headers,
                                          body: jsonBody(["certificate_id": id])).json()
            #expect(verdict["valid"] as? Bool == false)
            #expect((verdict["reason"] as? String)?.hasPrefix("tampered") == true)
        }
    }

    @Test func revokingMakesTheLeadIneligibleAndTheCertificateInvalid() async throws {
        try await blocking { [app, headers, writer] () throws in
            let created = try app.request("POST", "/api/v1/leads/inbound", headers: ["X-API-Key": writer, "Content-Type": "application/json"],
                                          body: ezleedsInboundLead).json()
            let lead = created["id"] as! String
            let certificate = created["consent_certificate_id"] as! String
            let revoked = try app.request("POST", "/api/v1/compliance/revoke-consent", headers: headers,
                                          body: jsonBody(["certificate_id": certificate, "reason": "consumer asked on the phone"]))
            #expect(revoked.status == 200)
            #expect(try revoked.json()["is_active"] as? Bool == false)
            let verdict = try app.request("POST", "/api/v1/compliance/verify-consent", headers: headers,
                                          body: jsonBody(["certificate_id": certificate])).json()
            #expect(verdict["valid"] as? Bool == false)
            #expect(verdict["reason"] as? String == "revoked")
            #expect((verdict["certificate"] as? [String: Any])?["is_active"] as? Bool == false)
            let detail = try app.request("GET", "/api/v1/leads/\(lead)", headers: ["X-API-Key": writer]).json()
            #expect(detail["status"] as? String == "ineligible")
            #expect(detail["ineligible_reason"] as? String == "consent_revoked")
        }
    }

    @Test func accessAndBadInput() async throws {
        let reader = try app.makeKey(scopes: [.read])
        try await blocking { [app, headers, writer] () throws in
            let body = jsonBody(["consent_text": "I agree", "page_url": "https://example.com/a"])
            #expect(try app.request("POST", "/api/v1/compliance/record-consent", headers: ["X-API-Key": reader, "Content-Type": "application/json"],
                                    body: body).status == 403)
            #expect(try app.request("POST", "/api/v1/compliance/record-consent", headers: ["X-API-Key": writer, "Content-Type": "application/json"],
                                    body: body).status == 201)
            #expect(try app.request("POST", "/api/v1/compliance/verify-consent", headers: headers,
                                    body: jsonBody(["certificate_id": "cert_nope"])).status == 404)
            let noLead = try app.request("POST", "/api/v1/compliance/record-consent", headers: headers,
                                         body: jsonBody(["lead_id": UUID().uuidString, "consent_text": "I agree"]))
            #expect(noLead.status == 404)
            let bad = try app.request("POST", "/api/v1/compliance/record-consent", headers: headers,
                                      body: jsonBody(["ip_address": "not an ip", "page_url": "file:///etc/passwd"]))
            #expect(bad.status == 422)
            for field in ["ip_address", "page_url", "consent_text"] { #expect(bad.text.contains(#""field":"\#(field)""#)) }
        }
    }
}
