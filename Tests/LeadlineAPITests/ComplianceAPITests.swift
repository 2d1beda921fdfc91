import Foundation
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct ComplianceAPITests {
    let app: TestServer
    let compliance: String
    let admin: String

    /// Wednesday 2026-03-11 16:00 UTC: 09:00 in Las Vegas (PDT), 12:00 in New York.
    init() throws {
        app = try TestServer(now: Date(timeIntervalSince1970: 1_773_244_800))
        compliance = try app.makeKey(scopes: [.compliance, .read])
        admin = try app.makeKey(scopes: [.admin])
    }

    func post(_ path: String, _ body: Any, key: String? = nil) throws -> HTTPConnection.Reply {
        try app.request("POST", path, headers: ["X-Compliance-API-Key": key ?? compliance, "Content-Type": "application/json"], body: jsonBody(body))
    }

    func get(_ path: String) throws -> HTTPConnection.Reply { try app.request("GET", path, headers: ["X-Compliance-API-Key": compliance]) }

    @Test func checkOutreachWithTheReferenceBody() async throws {
        try await blocking { [self] () throws in
            let body = """
                {"phone": "+17025551234", "state": "NV", "channel": "sms", "campaign_type": "legal_pi", "has_consent": true}
                """
            let reply = try app.request("POST", "/api/v1/compliance/check-outreach",
                                        headers: ["X-Compliance-API-Key": compliance, "Content-Type": "application/json"], body: Array(body.utf8))
            #expect(reply.status == 200)
            let answer = try reply.json()
            #expect(answer["allowed"] as? Bool == true, "\(answer)")
            #expect(answer["checks"] as? [String: String] == ["state_rules": "pass", "time_window": "pass", "consent_valid": "pass", "dnc_clear": "pass"])
            #expect(answer["warnings"] is [String])
            #expect((answer["attempt_id"] as? String)?.hasPrefix("att_") == true)

            // The same number at 05:00 local the next morning: the window check fails, with the reason.
            app.clock.advance(by: 20 * 3600)
            let early = try post("/api/v1/compliance/check-outreach", ["phone": "7025551234", "state": "NV", "channel": "call", "has_consent": true]).json()
            #expect(early["allowed"] as? Bool == false)
            #expect((early["checks"] as? [String: String])?["time_window"] == "fail")
            let reasons = (early["reasons"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.contains { $0.hasPrefix("NV: calls only 09:00–20:00 local time on weekdays; it is 05:00 in America/Los_Angeles") }, "\(reasons)")

            // No consent: consent_valid fails. A dry run is not recorded.
            app.clock.advance(by: 6 * 3600)
            let unconsented = try post("/api/v1/compliance/check-outreach", ["phone": "7025551234", "has_consent": false, "dry_run": true]).json()
            #expect((unconsented["checks"] as? [String: String])?["consent_valid"] == "fail")
            #expect(unconsented["attempt_id"] is NSNull)
        }
    }

    @Test func badInputIsNamedField() async throws {
        try await blocking { [self] () throws in
            let badPhone = try post("/api/v1/compliance/check-outreach", ["phone": "555-CALL-NOW", "state": "NV"])
            #expect(badPhone.status == 422 && badPhone.fields == ["phone"])
            #expect(try post("/api/v1/compliance/check-outreach", ["phone": "7025551234", "state": "XX"]).fields == ["state"])
            #expect(try post("/api/v1/compliance/check-outreach", ["phone": "7025551234", "channel": "fax"]).fields == ["channel"])
            #expect(try post("/api/v1/compliance/dnc-check", ["phone": "12"]).fields == ["phone"])
            let unknown = try get("/api/v1/compliance/rules/ZZ")
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("ZZ"))
            // A read-only key may not ask the gate.
            let reader = try app.makeKey(scopes: [.read])
            #expect(try post("/api/v1/compliance/check-outreach", ["phone": "7025551234"], key: reader).status == 403)
        }
    }

    @Test func rulesForOneStateAndForAll() async throws {
        try await blocking { [self] () throws in
            let california = try get("/api/v1/compliance/rules/CA").json()
            #expect(california["state"] as? String == "CA")
            #expect(california["calling_hours"] as? [String: String] == ["start": "08:00", "end": "21:00", "timezone": "America/Los_Angeles"])
            #expect(california["two_party_consent"] as? Bool == true)
            #expect(california["telemarketing_registration_required"] as? Bool == true)
            #expect(california["mini_tcpa"] as? Bool == false)
            #expect((california["additional_restrictions"] as? [String])?.isEmpty == false)
            #expect(((california["artificial_voice_schedule"] as? [String: Any])?["weekday"] as? [String: String])?["start"] == "09:00")

            let texas = try get("/api/v1/compliance/rules/tx").json()
            #expect(((texas["schedule"] as? [String: Any])?["sunday"] as? [String: String]) == ["start": "12:00", "end": "21:00"])
            let rhodeIsland = try get("/api/v1/compliance/rules/RI").json()
            #expect((rhodeIsland["schedule"] as? [String: Any])?["sunday"] is NSNull)
            #expect((rhodeIsland["holidays"] as? [[String: String]])?.contains { $0["date"] == "2026-08-10" } == true)

            let all = try get("/api/v1/compliance/rules").json()
            #expect(all["total"] as? Int == 51)
            #expect((all["states"] as? [String: Any])?.count == 51)
            #expect(((all["states"] as? [String: Any])?["FL"] as? [String: Any])?["call_caps"] != nil)
        }
    }

    @Test func doNotCallListsThroughTheAPI() async throws {
        try await blocking { [self] () throws in
            let clear = try post("/api/v1/compliance/dnc-check", ["phone": "+17025551234", "state": "NV"])
            #expect(clear.status == 200)
            #expect(try clear.json()["on_dnc"] as? Bool == false)
            #expect(try clear.json()["checks"] as? [String: Bool] == ["federal_dnc": false, "state_dnc": false, "internal_dnc": false])

            // The federal registry file, uploaded by an admin.
            let file = Array("7025551234\n702,5551235\nnot a number\n".utf8)
            let imported = try app.request("POST", "/api/v1/compliance/dnc/import?list=federal&file_name=nv.txt",
                                           headers: ["X-API-Key": admin, "Content-Type": "text/plain"], body: file)
            #expect(imported.status == 200, "\(imported.text)")
            let report = try imported.json()
            #expect(report["added"] as? Int == 2 && report["rejected"] as? Int == 1 && report["list_size"] as? Int == 2)
            #expect(try app.request("POST", "/api/v1/compliance/dnc/import", headers: ["X-Compliance-API-Key": compliance, "Content-Type": "text/plain"],
                                    body: file).status == 403, "imports need an admin key")
            let federal = try post("/api/v1/compliance/dnc-check", ["phone": "7025551235"]).json()
            #expect(federal["on_dnc"] as? Bool == true && (federal["checks"] as? [String: Bool])?["federal_dnc"] == true)

            // The internal list: add, look up, and only an admin takes a number off.
            #expect(try post("/api/v1/compliance/dnc", ["phone": "(212) 555-0100", "reason": "asked by phone", "channel": "call"]).status == 201)
            #expect(try post("/api/v1/compliance/dnc", ["phone": "2125550100"]).status == 200, "already there")
            let entry = try get("/api/v1/compliance/dnc?phone=2125550100").json()
            #expect(entry["reason"] as? String == "asked by phone" && entry["channel"] as? String == "call")
            let onInternal = try post("/api/v1/compliance/check-outreach", ["phone": "2125550100", "state": "NY", "has_consent": true]).json()
            #expect(onInternal["allowed"] as? Bool == false && (onInternal["checks"] as? [String: String])?["dnc_clear"] == "fail")
            #expect(try app.request("DELETE", "/api/v1/compliance/dnc/2125550100", headers: ["X-Compliance-API-Key": compliance]).status == 403)
            #expect(try app.request("DELETE", "/api/v1/compliance/dnc/2125550100", headers: ["X-API-Key": admin]).status == 204)
            #expect(try get("/api/v1/compliance/dnc?phone=2125550100").status == 404)
        }
    }

    @Test func revokingConsentIsAnOptOut() async throws {
        try await blocking { [self] () throws in
            let writer = try app.makeKey(scopes: [.write, .read])
            let lead = try app.request("POST", "/api/v1/leads/inbound", headers: ["X-API-Key": writer, "Content-Type": "application/json"],
                                       body: jsonBody(["phone": "3055550142", "state": "FL", "consent": ["consent_type": "tcpa_express_written",
                                                       "consent_text": "I agree", "page_url": "https://example.com/a"]])).json()
            let certificate = try #require(lead["consent_certificate_id"] as? String)
            #expect(try post("/api/v1/compliance/revoke-consent", ["certificate_id": certificate, "reason": "STOP"]).status == 200)
            let check = try post("/api/v1/compliance/dnc-check", ["phone": "3055550142"]).json()
            #expect((check["checks"] as? [String: Bool])?["internal_dnc"] == true)
        }
    }

    @Test func blackoutDaysAreDeclaredAndLifted() async throws {
        try await blocking { [self] () throws in
            let declared = try post("/api/v1/compliance/blackouts", ["state": "NY", "starts_on": "2026-03-11", "reason": "State of emergency"], key: admin)
            #expect(declared.status == 201)
            let id = try #require(try declared.json()["id"] as? String)
            #expect(try post("/api/v1/compliance/blackouts", ["state": "NY", "starts_on": "tomorrow"], key: admin).fields.sorted() == ["reason", "starts_on"])
            #expect(try post("/api/v1/compliance/blackouts", ["state": "NY", "starts_on": "2026-03-11", "reason": "x"]).status == 403)
            #expect((try get("/api/v1/compliance/blackouts").json()["items"] as? [[String: Any]])?.count == 1)
            let blocked = try post("/api/v1/compliance/check-outreach", ["phone": "2125550100", "has_consent": true, "dry_run": true]).json()
            #expect((blocked["checks"] as? [String: String])?["state_rules"] == "fail")
            #expect(try app.request("DELETE", "/api/v1/compliance/blackouts/\(id)", headers: ["X-API-Key": admin]).status == 204)
            let open = try post("/api/v1/compliance/check-outreach", ["phone": "2125550100", "has_consent": true, "dry_run": true]).json()
            #expect(open["allowed"] as? Bool == true)
        }
    }
}
