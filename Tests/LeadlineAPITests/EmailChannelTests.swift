import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import OutboundMail
import Testing

/// Sequences' emails over SMTP to a real server (aiosmtpd on loopback, STARTTLS and AUTH required), DKIM-signed with
/// a verified sending domain's key and checked by dkimpy; MIME read back by Python's email package.
@Suite struct EmailChannelTests {
    static let domain = "mail.acme-legal.test"

    /// A server sending through `smtp`, its domain checks asking `dns`.
    static func desk(_ smtp: LocalSMTP, dns: LocalDNS? = nil, password: String? = nil) throws -> OutreachDesk {
        try OutreachDesk { options in
            var settings = SMTPSettings(url: smtp.url, username: smtp.username, password: password ?? smtp.password)
            settings.caFile = smtp.caFile
            options.smtp = settings
            options.mailFrom = MailAddress(name: "Acme Intake", address: "hello@leadline.test")
            options.dnsResolver = dns?.address
            options.publicURL = "https://leads.example.com/"
        }
    }

    /// Registers and verifies the sending domain; answers its DKIM record.
    static func verifiedDomain(_ desk: OutreachDesk, dns: LocalDNS) throws -> (name: String, value: String) {
        let created = try desk.app.ezleeds("POST", "/api/v1/domains/", key: desk.key, ["domain": domain]).json()
        let id = try #require(created["id"] as? String)
        let records = try #require(created["dns_records"] as? [[String: String]])
        let dkim = (name: records[1]["name"] ?? "", value: records[1]["value"] ?? "")
        try dns.publish([domain: [["v=spf1 a mx ~all"]], dkim.name: [DomainsAPITests.strings(dkim.value)],
                         "_dmarc.\(domain)": [["v=DMARC1; p=none"]]])
        let verified = try desk.app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: desk.key).json()
        #expect(verified["status"] as? String == "verified", "\(verified)")
        return dkim
    }

    /// The message's leaf parts by content type, decoded, as Python's email package reads them.
    static func parts(_ mail: LocalSMTP.Received) throws -> [String: String] {
        let json = try python("""
            import email, json, sys
            message = email.message_from_bytes(sys.stdin.buffer.read())
            print(json.dumps({p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset())
                              for p in message.walk() if not p.is_multipart()}))
            """, input: mail.bytes)
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] ?? [:]
    }

    @Test func anEmailStepLeavesOverSMTPSignedWithTheDomainsKey() async throws {
        try await blocking { () throws in
            let smtp = try LocalSMTP()
            let dns = try LocalDNS()
            let desk = try Self.desk(smtp, dns: dns)
            let dkim = try Self.verifiedDomain(desk, dns: dns)
            let sequence = try desk.sequence([["channel": "email", "delay_minutes": 0, "subject": "Your quote, {{first_name}}",
                                               "template": "<p>Hello {{first_name}},</p>\n<p>here is your quote.</p>"]])
            let lead = try desk.lead(phone: "5127310100", firstName: "Jo<script>alert(1)</script>", email: "jo@example.com")
            _ = try desk.enroll(sequence, lead)
            #expect(desk.run() == 1)

            let mail = try #require(smtp.received.first)
            #expect(smtp.received.count == 1)
            #expect(mail.encrypted && mail.authenticated, "STARTTLS, then AUTH")
            // From the configured sender's local part at the tenant's verified domain.
            #expect(mail.mailFrom == "hello@\(Self.domain)")
            #expect(mail.recipients == ["jo@example.com"])
            #expect(mail.header("From") == "\"Acme Intake\" <hello@\(Self.domain)>")
            #expect(mail.header("To") == "jo@example.com")
            #expect(mail.header("Subject") == "Your quote, Jo<script>alert(1)</script>")
            #expect(mail.header("Message-ID")?.hasSuffix("@\(Self.domain)>") == true)
            #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative;") == true)
            let unsubscribe = try #require(mail.header("List-Unsubscribe"))
            #expect(unsubscribe.hasPrefix("<https://leads.example.com/unsubscribe/\(lead).") && unsubscribe.hasSuffix(">"))
            #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")

            // A text part and an HTML part, the lead's name escaped in the HTML, the unsubscribe link in both.
            let parts = try Self.parts(mail)
            #expect(parts.keys.sorted() == ["text/html", "text/plain"])
            let html = try #require(parts["text/html"])
            #expect(html.contains("<p>Hello Jo&lt;script&gt;alert(1)&lt;/script&gt;,</p>"))
            #expect(!html.contains("<script>"))
            let link = String(unsubscribe.dropFirst().dropLast())
            #expect(html.contains("<a href=\"\(link)\">Unsubscribe</a>"))
            #expect(parts["text/plain"]?.contains("Hello Jo<script>alert(1)</script>,") == true)
            #expect(parts["text/plain"]?.hasSuffix("Unsubscribe: \(link)\r\n") == true)

            // dkimpy verifies the signature against the published key; a changed header or body fails it.
            let signature = try #require(mail.header("DKIM-Signature"))
            #expect(signature.contains("a=rsa-sha256") && signature.contains("c=relaxed/relaxed") && signature.contains("d=\(Self.domain)")
                    && signature.contains("s=leadline"))
            #expect(try LocalSMTP.verifyDKIM(mail.bytes, name: dkim.name, record: dkim.value) == "pass")
            let changedHeader = mail.text.replacingOccurrences(of: "Subject: Your quote", with: "Subject: Your QUOTE")
            #expect(try LocalSMTP.verifyDKIM(Array(changedHeader.utf8), name: dkim.name, record: dkim.value) != "pass")
            let changedBody = mail.text.replacingOccurrences(of: "This is a MIME message", with: "This is a MIME letter")
            #expect(changedBody != mail.text)
            #expect(try LocalSMTP.verifyDKIM(Array(changedBody.utf8), name: dkim.name, record: dkim.value) != "pass")
            // Relaxed canonicalization: the same message re-folded and re-spaced on the way still verifies.
            let respaced = mail.text.replacingOccurrences(of: "To: jo@example.com", with: "To:   jo@example.com  ")
            #expect(try LocalSMTP.verifyDKIM(Array(respaced.utf8), name: dkim.name, record: dkim.value) == "pass")

            let sends = try #require(try desk.enrollments(sequence).first)["sends"] as? [[String: Any]]
            #expect(sends?.map { $0["status"] as? String } == ["sent"])

            // The one-click unsubscribe (RFC 8058) puts the lead's number on the do-not-call list.
            let path = String(link.dropFirst("https://leads.example.com".count))
            let page = try desk.app.request("GET", path)
            #expect(page.status == 200 && page.text.contains("<form method=\"post\">"))
            // The tag with one character changed (the first after the dot: it carries six bits of the tag).
            let dot = try #require(path.lastIndex(of: "."))
            let first = path[path.index(after: dot)]
            let forgedPath = path[...dot] + (first == "A" ? "B" : "A") + path[path.index(dot, offsetBy: 2)...]
            let forged = try desk.app.request("POST", String(forgedPath), headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                              body: Array("List-Unsubscribe=One-Click".utf8))
            #expect(forged.status == 404)
            #expect(try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).status == 404)
            let done = try desk.app.request("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                            body: Array("List-Unsubscribe=One-Click".utf8))
            #expect(done.status == 200 && done.text.contains("You are unsubscribed"))
            let entry = try desk.app.ezleeds("GET", "/api/v1/compliance/dnc?phone=5127310100", key: desk.key).json()
            #expect(entry["channel"] as? String == "email")
            #expect(try desk.center.detail(lead)["status"] as? String == "ineligible")
        }
    }

    @Test func withoutAVerifiedDomainMailIsUnsignedAndARefusedLoginFailsTheStep() async throws {
        try await blocking { () throws in
            let smtp = try LocalSMTP()
            let desk = try Self.desk(smtp)
            let sequence = try desk.sequence([["channel": "email", "template": "Hi {{first_name}}\nSee you soon."]])
            _ = try desk.enroll(sequence, try desk.lead(phone: "5127310101", email: "ann@example.com"))
            #expect(desk.run() == 1)
            let mail = try #require(smtp.received.first)
            #expect(mail.mailFrom == "hello@leadline.test")
            #expect(mail.header("From") == "\"Acme Intake\" <hello@leadline.test>")
            #expect(mail.header("DKIM-Signature") == nil)
            #expect(mail.header("Subject") == "A message for Jane")
            // A template without markup keeps its line breaks in the HTML part.
            #expect(try Self.parts(mail)["text/html"]?.contains("Hi Jane<br>\r\nSee you soon.") == true)

            // The relay refuses the login: nothing is handed over, and the step is failed with the relay's reply.
            let refused = try Self.desk(smtp, password: "wrong")
            let second = try refused.sequence([["channel": "email", "template": "Hi"]])
            _ = try refused.enroll(second, try refused.lead(phone: "5127310102", email: "bo@example.com"))
            #expect(refused.run() == 1)
            #expect(smtp.received.count == 1)
            let send = try #require((try refused.enrollments(second).first?["sends"] as? [[String: Any]])?.first)
            #expect(send["status"] as? String == "failed")
            #expect((send["error"] as? String)?.contains("535") == true, "\(send)")
        }
    }
}
