import Foundation
import LeadlineCrypto

/// Signs messages for a domain (RFC 6376): rsa-sha256 over the relaxed/relaxed canonical forms of the body and of
/// the headers it names, added as a `DKIM-Signature` header in front of the others.
public struct DKIMSigner: Sendable {
    public let domain: String
    public let selector: String
    let key: RSAKey

    /// The headers signed, those present: who it is from and to, what it is, and how to unsubscribe. `From` is
    /// named twice so a second From added on the way invalidates the signature.
    static let signedHeaders = ["from", "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
                                "list-unsubscribe", "list-unsubscribe-post"]

    public init(domain: String, selector: String, key: RSAKey) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    public func sign(_ message: inout MailMessage, at date: Date) throws {
        let bodyHash = Data(Digest.sha256(Self.relaxedBody(message.body))).base64EncodedString()
        let names = Self.signedHeaders.filter { name in name == "from" || message.headers.contains { $0.name.lowercased() == name } }
        var signed = "", unused = message.headers
        for name in names {
            // Each name takes the last unused instance of that header (RFC 6376 §5.4.2); a name with none left
            // adds nothing, which is what the second From relies on.
            if let index = unused.lastIndex(where: { $0.name.lowercased() == name }) {
                signed += Self.relaxedHeader(unused[index].name, unused[index].value) + "\r\n"
                unused.remove(at: index)
            }
        }
        let unsignedValue = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=\(domain); s=\(selector);\r\n\tt=\(Int(date.timeIntervalSince1970)); "
            + "h=\(names.joined(separator: ":"));\r\n\tbh=\(bodyHash);\r\n\tb="
        signed += Self.relaxedHeader("DKIM-Signature", unsignedValue)
        let signature = Data(try key.signSHA256(Array(signed.utf8))).base64EncodedString()
        message.prepend(MailMessage.Header(name: "DKIM-Signature", value: unsignedValue + Self.folded(signature)))
    }

    /// Relaxed header canonicalization: the name lower-cased, the value unfolded, runs of spaces and tabs made one
    /// space, and none at either end.
    static func relaxedHeader(_ name: String, _ value: String) -> String {
        name.lowercased().trimmingSpaces + ":" + compressed(value.replacingOccurrences(of: "\r\n", with: ""))
    }

    /// Relaxed body canonicalization: in each line runs of spaces and tabs made one space and none at the end; empty
    /// lines at the end removed; a body that is not empty ends with one CRLF.
    static func relaxedBody(_ body: [UInt8]) -> [UInt8] {
        var lines = String(decoding: body, as: UTF8.self).components(separatedBy: "\r\n")
        lines = lines.map { compressed($0, trimLeading: false) }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.isEmpty ? [] : Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func compressed(_ text: String, trimLeading: Bool = true) -> String {
        var out = "", pendingSpace = false
        for character in text {
            if character == " " || character == "\t" {
                pendingSpace = true
                continue
            }
            if pendingSpace && (!out.isEmpty || !trimLeading) { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }

    /// The base64 signature in lines of 72, folded (whitespace in b= is ignored by verifiers).
    private static func folded(_ text: String) -> String {
        var lines: [Substring] = [], rest = Substring(text)
        while !rest.isEmpty {
            lines.append(rest.prefix(72))
            rest = rest.dropFirst(72)
        }
        return lines.joined(separator: "\r\n\t")
    }
}
