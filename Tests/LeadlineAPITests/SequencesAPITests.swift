import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// A server whose sequence steps and dialer the test runs by hand, over the voice and message simulators.
struct OutreachDesk {
    let center: CallCenter
    let messages: SimulatedMessages

    /// `configure` may set real channels (SMTP, Twilio) over the simulator.
    init(now: Date = CallCenter.weekday, configure: (inout ServeOptions) -> Void = { _ in }) throws {
        let messages = SimulatedMessages()
        self.messages = messages
        center = try CallCenter(now: now) { options in
            options.voice = SimulatedVoice(seed: 7, pace: 0)
            options.messages = messages
            options.runsSequences = false
            configure(&options)
        }
        // Leads are called only by a sequence's call step here.
        #expect(try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin, ["enabled": false]).status == 200)
    }

    var app: TestServer { center.app }
    var key: String { center.key }

    func lead(phone: String, firstName: String = "Jane", email: String? = "jane@example.com", state: String = "TX") throws -> String {
        try app.lead(key: key, phone: phone, firstName: firstName, email: email, state: state)
    }

    func sequence(_ steps: [[String: Any]], name: String = "PI Intake Follow-Up") throws -> String {
        let reply = try app.ezleeds("POST", "/api/v1/sequences/", key: key, ["name": name, "steps": steps])
        guard reply.status == 201, let id = try reply.json()["id"] as? String else { throw TestFailure("sequence: \(reply.text)") }
        return id
    }

    func enroll(_ sequence: String, _ lead: String) throws -> [String: Any] {
        let reply = try app.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: key, ["lead_id": lead])
        guard reply.status == 201 else { throw TestFailure("enroll: \(reply.text)") }
        return try reply.json()
    }

    /// Runs the steps due now.
    @discardableResult
    func run() -> Int {
        let server = app.server
        return wait { await server.sequenceRunner.runDue() }
    }

    func enrollments(_ sequence: String) throws -> [[String: Any]] {
        try app.ezleeds("GET", "/api/v1/sequences/\(sequence)/enrollments", key: key).json()["items"] as? [[String: Any]] ?? []
    }
}

@Suite struct SequencesAPITests {
    @Test func smsThenEmailThenACallRunAtTheirTimes() async throws {
        try await blocking { () throws in
            let desk = try OutreachDesk()
            _ = try desk.center.destination(["name": "Acme intake", "phone": "+15125550142", "price_cents": 4000])
            let template = try desk.app.ezleeds("POST", "/api/v1/templates", key: desk.key,
                                                ["name": "Welcome", "channel": "email", "subject": "Your quote, {{first_name}}",
                                                 "body": "<p>Hello {{first_name}}, here is your quote.</p>"])
            #expect(template.status == 201, "\(template.text)")
            let templateID = try #require(try template.json()["id"] as? String)
            let sequence = try desk.sequence([
                ["channel": "sms", "delay_minutes": 0, "template": "Hi {{first_name}}, thanks for your request. Reply STOP to opt out."],
                ["channel": "email", "delay_minutes": 30, "template_id": templateID],
                ["channel": "call", "delay_minutes": 120],
            ])
            let lead = try desk.lead(phone: "5127310100", firstName: "Jo<b>")
            let enrolled = try desk.enroll(sequence, lead)
            #expect(enrolled["sequence_id"] as? String == sequence)
            #expect(enrolled["lead_id"] as? String == lead)
            #expect(enrolled["next_step_at"] as? String == "2026-07-22T16:00:00.000Z")

            // The text at once.
            #expect(desk.run() == 1)
            #expect(desk.messages.sent.map(\.channel) == [.sms])
            #expect(desk.messages.sent.first?.to == "+15127310100")
            #expect(desk.messages.sent.first?.text == "Hi Jo<b>, thanks for your request. Reply STOP to opt out.")
            // The email 30 minutes later, not a minute before; the lead's name escaped in its HTML part.
            desk.app.clock.advance(by: 29 * 60)
            #expect(desk.run() == 0)
            desk.app.clock.advance(by: 60)
            #expect(desk.run() == 1)
            let email = try #require(desk.messages.sent.last)
            #expect(email.channel == .email)
            #expect(email.to == "jane@example.com")
            #expect(email.subject == "Your quote, Jo<b>")
            #expect(email.html == "<p>Hello Jo&lt;b&gt;, here is your quote.</p>")
            // The call two hours after that: the lead goes to the dialer, which calls and transfers it.
            desk.app.clock.advance(by: 119 * 60)
            #expect(desk.run() == 0)
            #expect(desk.center.dial() == 0)
            desk.app.clock.advance(by: 60)
            #expect(desk.run() == 1)
            #expect(desk.center.dial() == 1)
            #expect(try desk.center.detail(lead)["status"] as? String == "transferred")

            let enrollment = try #require(try desk.enrollments(sequence).first)
            #expect(enrollment["status"] as? String == "completed")
            let sends = enrollment["sends"] as? [[String: Any]] ?? []
            #expect(sends.map { "\($0["step"] as? Int ?? 0):\($0["channel"] as? String ?? ""):\($0["status"] as? String ?? "")" }
                    == ["1:sms:sent", "2:email:sent", "3:call:queued"])
            let detail = try desk.app.ezleeds("GET", "/api/v1/sequences/\(sequence)", key: desk.key).json()
            #expect(detail["enrolled"] as? Int == 1)
            #expect(detail["completed"] as? Int == 1)
            #expect(detail["conversion_rate"] as? Double == 1.0)
            #expect((detail["steps"] as? [[String: Any]])?.count == 3)
            let list = try desk.app.ezleeds("GET", "/api/v1/sequences/", key: desk.key).json()["items"] as? [[String: Any]]
            #expect(list?.first?["steps"] as? Int == 3)
            #expect(list?.first?["enrolled"] as? Int == 1)
            #expect(list?.first?["status"] as? String == "active")
            // Every text and email went through the gate, which recorded it.
            let events = try desk.center.detail(lead)["events"] as? [[String: Any]] ?? []
            #expect(events.filter { $0["event_type"] as? String == "sequence_step" || $0["kind"] as? String == "sequence_step" }.count == 3,
                    "\(events)")
        }
    }

    @Test func quietHoursDeferAStepAndDoNotCallRemovesTheLead() async throws {
        try await blocking { () throws in
            // 22:00 in Texas: too late for a text.
            let desk = try OutreachDesk(now: Timestamp.parse("2026-07-23T03:00:00Z")!)
            let sequence = try desk.sequence([["channel": "sms", "template": "Hi {{first_name}}"],
                                              ["channel": "sms", "delay_minutes": 60, "template": "Still there?"]])
            let late = try desk.lead(phone: "5127311111")
            let optedOut = try desk.lead(phone: "5127312222")
            _ = try desk.enroll(sequence, late)
            _ = try desk.enroll(sequence, optedOut)
            #expect(desk.run() == 2)
            #expect(desk.messages.sent.isEmpty)
            let deferred = try desk.enrollments(sequence).first { $0["lead_id"] as? String == late }
            let next = try #require(Timestamp.parse(deferred?["next_step_at"] as? String ?? ""))
            #expect(next > desk.app.clock.now)
            #expect((deferred?["reason"] as? String)?.hasPrefix("deferred:") == true)

            // One asks not to be contacted: out of the sequence at once.
            #expect(try desk.app.ezleeds("POST", "/api/v1/compliance/dnc", key: desk.key, ["phone": "5127312222", "reason": "STOP"]).status == 201)
            let stopped = try desk.enrollments(sequence).first { $0["lead_id"] as? String == optedOut }
            #expect(stopped?["status"] as? String == "stopped")

            // Morning: the deferred text goes; nothing for the opted-out lead.
            desk.app.clock.set(next)
            #expect(desk.run() == 1)
            #expect(desk.messages.sent.map(\.to) == ["+15127311111"])
        }
    }

    @Test func aRestartDoesNotResendAndPauseRemoveWork() async throws {
        try await blocking { () throws in
            let desk = try OutreachDesk()
            let sequence = try desk.sequence([["channel": "sms", "template": "One"], ["channel": "sms", "delay_minutes": 30, "template": "Two"],
                                              ["channel": "sms", "delay_minutes": 30, "template": "Three"]])
            let first = try desk.lead(phone: "5127313333")
            let second = try desk.lead(phone: "5127314444")
            _ = try desk.enroll(sequence, first)
            _ = try desk.enroll(sequence, second)
            #expect(desk.run() == 2)
            #expect(desk.messages.sent.count == 2)

            // A restart: the steps sent are not sent again.
            desk.app.stop()
            let messages = SimulatedMessages()
            let restarted = try TestServer(now: desk.app.clock.now, directory: desk.app.directory) { options in
                options.messages = messages
                options.runsSequences = false
            }
            let run = { wait { await restarted.server.sequenceRunner.runDue() } }
            #expect(run() == 0)
            #expect(messages.sent.isEmpty)

            // Paused: due steps wait; resumed, they go.
            #expect(try restarted.ezleeds("POST", "/api/v1/sequences/\(sequence)/pause", key: desk.key).json()["status"] as? String == "paused")
            restarted.clock.advance(by: 30 * 60)
            #expect(run() == 0)
            #expect(try restarted.ezleeds("POST", "/api/v1/sequences/\(sequence)/resume", key: desk.key).json()["status"] as? String == "active")
            // One lead taken out first.
            let removed = try restarted.ezleeds("DELETE", "/api/v1/sequences/\(sequence)/enrollments/\(second)", key: desk.key)
            #expect(removed.status == 200)
            #expect(try removed.json()["removed"] as? Bool == true)
            #expect(try restarted.ezleeds("DELETE", "/api/v1/sequences/\(sequence)/enrollments/\(second)", key: desk.key).status == 404)
            #expect(run() == 1)
            #expect(messages.sent.map(\.text) == ["Two"])
            #expect(messages.sent.map(\.to) == ["+15127313333"])
            // Enrolled twice: refused; enrolled again after removal: a new enrollment.
            #expect(try restarted.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: desk.key, ["lead_id": first]).status == 409)
            #expect(try restarted.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: desk.key, ["lead_id": second]).status == 201)
        }
    }

    @Test func badSequencesAreRefusedFieldByField() async throws {
        try await blocking { () throws in
            let desk = try OutreachDesk()
            let sms = try desk.app.ezleeds("POST", "/api/v1/templates", key: desk.key, ["name": "Hello", "channel": "sms", "body": "Hi"])
            let smsID = try #require(try sms.json()["id"] as? String)
            let reply = try desk.app.ezleeds("POST", "/api/v1/sequences", key: desk.key, ["steps": [
                ["channel": "fax", "template": "x"],
                ["channel": "sms"],
                ["channel": "email", "template_id": smsID],
                ["channel": "email", "template_id": "tpl_nope"],
                ["channel": "sms", "template": "x", "delay_minutes": -5],
            ]])
            #expect(reply.status == 422)
            #expect(Set(reply.fields) == ["name", "steps[0].channel", "steps[1].template", "steps[2].template_id", "steps[3].template_id",
                                          "steps[4].delay_minutes"])
            #expect(try desk.app.ezleeds("POST", "/api/v1/sequences", key: desk.key, ["name": "Empty", "steps": []]).fields == ["steps"])
            #expect(try desk.app.ezleeds("POST", "/api/v1/templates", key: desk.key, ["name": "Mail", "channel": "email", "body": "x"]).fields
                    == ["subject"])

            let sequence = try desk.sequence([["channel": "sms", "template": "Hi"]])
            #expect(try desk.app.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: desk.key, ["lead_id": "nope"]).status == 404)
            #expect(try desk.app.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: desk.key, [:]).fields == ["lead_id"])
            // Another tenant sees none of it.
            let other = try desk.app.makeKey(tenant: "other")
            #expect(try desk.app.ezleeds("GET", "/api/v1/sequences/\(sequence)", key: other).status == 404)
            #expect(try desk.app.ezleeds("GET", "/api/v1/templates/\(smsID)", key: other).status == 404)
            let lead = try desk.lead(phone: "5127315555")
            #expect(try desk.app.ezleeds("POST", "/api/v1/sequences/\(sequence)/enroll", key: other, ["lead_id": lead]).status == 404)
        }
    }
}
