import Foundation
import GRDB
import LeadlineCore
import LeadlineTesting
import Synchronization
import Testing

/// The quickstart's lead, exactly as the lead2inbound quickstart prints it.
let quickstartLead = Array("""
{
    "source": "my-webform",
    "first_name": "Jane",
    "last_name": "Doe",
    "phone": "5551234567",
    "state": "TX",
    "consent": {
      "consent_timestamp": "2026-07-05T12:00:00Z",
      "consent_text_version": "webform-v2",
      "source_url": "https://example.com/quote"
    }
  }
""".utf8)

/// The EZLeeds reference's inbound lead, as printed there (its email was redacted in the copy; a real one is used).
let ezleedsInboundLead = Array("""
{
  "first_name": "Jane",
  "last_name": "Doe",
  "email": "jane.doe@example.com",
  "phone": "+17025551234",
  "state": "NV",
  "zip_code": "89101",
  "campaign_type": "legal_pi",
  "source": "landing_page_v3",
  "consent": {
    "consent_type": "tcpa_express_written",
    "consent_text": "I agree to be contacted...",
    "ip_address": "203.0.113.42",
    "page_url": "https://example.com/intake"
  }
}
""".utf8)

func isUUID(_ text: String?) -> Bool { text.flatMap { UUID(uuidString: $0) } != nil }

@Suite struct Lead2InboundLeadTests {
    let app: TestServer
    let key: String
    var auth: [String: String] { ["Authorization": "Bearer \(key)", "Content-Type": "application/json"] }

    init() throws {
        app = try TestServer()
        key = try app.makeKey(scopes: [.read, .write])
    }

    @Test func quickstartLeadIsCreatedThenDuplicateReturnsTheSameLead() async throws {
        try await blocking { [app, auth] () throws in
            let created = try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead)
            #expect(created.status == 201)
            let body = try created.json()
            #expect(body["outcome"] as? String == "created")
            #expect(body["status"] as? String == "new")
            let id = try #require(body["lead_id"] as? String)
            #expect(isUUID(id))
            #expect(Set(body.keys) == ["outcome", "lead_id", "status"])

            let again = try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead)
            #expect(again.status == 200)
            #expect(try again.json()["outcome"] as? String == "duplicate")
            #expect(try again.json()["lead_id"] as? String == id)

            // Step 3 of the quickstart.
            let listed = try app.request("GET", "/v1/leads?limit=5", headers: ["Authorization": "Bearer \(app.makeKey(scopes: [.read]))"])
            #expect(listed.status == 200)
            let leads = try #require(try listed.json()["leads"] as? [[String: Any]])
            #expect(leads.count == 1)
            #expect(leads[0]["lead_id"] as? String == id)
            #expect(leads[0]["status"] as? String == "new")
            #expect(leads[0]["phone"] as? String == "+15551234567")
        }
        #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 1)
    }

    @Test func aLeadWithoutConsentIsStoredButIneligible() async throws {
        try await blocking { [app, auth, key] () throws in
            let created = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody(["phone": "7025550100"]))
            #expect(created.status == 201)
            let body = try created.json()
            #expect(body["status"] as? String == "ineligible")
            #expect(body["ineligible_reason"] as? String == "no_consent")
            let detail = try app.request("GET", "/v1/leads/\(body["lead_id"] as! String)", headers: auth).json()
            #expect(detail["status"] as? String == "ineligible")
            #expect(detail["ineligible_reason"] as? String == "no_consent")
            let reasons = try #require(detail["score_reasons"] as? [[String: Any]])
            #expect(reasons.contains { $0["rule"] as? String == "consent" && $0["points"] as? Int == 0 })
            let events = try #require(detail["events"] as? [[String: Any]])
            #expect(events.first?["kind"] as? String == "created")
            #expect(events.first?["to_status"] as? String == "ineligible")
            // Fields without a value are written as null, not left out.
            for field in ["email", "first_name", "state", "consent_certificate_id"] {
                #expect(detail[field] is NSNull, "\(field) should be null")
            }
            #expect(events.first?["from_status"] is NSNull)
            let ezleeds = try app.request("GET", "/api/v1/leads/\(body["lead_id"] as! String)", headers: ["X-API-Key": key]).json()
            #expect(ezleeds["buyer_id"] is NSNull && ezleeds["sold_price_cents"] is NSNull && ezleeds["notes"] is NSNull)
        }
    }

    @Test(arguments: ["5551234567", "(555) 123-4567", "+1 555-123-4567", "1-555-123-4567"])
    func usualPhoneSpellingsAreAccepted(_ phone: String) async throws {
        try await blocking { [app, auth] () throws in
            let reply = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody(["phone": phone]))
            #expect(reply.status == 201 || reply.status == 200)
            let id = try reply.json()["lead_id"] as? String
            #expect(try app.request("GET", "/v1/leads/\(id ?? "")", headers: auth).json()["phone"] as? String == "+15551234567")
        }
    }

    @Test func badLeadsAre422WithTheirFieldNames() async throws {
        try await blocking { [app, auth] () throws in
            for (body, field) in [(["phone": "555-123-456"], "phone"), (["phone": "055 123 4567"], "phone"),
                                  (["phone": "555-CALL-NOW"], "phone"), (["state": "TX"], "phone"),
                                  (["phone": "5551234567", "state": "Texas"], "state"),
                                  (["phone": "5551234567", "email": "jane@"], "email"),
                                  (["phone": "5551234567", "zip_code": "7500"], "zip_code")] as [([String: String], String)] {
                let reply = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody(body))
                #expect(reply.status == 422, "\(body)")
                #expect(reply.text.contains(#""field":"\#(field)""#), "\(body): \(reply.text)")
            }
            let consent = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody([
                "phone": "5551234567", "consent": ["consent_timestamp": "July 5th", "source_url": "not a url"]]))
            #expect(consent.status == 422)
            for field in ["consent.consent_timestamp", "consent.source_url", "consent.consent_text_version"] {
                #expect(consent.text.contains(#""field":"\#(field)""#), "\(field) in \(consent.text)")
            }
            let wrongType = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody(["phone": 5551234567]))
            #expect(wrongType.status == 422)
            #expect(wrongType.text.contains(#""field":"phone""#))
        }
        #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 0)
    }

    @Test func hundredIdenticalConcurrentSubmissionsCreateOneLead() async throws {
        let port = app.port, auth = self.auth
        let outcomes = Mutex<[String: Int]>([:])
        let ids = Mutex<Set<String>>([])
        try await blocking { () throws in
            onThreads(100) { _ in
                guard let reply = try? http(port, "POST", "/v1/leads", headers: auth, body: quickstartLead),
                      let body = try? reply.json() else { return }
                outcomes.withLock { $0[body["outcome"] as? String ?? "status \(reply.status)", default: 0] += 1 }
                if let id = body["lead_id"] as? String { ids.withLock { _ = $0.insert(id) } }
            }
        }
        #expect(outcomes.withLock { $0 } == ["created": 1, "duplicate": 99])
        #expect(ids.withLock { $0.count } == 1)
        #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 1)
    }

    @Test func dedupWindowIsThirtyDaysThenHistoryCountsAgainstTheScore() async throws {
        let first = try await blocking { [app, auth] () throws in
            try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead).json()["lead_id"] as? String
        }
        app.clock.advance(by: 29 * 86400)
        let within = try await blocking { [app, auth] () throws in
            try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead).json()["outcome"] as? String
        }
        #expect(within == "duplicate")
        app.clock.advance(by: 2 * 86400)
        try await blocking { [app, auth] () throws in
            let after = try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead)
            #expect(after.status == 201)
            let id = try #require(try after.json()["lead_id"] as? String)
            #expect(id != first)
            let detail = try app.request("GET", "/v1/leads/\(id)", headers: auth).json()
            let reasons = try #require(detail["score_reasons"] as? [[String: Any]])
            #expect(reasons.contains { $0["rule"] as? String == "history" && $0["points"] as? Int == -5 })
        }
    }

    @Test func leadsOfAnotherTenantAreInvisible() async throws {
        let other = try app.makeKey(tenant: "globex", scopes: [.read, .write])
        try await blocking { [app, auth] () throws in
            let id = try #require(try app.request("POST", "/v1/leads", headers: auth, body: quickstartLead).json()["lead_id"] as? String)
            let foreign = ["Authorization": "Bearer \(other)"]
            #expect(try app.request("GET", "/v1/leads/\(id)", headers: foreign).status == 404)
            #expect(try app.request("GET", "/api/v1/leads/\(id)", headers: ["X-API-Key": other]).status == 404)
            #expect(try app.request("GET", "/v1/leads", headers: foreign).json()["leads"] as? [Any] == nil
                    || (try app.request("GET", "/v1/leads", headers: foreign).json()["leads"] as? [Any])?.isEmpty == true)
            // The same person sent to another tenant is that tenant's own new lead.
            let theirs = try app.request("POST", "/v1/leads", headers: foreign.merging(["Content-Type": "application/json"]) { a, _ in a },
                                         body: quickstartLead)
            #expect(try theirs.json()["outcome"] as? String == "created")
        }
    }

    @Test func newestFirstWithCursorPages() async throws {
        try await blocking { [app, auth] () throws in
            var created: [String] = []
            for i in 0..<7 {
                app.clock.advance(by: 1)
                let reply = try app.request("POST", "/v1/leads", headers: auth, body: jsonBody(["phone": "70255501\(10 + i)"]))
                created.append(try reply.json()["lead_id"] as! String)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/leads?limit=3" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                let page = try app.request("GET", path, headers: auth).json()
                seen += (page["leads"] as? [[String: Any]] ?? []).compactMap { $0["lead_id"] as? String }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == created.reversed())
            #expect(try app.request("GET", "/v1/leads?cursor=garbage", headers: auth).status == 422)
            #expect(try app.request("GET", "/v1/leads?limit=0", headers: auth).status == 422)
            #expect(try app.request("GET", "/v1/leads?limit=many", headers: auth).status == 422)
        }
    }
}

@Suite struct EZLeedsLeadTests {
    let app: TestServer
    let key: String
    var auth: [String: String] { ["X-API-Key": key, "Content-Type": "application/json"] }

    init() throws {
        app = try TestServer()
        key = try app.makeKey(scopes: [.read, .write])
    }

    @Test func referenceInboundLeadIsQualifiedWithACertificate() async throws {
        try await blocking { [app, auth] () throws in
            let reply = try app.request("POST", "/api/v1/leads/inbound", headers: auth, body: ezleedsInboundLead)
            #expect(reply.status == 201)
            let body = try reply.json()
            #expect(Set(body.keys) == ["id", "status", "score", "consent_certificate_id", "created_at"])
            let id = try #require(body["id"] as? String)
            #expect(isUUID(id))
            #expect(body["status"] as? String == "qualified")
            #expect((body["score"] as? Int ?? 0) >= 70)
            #expect((body["consent_certificate_id"] as? String)?.hasPrefix("cert_") == true)
            #expect((body["created_at"] as? String).flatMap(Timestamp.parse) != nil)
            #expect((body["created_at"] as? String)?.hasSuffix("Z") == true)

            let detail = try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()
            #expect(detail["phone"] as? String == "+17025551234")
            #expect(detail["email"] as? String == "jane.doe@example.com")
            #expect(detail["status"] as? String == "qualified")
            #expect(detail.keys.contains("events") && detail.keys.contains("consent_records"))
            let consent = try #require((detail["consent_records"] as? [[String: Any]])?.first)
            #expect(consent["id"] as? String == body["consent_certificate_id"] as? String)
            #expect(consent["consent_text"] as? String == "I agree to be contacted...")
            #expect(consent["ip_address"] as? String == "203.0.113.42")
            #expect(consent["page_url"] as? String == "https://example.com/intake")
            #expect((consent["hash"] as? String)?.hasPrefix("sha256:") == true)
            #expect(consent["is_active"] as? Bool == true)

            let again = try app.request("POST", "/api/v1/leads/inbound", headers: auth, body: ezleedsInboundLead)
            #expect(again.status == 200)
            #expect(try again.json()["id"] as? String == id)
            #expect(try again.json()["duplicate"] as? Bool == true)
        }
    }

    @Test func listPagesWithTotalsAndFilters() async throws {
        try await blocking { [app, auth] () throws in
            for i in 0..<5 {
                app.clock.advance(by: 60)
                var lead: [String: Any] = ["phone": "70255502\(10 + i)", "state": i < 3 ? "NV" : "TX", "campaign_type": "legal_pi"]
                if i % 2 == 0 { lead["consent"] = ["consent_text": "I agree", "page_url": "https://example.com/x"] }
                _ = try app.request("POST", "/api/v1/leads/inbound", headers: auth, body: jsonBody(lead))
            }
            let all = try app.request("GET", "/api/v1/leads/?per_page=2", headers: auth).json()
            #expect(all["total"] as? Int == 5)
            #expect(all["page"] as? Int == 1)
            #expect(all["per_page"] as? Int == 2)
            #expect((all["items"] as? [[String: Any]])?.count == 2)
            let third = try app.request("GET", "/api/v1/leads/?per_page=2&page=3", headers: auth).json()
            #expect((third["items"] as? [[String: Any]])?.count == 1)
            #expect(try app.request("GET", "/api/v1/leads/?state=TX", headers: auth).json()["total"] as? Int == 2)
            #expect(try app.request("GET", "/api/v1/leads/?status=ineligible", headers: auth).json()["total"] as? Int == 2)
            #expect(try app.request("GET", "/api/v1/leads/?campaign_type=legal_pi&state=NV", headers: auth).json()["total"] as? Int == 3)
            let from = Timestamp.format(app.clock.now.addingTimeInterval(-150))
            #expect(try app.request("GET", "/api/v1/leads/?date_from=\(from)", headers: auth).json()["total"] as? Int == 3)
            #expect(try app.request("GET", "/api/v1/leads/?date_to=\(from)", headers: auth).json()["total"] as? Int == 2)
            let bad = try app.request("GET", "/api/v1/leads/?status=sold&date_to=soon&page=0", headers: auth)
            #expect(bad.status == 422)
            #expect(bad.text.contains(#""field":"status""#) || bad.text.contains(#""field":"page""#))
        }
    }

    @Test func totalsComeFromDailySumsOrAreCountedUpToACap() async throws {
        try await blocking { [app, auth] () throws in
            for i in 0..<3 {
                let lead: [String: Any] = ["phone": "70255503\(10 + i)", "state": i == 0 ? "TX" : "NV",
                                           "consent": ["consent_text": "I agree", "page_url": "https://example.com/x"]]
                _ = try app.request("POST", "/api/v1/leads/inbound", headers: auth, body: jsonBody(lead))
            }
            func total(_ query: String) throws -> (Int?, Bool?) {
                let page = try app.request("GET", "/api/v1/leads/?per_page=1&" + query, headers: auth).json()
                return (page["total"] as? Int, page["total_capped"] as? Bool)
            }
            let today = String(Timestamp.format(app.clock.now).prefix(10))
            let tomorrow = String(Timestamp.format(app.clock.now.addingTimeInterval(86_400)).prefix(10))
            // Whole days and a status: the daily sums.
            #expect(try total("") == (3, nil))
            #expect(try total("date_from=\(today)&date_to=\(tomorrow)&status=qualified") == (3, nil))
            #expect(try total("date_from=\(tomorrow)") == (0, nil))
            // A state: counted.
            #expect(try total("state=TX") == (1, nil))

            // 10,001 more Texas leads (copies of the first, written straight to the file, with the daily sums rebuilt as
            // `Lead.insert` would have kept them).
            try app.server.store.writeNow { db in
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(leads)").map { $0["name"] as String }
                let copied = columns.map { $0 == "id" ? "'lead_copy_' || n" : $0 }.joined(separator: ", ")
                try db.execute(sql: """
                    WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < 10001)
                    INSERT INTO leads (\(columns.joined(separator: ", "))) SELECT \(copied) FROM counter, (SELECT * FROM leads WHERE state = 'TX' LIMIT 1)
                    """)
                try db.execute(sql: """
                    DELETE FROM lead_daily;
                    INSERT INTO lead_daily SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads GROUP BY 1, 2, 3;
                    """)
            }
            #expect(try total("") == (10_004, nil), "the daily sums stay exact at any size")
            #expect(try total("status=qualified") == (10_004, nil))
            #expect(try total("state=TX") == (10_000, true), "counted up to the cap, and said so")
            #expect(try total("state=NV") == (2, nil))
        }
    }

    @Test func neverA500OnOddInput() async throws {
        try await blocking { [app, auth] () throws in
            let bodies: [[UInt8]] = [
                Array("{}".utf8), Array("null".utf8), Array("[]".utf8), Array(#"{"phone": null}"#.utf8),
                Array(#"{"phone": {"a": 1}}"#.utf8), Array(#"{"phone": "5551234567", "consent": "yes"}"#.utf8),
                Array(#"{"phone": "5551234567", "consent": {"ip_address": 42}}"#.utf8),
                Array(("{\"phone\": \"" + String(repeating: "9", count: 100_000) + "\"}").utf8),
                Array(#"{"phone": "5551234567", "first_name": "\u0000\u202e<script>"}"#.utf8), [0xff, 0xfe],
            ]
            for body in bodies {
                let reply = try app.request("POST", "/api/v1/leads/inbound", headers: auth, body: body)
                #expect(reply.status < 500, "\(reply.status) for \(String(decoding: body.prefix(40), as: UTF8.self))")
            }
        }
    }
}

@Suite struct LeadLifecycleTests {
    let app: TestServer
    let key: String
    let admin: String
    var auth: [String: String] { ["X-API-Key": key, "Content-Type": "application/json"] }

    init() throws {
        app = try TestServer()
        key = try app.makeKey(scopes: [.read, .write])
        admin = try app.makeKey(scopes: [.admin])
    }

    func newLead(consent: Bool = true) throws -> String {
        var lead: [String: Any] = ["phone": TestPhones.next(), "first_name": "Jane"]
        if consent { lead["consent"] = ["consent_text": "I agree", "page_url": "https://example.com/f"] }
        return try app.request("POST", "/v1/leads", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                               body: jsonBody(lead)).json()["lead_id"] as! String
    }

    @Test func referencePatchChangesStatusAndNotesWithAnAuditTrail() async throws {
        try await blocking { [app, auth, self] () throws in
            let id = try newLead()
            app.clock.advance(by: 60)
            // The reference's own example body.
            let reply = try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth,
                                        body: Array(#"{"status": "contacted", "notes": "Left voicemail, will follow up tomorrow."}"#.utf8))
            #expect(reply.status == 200)
            let body = try reply.json()
            #expect(Set(body.keys) == ["id", "status", "updated_at"])
            #expect(body["status"] as? String == "contacted")
            #expect(body["updated_at"] as? String == Timestamp.format(app.clock.now))

            let detail = try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()
            #expect(detail["notes"] as? String == "Left voicemail, will follow up tomorrow.")
            let events = try #require(detail["events"] as? [[String: Any]])
            #expect(events.map { $0["kind"] as? String } == ["created", "status_changed", "note"])
            #expect(events[1]["from_status"] as? String == "new")
            #expect(events[1]["to_status"] as? String == "contacted")
            #expect((events[1]["actor"] as? String)?.hasPrefix("key:key_") == true)

            let contact = try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["email": "J@Example.com", "phone": "(702) 555-9999"]))
            #expect(contact.status == 200)
            let after = try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()
            #expect(after["email"] as? String == "j@example.com")
            #expect(after["phone"] as? String == "+17025559999")
            let changed = (after["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "field_changed" }
            #expect(changed.compactMap { ($0["detail"] as? [String: String])?["field"] }.sorted() == ["email", "phone"])
        }
    }

    @Test func illegalTransitionsAre409AndChangeNothing() async throws {
        try await blocking { [app, auth, self] () throws in
            let id = try newLead()
            let jump = try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["status": "accepted", "notes": "x"]))
            #expect(jump.status == 409)
            #expect(jump.text.contains("cannot become accepted"))
            let detail = try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()
            #expect(detail["status"] as? String == "new")
            #expect(detail["notes"] == nil || detail["notes"] is NSNull)
            #expect((detail["events"] as? [Any])?.count == 1)

            let unconsented = try newLead(consent: false)
            #expect(try app.request("PATCH", "/api/v1/leads/\(unconsented)", headers: auth, body: jsonBody(["status": "qualified"])).status == 409)
            #expect(try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["status": "sold"])).status == 422)
            #expect(try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["email": "nope"])).status == 422)
            let both = try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["status": "sold", "email": "nope"]))
            #expect(both.status == 422)
            #expect(both.text.contains(#""field":"status""#) && both.text.contains(#""field":"email""#), "every bad field in one answer")
            #expect(try app.request("PATCH", "/api/v1/leads/00000000-0000-0000-0000-000000000000", headers: auth,
                                    body: jsonBody(["status": "contacted"])).status == 404)
        }
    }

    @Test func internalFieldsAreForAdminsOnly() async throws {
        try await blocking { [app, auth, admin, self] () throws in
            let id = try newLead()
            let body = Array(#"{"score": 92, "buyer_id": "buyer_xyz", "sold_price_cents": 40000}"#.utf8)
            #expect(try app.request("PATCH", "/api/v1/leads/\(id)/internal", headers: auth, body: body).status == 403)
            let reply = try app.request("PATCH", "/api/v1/leads/\(id)/internal", headers: ["X-API-Key": admin, "Content-Type": "application/json"], body: body)
            #expect(reply.status == 200)
            let answer = try reply.json()
            #expect(answer["score"] as? Int == 92)
            #expect(answer["buyer_id"] as? String == "buyer_xyz")
            #expect(answer["sold_price_cents"] as? Int == 40000)
            let detail = try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()
            #expect(detail["buyer_id"] as? String == "buyer_xyz")
            #expect(detail["sold_price_cents"] as? Int == 40000)
            #expect(try app.request("PATCH", "/api/v1/leads/\(id)/internal", headers: ["X-API-Key": admin, "Content-Type": "application/json"],
                                    body: jsonBody(["score": 101])).status == 422)
            // Contact and status changes do not go through the internal door, and score does not go through the public one.
            let sneaky = try app.request("PATCH", "/api/v1/leads/\(id)", headers: auth, body: jsonBody(["score": 1]))
            #expect(sneaky.status == 200)
            #expect(try app.request("GET", "/api/v1/leads/\(id)", headers: auth).json()["score"] as? Int == 92)
        }
    }

    @Test func eventsCannotBeEditedOrDeleted() async throws {
        _ = try await blocking { [self] () throws in try newLead() }
        #expect(throws: (any Error).self) {
            try app.server.store.writeNow { db in try db.execute(sql: "UPDATE lead_events SET actor = 'someone else'") }
        }
        #expect(throws: (any Error).self) {
            try app.server.store.writeNow { db in try db.execute(sql: "DELETE FROM lead_events") }
        }
    }
}

@Suite struct IdempotencyTests {
    let app: TestServer
    let key: String
    init() throws {
        app = try TestServer()
        key = try app.makeKey(scopes: [.read, .write])
    }

    @Test func aRetryGetsTheFirstAnswer() async throws {
        try await blocking { [app, key] () throws in
            let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json", "Idempotency-Key": "order-7781"]
            let first = try app.request("POST", "/v1/leads", headers: headers, body: quickstartLead)
            #expect(first.status == 201)
            #expect(first.header("Idempotent-Replayed") == nil)
            let retry = try app.request("POST", "/v1/leads", headers: headers, body: quickstartLead)
            #expect(retry.status == 201, "a retry gets the first answer, not 'duplicate'")
            #expect(retry.body == first.body)
            #expect(retry.header("Idempotent-Replayed") == "true")
            // Without the key the same lead is a duplicate, as usual.
            var plain = headers
            plain["Idempotency-Key"] = nil
            #expect(try app.request("POST", "/v1/leads", headers: plain, body: quickstartLead).json()["outcome"] as? String == "duplicate")
            // The same key with another request is refused.
            let other = try app.request("POST", "/v1/leads", headers: headers, body: jsonBody(["phone": "7025550111"]))
            #expect(other.status == 422)
            #expect(other.text.contains("Idempotency-Key"))
            // Keys belong to a tenant.
            let foreign = try app.request("POST", "/v1/leads", headers: headers.merging(["Authorization": "Bearer \(app.makeKey(tenant: "globex", scopes: [.write]))"]) { _, b in b },
                                          body: quickstartLead)
            #expect(foreign.status == 201)
            #expect(foreign.header("Idempotent-Replayed") == nil)
        }
    }

    @Test func failedAnswersAreNotKeptAndKeysExpire() async throws {
        try await blocking { [app, key] () throws in
            let headers = ["X-API-Key": key, "Content-Type": "application/json", "Idempotency-Key": "retry-me"]
            #expect(try app.request("POST", "/api/v1/leads/inbound", headers: headers, body: jsonBody(["phone": "12"])).status == 422)
            let fixed = try app.request("POST", "/api/v1/leads/inbound", headers: headers, body: jsonBody(["phone": "7025550122"]))
            #expect(fixed.status == 201, "the 422 was not kept, so the corrected request goes through")
            #expect(try app.request("POST", "/api/v1/leads/inbound", headers: headers, body: jsonBody(["phone": "7025550133"])).status == 422)
        }
        app.clock.advance(by: 25 * 3600)
        try await blocking { [app, key] () throws in
            let headers = ["X-API-Key": key, "Content-Type": "application/json", "Idempotency-Key": "retry-me"]
            let later = try app.request("POST", "/api/v1/leads/inbound", headers: headers, body: jsonBody(["phone": "7025550133"]))
            #expect(later.status == 201, "after a day the key is forgotten")
        }
    }
}
