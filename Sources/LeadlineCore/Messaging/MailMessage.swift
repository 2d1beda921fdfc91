import Foundation
import LeadlineCrypto

/// A mailbox: `Acme Intake <hello@mail.acme.com>`.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// `Name <local@domain>` or a bare `local@domain`; nil unless the address has one `@` with text each side and no
    /// space or angle bracket.
    public static func parse(_ text: String) -> MailAddress? {
        var name: String?, address = text.trimmingSpaces
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            let display = address[..<open].trimmingSpaces.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            name = display.isEmpty ? nil : display
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }) else { return nil }
        return MailAddress(name: name, address: address)
    }

    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]).lowercased() }
    public var localPart: String { String(address[..<address.lastIndex(of: "@")!]) }

    /// As a From or To header's value (the display name quoted, or encoded when it is not ASCII).
    var header: String {
        guard let name = name.map(MailMessage.headerSafe), !name.isEmpty else { return address }
        let shown = name.allSatisfy(\.isASCII)
            ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            : MailMessage.encodedWords(name)
        return "\(shown) <\(address)>"
    }
}

/// An email as it goes on the wire (RFC 5322 with MIME): its headers in order and a multipart/alternative body with
/// a plain-text part and, when there is one, an HTML part, both UTF-8 in base64. Line ends are CRLF throughout.
public struct MailMessage: Sendable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var headers: [Header]
    public var body: [UInt8]

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String?, date: Date, messageID: String,
                extraHeaders: [Header] = []) {
        headers = [Header(name: "From", value: from.header),
                   Header(name: "To", value: to.header),
                   Header(name: "Subject", value: Self.headerSafe(subject).allSatisfy(\.isASCII) ? Self.headerSafe(subject)
                                                                                               : Self.encodedWords(Self.headerSafe(subject))),
                   Header(name: "Date", value: Self.dateFormat(date)),
                   Header(name: "Message-ID", value: "<\(messageID)>"),
                   Header(name: "MIME-Version", value: "1.0")]
        headers += extraHeaders.map { Header(name: $0.name, value: Self.headerSafe($0.value)) }
        guard let html else {
            headers += Self.partHeaders("text/plain")
            body = Self.base64Lines(text)
            return
        }
        let boundary = "leadline-" + SecureRandom.bytes(12).hex
        headers.append(Header(name: "Content-Type", value: "multipart/alternative; boundary=\"\(boundary)\""))
        var out = "This is a MIME message: a plain-text and an HTML version of the same text.\r\n"
        for (type, content) in [("text/plain", text), ("text/html", html)] {
            out += "\r\n--\(boundary)\r\n"
            out += Self.partHeaders(type).map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n"
            out += String(decoding: Self.base64Lines(content), as: UTF8.self)
        }
        out += "\r\n--\(boundary)--\r\n"
        body = Array(out.utf8)
    }

    /// A header added in front (a trace or signature header).
    public mutating func prepend(_ header: Header) { headers.insert(header, at: 0) }

    /// The message's bytes: each header on its line (long values are already folded), a blank line, the body.
    public var bytes: [UInt8] {
        var out = headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n"
        out.reserveCapacity(out.utf8.count + body.count)
        return Array(out.utf8) + body
    }

    // MARK: Encoding

    private static func partHeaders(_ type: String) -> [Header] {
        [Header(name: "Content-Type", value: "\(type); charset=utf-8"), Header(name: "Content-Transfer-Encoding", value: "base64")]
    }

    /// A text with CRLF line ends, in base64 lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ text: String) -> [UInt8] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Array(Data(normalized.utf8).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out += encoded[start..<end]
            out += [13, 10]
            start = end
        }
        return out
    }

    /// A header value with no line breaks: a lead's name cannot add a header of its own.
    static func headerSafe(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 }).trimmingSpaces
    }

    /// RFC 2047 encoded words (`=?UTF-8?B?...?=`), each under 75 characters, split between characters.
    static func encodedWords(_ text: String) -> String {
        var words: [[UInt8]] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(chunk)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// `Sat, 21 Nov 2026 22:13:47 +0000`.
    static func dateFormat(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
