import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Testing

/// Sequences' texts through the Twilio adapter against a local fake of Twilio's Messages API, and texts consumers
/// send back arriving at Twilio's signed inbound webhook: STOP, HELP, START, and anything else.
@Suite struct SMSChannelTests {
    static let publicURL = "https://leads.example.com"
    static let inboundPath = "/v1/sms/twilio/inbound"

    static func desk(_ twilio: FakeTwilio, from: String = "+15125550199") throws -> OutreachDesk {
        try OutreachDesk { options in
            var settings = TwilioSettings(accountSID: twilio.accountSID, authToken: twilio.authToken, from: from)
            settings.baseURL = twilio.baseURL
            options.twilio = settings
            options.allowPrivateTargets = true  // the fake is on loopback
            options.publicURL = publicURL
        }
    }

    /// Posts a text from `from` to the inbound webhook as Twilio would, signed (or with `signature`).
    static func inbound(_ desk: OutreachDesk, _ twilio: FakeTwilio, from: String, body: String, signature: String? = nil) throws -> HTTPConnection.Reply {
        let fields = [("MessageSid", "SM" + String(repeating: "ab", count: 16)), ("AccountSid", twilio.accountSID), ("From", from),
                      ("To", "+15125550199"), ("Body", body), ("NumMedia", "0")]
        let encoded = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let signed = try signature ?? twilio.signature(url: publicURL + inboundPath, fields: fields)
        return try desk.app.request("POST", inboundPath, headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed],
                                    body: Array(encoded.utf8))
    }

    @Test func aTextStepLeavesThroughTwilio() async throws {
        try await blocking { () throws in
            let twilio = try FakeTwilio()
            let desk = try Self.desk(twilio)
            let sequence = try desk.sequence([["channel": "sms", "template": "Hi {{first_name}}, your quote is ready. Reply STOP to opt out."]])
            _ = try desk.enroll(sequence, try desk.lead(phone: "5127310100", firstName: "Jo & Al"))
            _ = try desk.enroll(sequence, try desk.lead(phone: "5005550001"))
            #expect(desk.run() == 2)

            #expect(twilio.rejectedCredentials == 0)
            let sent = try #require(twilio.sent.first)
            #expect(twilio.sent.count == 1)
            #expect(sent.fields == ["To": "+15127310100", "From": "+15125550199", "Body": "Hi Jo & Al, your quote is ready. Reply STOP to opt out."])
            let sends = try desk.enrollments(sequence).compactMap { ($0["sends"] as? [[String: Any]])?.first }
            let delivered = try #require(sends.first { $0["recipient"] as? String == "+15127310100" })
            #expect(delivered["status"] as? String == "sent")
            #expect(delivered["provider_message_id"] as? String == sent.sid)
            // Twilio's refusal is the step's error, with its code.
            let refused = try #require(sends.first { $0["recipient"] as? String == "+15005550001" })
            #expect(refused["status"] as? String == "failed")
            #expect((refused["error"] as? String)?.contains("error 21211") == true, "\(refused)")
            #expect(desk.messages.sent.isEmpty, "nothing went to the simulator")
        }
    }

    @Test func aMessagingServiceSendsWithItsSID() async throws {
        try await blocking { () throws in
            let twilio = try FakeTwilio()
            let desk = try Self.desk(twilio, from: "MG" + String(repeating: "0", count: 32))
            let sequence = try desk.sequence([["channel": "sms", "template": "Hello"]])
            _ = try desk.enroll(sequence, try desk.lead(phone: "5127310100"))
            #expect(desk.run() == 1)
            #expect(twilio.sent.first?.fields["MessagingServiceSid"] == "MG" + String(repeating: "0", count: 32), "\((try? desk.enrollments(sequence)) ?? [])")
            #expect(twilio.sent.first?.fields["From"] == nil)
        }
    }

    @Test func stopEndsTheSequenceAtOnceAndHelpAndStartAnswer() async throws {
        try await blocking { () throws in
            let twilio = try FakeTwilio()
            let desk = try Self.desk(twilio)
            let sequence = try desk.sequence([["channel": "sms", "template": "Hi {{first_name}}"],
                                              ["channel": "sms", "delay_minutes": 30, "template": "Still there?"]])
            let lead = try desk.lead(phone: "5127310100")
            _ = try desk.enroll(sequence, lead)
            #expect(desk.run() == 1)
            #expect(twilio.sent.count == 1)

            // Unsigned, or signed with another token: refused, and nothing changes.
            #expect(try Self.inbound(desk, twilio, from: "+15127310100", body: "STOP", signature: "bm90IGEgc2lnbmF0dXJl").status == 403)
            let forged = try twilio.signature(url: Self.publicURL + Self.inboundPath, fields: [("Body", "STOP")], token: "another-token")
            #expect(try Self.inbound(desk, twilio, from: "+15127310100", body: "STOP", signature: forged).status == 403)
            #expect(try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).status == 404)

            // HELP: who is texting and how to stop.
            let help = try Self.inbound(desk, twilio, from: "+15127310100", body: " help ")
            #expect(help.status == 200)
            #expect(help.header("Content-Type")?.hasPrefix("text/xml") == true)
            #expect(help.text.contains("<Response><Message>acme: you are getting these texts") && help.text.contains("Reply STOP to opt out."))

            // A reply that is not a keyword goes on the lead's timeline.
            #expect(try Self.inbound(desk, twilio, from: "+15127310100", body: "Is it <free>?").text
                    == #"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#)

            // STOP (any case, any of the words): the number is on the do-not-call list before the answer, the lead
            // leaves the sequence, and its next step never goes out.
            let stop = try Self.inbound(desk, twilio, from: "+15127310100", body: "Stop.")
            #expect(stop.status == 200 && stop.text.hasSuffix("<Response></Response>"))
            let entry = try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).json()
            #expect(entry["channel"] as? String == "sms")
            let enrollment = try #require(try desk.enrollments(sequence).first)
            #expect(enrollment["status"] as? String == "stopped")
            desk.app.clock.advance(by: 31 * 60)
            #expect(desk.run() == 0)
            #expect(twilio.sent.count == 1)
            let events = try desk.center.detail(lead)["events"] as? [[String: Any]] ?? []
            #expect(events.contains { $0["kind"] as? String == "sms_received" && ($0["detail"] as? [String: String])?["text"] == "Is it <free>?" }, "\(events)")

            // START lifts a STOP sent by text.
            let start = try Self.inbound(desk, twilio, from: "+15127310100", body: "START")
            #expect(start.text.contains("you will get our texts again"))
            #expect(try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).status == 404)
            // An operator's entry is not lifted by a text.
            #expect(try desk.app.ezleeds("POST", "/api/v1/compliance/dnc", key: desk.key, ["phone": "5127310100", "reason": "asked on a call"]).status == 201)
            #expect(!(try Self.inbound(desk, twilio, from: "+15127310100", body: "START").text.contains("<Message>")))
            #expect(try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).status == 200)
        }
    }
}
