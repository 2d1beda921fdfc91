import Foundation
import GRDB
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Testing

/// The Retell adapter against a local fake that speaks Retell's documented payloads: the call it starts, the signed
/// webhooks and function calls it receives, and what they do to calls, transfers and leads.
struct RetellLine {
    let center: CallCenter
    let fake: FakeRetell

    init() throws {
        let fake = try FakeRetell()
        self.fake = fake
        center = try CallCenter(voice: Self.configure(fake))
    }

    static func configure(_ fake: FakeRetell) -> (inout ServeOptions) -> Void {
        { options in
            var retell = RetellSettings(apiKey: fake.apiKey, agentID: "agent_leadline_test", fromNumber: "+15125550100")
            retell.baseURL = fake.baseURL
            options.retell = retell
            options.allowPrivateTargets = true
        }
    }

    var app: TestServer { center.app }

    /// Runs the dialer once; Retell's calls go on after it returns, as the test sends their webhooks.
    @discardableResult
    func place() -> Int {
        let server = app.server
        return wait { await server.dialer.runDue() }
    }

    /// Posts a webhook signed as Retell signs it (or with `signature` as given).
    func send(_ body: [UInt8], signature: String? = nil, path: String = "/v1/voice/retell/events") throws -> HTTPConnection.Reply {
        try app.request("POST", path, headers: ["Content-Type": "application/json", "X-Retell-Signature": try signature ?? fake.signature(body)],
                        body: body)
    }

    func event(_ name: String, _ call: [String: Any], extra: [String: Any] = [:]) throws {
        let reply = try send(fake.event(name, call, extra: extra))
        guard reply.status == 204 else { throw TestFailure("\(name): \(reply.status) \(reply.text)") }
    }

    /// The agent's `leadline_qualify` call; answers what Leadline told the agent.
    func qualify(_ call: [String: Any], answers: [String: Any], optOut: Bool = false) throws -> [String: Any] {
        let reply = try send(fake.functionCall("leadline_qualify", call, args: ["answers": answers, "opt_out": optOut]),
                             path: "/v1/voice/retell/functions")
        guard reply.status == 200 else { throw TestFailure("leadline_qualify: \(reply.status) \(reply.text)") }
        return try reply.json()
    }
}

@Suite struct RetellContractTests {
    @Test func aQualifiedConsumerIsTransferredThroughRetellAndCreditedByThePostback() async throws {
        try await blocking { () throws in
            let line = try RetellLine(), center = line.center
            _ = try center.destination(["name": "Acme intake", "phone": "+15125550142", "price_cents": 4000])
            let lead = try center.lead(phone: "5551234567")
            #expect(line.place() == 1)

            // The call Retell was asked to place.
            let placed = try #require(line.fake.calls.first)
            #expect(placed.request["to_number"] as? String == "+15551234567")
            #expect(placed.request["from_number"] as? String == "+15125550100")
            #expect(placed.request["override_agent_id"] as? String == "agent_leadline_test")
            let callID = try #require(placed.metadata["leadline_call_id"] as? String)
            #expect(placed.metadata["leadline_lead_id"] as? String == lead)
            #expect(placed.variables["first_name"] == "Jane")
            #expect(placed.variables["disclosures"]?.contains("AI assistant") == true)
            #expect(placed.variables["questions"]?.contains("still_interested: Are you still looking for a quote?") == true)
            var call = try #require(try center.calls(lead).first)
            #expect(call["id"] as? String == callID)
            #expect(call["provider"] as? String == "retell")
            #expect(call["provider_call_id"] as? String == placed.callID)
            #expect(call["status"] as? String == "dialing")

            // Connected, qualified by the agent's function call: Leadline answers with the line to transfer to.
            try line.event("call_started", line.fake.callObject(placed, status: "ongoing"))
            #expect(try center.detail(lead)["status"] as? String == "contacted")
            let transcript: [(role: String, content: String)] = [
                ("agent", "Before we go on: I'm an AI assistant, and this is an automated call."), ("user", "Okay."),
                ("agent", "Are you still looking for a quote?"), ("user", "Yes."), ("agent", "And are you over eighteen?"), ("user", "Yes."),
            ]
            let answer = try line.qualify(line.fake.callObject(placed, status: "ongoing", transcript: transcript),
                                          answers: ["still_interested": "yes", "over_18": "yes"])
            #expect(answer["action"] as? String == "transfer")
            #expect(answer["transfer_number"] as? String == "+15125550142")
            #expect(answer["caller_id"] as? String == "+15551234567")
            #expect((answer["say"] as? String)?.contains("connecting you") == true)
            #expect((answer["whisper"] as? String)?.contains("still_interested=yes") == true)
            call = try #require(try center.calls(lead).first)
            #expect(call["status"] as? String == "transferring")
            #expect((call["transcript"] as? [[String: Any]])?.count == 6)

            // Retell's transfer events: started (Leadline already knows), bridged, then the AI leg ends and the
            // buyer's leg after 247 s.
            try line.event("transfer_started", line.fake.callObject(placed, status: "ongoing"),
                           extra: ["transfer_destination": ["number": "+15125550142"], "transfer_option": ["type": "warm_transfer"]])
            try line.event("transfer_bridged", line.fake.callObject(placed, status: "ongoing"),
                           extra: ["transfer_destination": ["number": "+15125550142"]])
            #expect(try center.detail(lead)["status"] as? String == "transferred")
            try line.event("call_ended", line.fake.callObject(placed, status: "ended", disconnection: "call_transfer", durationMs: 64_400,
                                                              transcript: transcript))
            center.app.clock.advance(by: 247)
            try line.event("transfer_ended", line.fake.callObject(placed, status: "ended", disconnection: "call_transfer", durationMs: 64_400))
            try line.event("call_analyzed", line.fake.callObject(
                placed, status: "ended", disconnection: "call_transfer", durationMs: 64_400, transcript: transcript,
                analysis: ["call_summary": "Qualified and transferred.", "in_voicemail": false, "user_sentiment": "Positive",
                           "call_successful": true, "custom_analysis_data": ["still_interested": "yes", "over_18": true]]))

            call = try #require(try center.calls(lead).first)
            #expect(call["status"] as? String == "ended")
            #expect(call["outcome"] as? String == "transferred")
            #expect(call["talk_seconds"] as? Int == 64)
            #expect(call["end_reason"] as? String == "call_transfer")
            #expect((call["answers"] as? [String: String])?["over_18"] == "true")
            let transfer = try #require(try center.transfers(lead).first)
            #expect(transfer["status"] as? String == "ended")
            #expect(transfer["duration_seconds"] as? Int == 247)
            let events = try center.app.ezleeds("GET", "/api/v1/calls/\(callID)", key: center.key).json()["events"] as? [[String: Any]]
            #expect(events?.compactMap { $0["kind"] as? String } == ["queued", "answered", "qualified", "transfer_started", "transfer_bridged",
                                                                      "ended", "transfer_ended", "analyzed"])

            // The buyer's platform reports the revenue the quickstart's way.
            let postback = try center.app.request("GET", try center.postbackPath("&caller_id=%2B15551234567&duration=247&buyer=Acme&payout=38.50"))
            #expect(try postback.json()["matched"] as? Bool == true, "\(postback.text)")
            #expect(try center.transfers(lead).first?["revenue_cents"] as? Int == 3850)
        }
    }

    @Test func signaturesAreCheckedBeforeAnythingIsStored() async throws {
        try await blocking { () throws in
            let line = try RetellLine(), center = line.center
            let lead = try center.lead(phone: "5551234568")
            line.place()
            let placed = try #require(line.fake.calls.first)
            let body = line.fake.event("call_started", line.fake.callObject(placed, status: "ongoing"))
            let events = { try center.app.ezleeds("GET", "/api/v1/calls/\(placed.metadata["leadline_call_id"] as! String)", key: center.key)
                .json()["events"] as? [[String: Any]] ?? [] }
            let before = try events().count
            #expect(try center.detail(lead)["status"] as? String == "dialing")

            for signature in [
                "",                                                       // none
                "v=1,d=00",                                               // garbage
                try line.fake.signature(body, key: "key_someone_else"),   // another key
                try line.fake.signature(body, at: Date().addingTimeInterval(-600)),  // ten minutes old: a replay
                try line.fake.signature(Array("{}".utf8)),                // another body
            ] {
                let reply = try line.send(body, signature: signature)
                #expect(reply.status == 401, "\(signature): \(reply.text)")
                #expect(reply.errorCode == "unauthorized")
            }
            let function = line.fake.functionCall("leadline_qualify", line.fake.callObject(placed, status: "ongoing"), args: ["answers": [:]])
            #expect(try line.send(function, signature: "v=1,d=00", path: "/v1/voice/retell/functions").status == 401)
            #expect(try events().count == before)
            #expect(try center.detail(lead)["status"] as? String == "dialing")

            // The same body, rightly signed, is taken; a call Leadline did not place is acknowledged and ignored.
            #expect(try line.send(body).status == 204)
            #expect(try events().count == before + 1)
            var foreign = line.fake.callObject(placed, status: "ongoing")
            foreign["metadata"] = [:] as [String: Any]
            #expect(try line.send(line.fake.event("call_started", foreign)).status == 204)
            #expect(try line.send(line.fake.functionCall("leadline_qualify", foreign, args: [:]), path: "/v1/voice/retell/functions").status == 404)
            // Not JSON at all: a 400, not a crash.
            #expect(try line.send(Array("not json".utf8)).status == 400)
        }
    }

    @Test func retellsEndReasonsBecomeLeadlineOutcomes() async throws {
        try await blocking { () throws in
            let line = try RetellLine(), center = line.center
            _ = try center.destination(["name": "Never answers", "phone": "+15125550900", "price_cents": 5000])
            _ = try center.destination(["name": "Backup", "phone": "+15125550143", "price_cents": 3000])
            #expect(try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin, ["max_concurrent_calls": 10]).status == 200)
            let phones = ["5551230001", "5551230002", "5551230003", "5551230004", "5551230005", "5551230006"]
            let leads = try phones.map { try center.lead(phone: $0) }
            #expect(line.place() == phones.count)
            let placed = Dictionary(uniqueKeysWithValues: line.fake.calls.map { ($0.request["to_number"] as! String, $0) })
            func call(_ index: Int) throws -> FakeRetell.PlacedCall { try #require(placed["+1" + phones[index]]) }

            // Never connected: Retell sends call_ended alone.
            try line.event("call_ended", line.fake.callObject(try call(0), status: "not_connected", disconnection: "dial_no_answer", durationMs: 0))
            try line.event("call_ended", line.fake.callObject(try call(1), status: "not_connected", disconnection: "dial_busy", durationMs: 0))
            // Voicemail picked up.
            try line.event("call_started", line.fake.callObject(try call(2), status: "ongoing"))
            try line.event("call_ended", line.fake.callObject(try call(2), status: "ended", disconnection: "voicemail_reached", durationMs: 12_000))
            // Answers that do not qualify: Leadline tells the agent to close.
            try line.event("call_started", line.fake.callObject(try call(3), status: "ongoing"))
            let closing = try line.qualify(line.fake.callObject(try call(3), status: "ongoing"), answers: ["still_interested": "no", "over_18": "yes"])
            #expect(closing["action"] as? String == "end_call")
            try line.event("call_ended", line.fake.callObject(try call(3), status: "ended", disconnection: "agent_hangup", durationMs: 30_000))
            // Asked not to be called again.
            try line.event("call_started", line.fake.callObject(try call(4), status: "ongoing"))
            #expect(try line.qualify(line.fake.callObject(try call(4), status: "ongoing"), answers: [:], optOut: true)["action"] as? String == "end_call")
            try line.event("call_ended", line.fake.callObject(try call(4), status: "ended", disconnection: "user_hangup", durationMs: 9_000))
            // Qualified; the best-paying line does not connect, so the agent asks again and gets the next one.
            try line.event("call_started", line.fake.callObject(try call(5), status: "ongoing"))
            let first = try line.qualify(line.fake.callObject(try call(5), status: "ongoing"), answers: ["still_interested": "yes", "over_18": "yes"])
            #expect(first["transfer_number"] as? String == "+15125550900")
            try line.event("transfer_cancelled", line.fake.callObject(try call(5), status: "ongoing"))
            let second = try line.qualify(line.fake.callObject(try call(5), status: "ongoing"), answers: ["still_interested": "yes", "over_18": "yes"])
            #expect(second["action"] as? String == "transfer")
            #expect(second["transfer_number"] as? String == "+15125550143")
            try line.event("transfer_bridged", line.fake.callObject(try call(5), status: "ongoing"))
            try line.event("call_ended", line.fake.callObject(try call(5), status: "ended", disconnection: "call_transfer", durationMs: 70_000))

            let expected: [(status: String, outcome: String, lead: String)] = [
                ("no_answer", "no_answer", "new"), ("busy", "busy", "new"), ("voicemail", "voicemail", "contacted"),
                ("not_qualified", "not_qualified", "contacted"), ("opt_out", "opt_out", "ineligible"), ("ended", "transferred", "transferred"),
            ]
            for (index, lead) in leads.enumerated() {
                let detail = try center.detail(lead)
                let call = try #require((detail["calls"] as? [[String: Any]])?.first)
                #expect(call["status"] as? String == expected[index].status, "\(phones[index])")
                #expect(call["outcome"] as? String == expected[index].outcome, "\(phones[index])")
                #expect(detail["status"] as? String == expected[index].lead, "\(phones[index])")
            }
            let transfers = try center.transfers(leads[5]).map { "\($0["destination_phone"] as? String ?? ""):\($0["status"] as? String ?? "")" }
            #expect(transfers.sorted() == ["+15125550143:bridged", "+15125550900:failed"])
            let optedOut = try center.app.ezleeds("POST", "/api/v1/compliance/dnc-check", key: center.key, ["phone": phones[4]])
            #expect((try optedOut.json()["checks"] as? [String: Any])?["internal_dnc"] as? Bool == true)
            // The unanswered ones are tried again after the wait.
            center.app.clock.advance(by: 31 * 60)
            #expect(line.place() == 3)
        }
    }

    @Test func aCallRetellRefusesFailsAndIsRetried() async throws {
        try await blocking { () throws in
            let line = try RetellLine(), center = line.center
            line.fake.refuse(402, message: "no_valid_payment")
            let lead = try center.lead(phone: "5551239999")
            #expect(line.place() == 1)
            let call = try #require(try center.calls(lead).first)
            #expect(call["status"] as? String == "failed")
            #expect((call["end_reason"] as? String)?.contains("Retell answered 402: no_valid_payment") == true, "\(call)")
            line.fake.refuse(nil)
            center.app.clock.advance(by: 31 * 60)
            #expect(line.place() == 1)
            #expect(try center.calls(lead).count == 2)
            #expect(line.fake.rejectedKeys == 0)
        }
    }

    @Test func aCallUnderWayWithRetellOutlivesARestart() async throws {
        try await blocking { () throws in
            let line = try RetellLine(), center = line.center
            let lead = try center.lead(phone: "5551237777")
            line.place()
            let placed = try #require(line.fake.calls.first)
            // Another lead the dialer took and never called (its write failed, or the server stopped in between).
            let stranded = try center.lead(phone: "5551237778")
            try center.app.server.store.writeNow { db in
                try db.execute(sql: "UPDATE call_queue SET status = 'calling' WHERE lead_id = ?", arguments: [stranded])
            }
            center.app.stop()
            // Retell's call goes on while Leadline restarts; its webhooks find the call where it was.
            let restarted = try TestServer(now: center.app.clock.now, directory: center.app.directory) { options in
                RetellLine.configure(line.fake)(&options)
                options.runsDialer = false
            }
            let calls = { try restarted.request("GET", "/v1/leads/\(lead)", headers: ["Authorization": "Bearer \(center.key)"]).json()["calls"]
                as? [[String: Any]] ?? [] }
            #expect(try calls().first?["status"] as? String == "dialing")
            let body = line.fake.event("call_started", line.fake.callObject(placed, status: "ongoing"))
            let reply = try restarted.request("POST", "/v1/voice/retell/events",
                                              headers: ["Content-Type": "application/json", "X-Retell-Signature": try line.fake.signature(body)], body: body)
            #expect(reply.status == 204)
            #expect(try calls().first?["status"] as? String == "answered")
            // The start put the stranded lead back in the queue; the call under way is not placed again.
            let queued = try restarted.server.store.read { db in
                try String.fetchOne(db, sql: "SELECT status FROM call_queue WHERE lead_id = ?", arguments: [stranded])
            }
            #expect(queued == "waiting")
            #expect(wait { await restarted.server.dialer.runDue() } == 1)
            #expect(try calls().count == 1)
            #expect(line.fake.calls.count == 2)
        }
    }
}
