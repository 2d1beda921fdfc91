import Foundation
@testable import LeadlineCore
import Testing

@Suite struct MailMessageTests {
    let date = Date(timeIntervalSince1970: 1_784_736_000)

    @Test func aLineBreakInALeadsFieldCannotAddAHeader() {
        let message = MailMessage(from: MailAddress(name: "Acme", address: "hello@acme.test"), to: MailAddress(address: "jo@example.com"),
                                  subject: "Hi Jo\r\nBcc: victim@example.com", text: "Hello", html: nil, date: date, messageID: "x@acme.test")
        let text = String(decoding: message.bytes, as: UTF8.self)
        #expect(text.contains("Subject: Hi Jo Bcc: victim@example.com\r\n"))
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("Date: Wed, 22 Jul 2026 16:00:00 +0000\r\n"))
        // One part only: the text, in base64.
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n"))
    }

    @Test func namesAndSubjectsBeyondASCIIAreEncodedWords() {
        let message = MailMessage(from: MailAddress(name: "Zoë \"Z\" Intake", address: "hello@acme.test"), to: MailAddress(address: "jo@example.com"),
                                  subject: "Grüße", text: "x", html: nil, date: date, messageID: "x@acme.test")
        let headers = Dictionary(message.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["Subject"] == "=?UTF-8?B?R3LDvMOfZQ==?=")
        #expect(headers["From"] == "=?UTF-8?B?Wm/DqyAiWiIgSW50YWtl?= <hello@acme.test>")
        let ascii = MailAddress(name: "Acme \"Legal\"", address: "hello@acme.test")
        #expect(ascii.header == #""Acme \"Legal\"" <hello@acme.test>"#)
    }

    @Test func addressesAreParsedWithOrWithoutADisplayName() {
        #expect(MailAddress.parse("Acme Intake <hello@mail.acme.test>") == MailAddress(name: "Acme Intake", address: "hello@mail.acme.test"))
        #expect(MailAddress.parse("\"Acme\" <hello@acme.test>")?.name == "Acme")
        #expect(MailAddress.parse("hello@acme.test") == MailAddress(address: "hello@acme.test"))
        #expect(MailAddress.parse("hello@acme.test")?.domain == "acme.test")
        for bad in ["", "hello", "hello@", "@acme.test", "a@b@acme.test", "hello@localhost", "hel lo@acme.test"] {
            #expect(MailAddress.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func relaxedCanonicalizationFollowsRFC6376() {
        // RFC 6376 §3.4.5's example.
        #expect(DKIMSigner.relaxedHeader("A", " X\r\n") == "a:X")
        #expect(DKIMSigner.relaxedHeader("B ", " Y\t\r\n\tZ  ") == "b:Y Z")
        #expect(String(decoding: DKIMSigner.relaxedBody(Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)), as: UTF8.self) == " C\r\nD E\r\n")
        #expect(DKIMSigner.relaxedBody(Array("\r\n\r\n".utf8)).isEmpty)
    }
}
