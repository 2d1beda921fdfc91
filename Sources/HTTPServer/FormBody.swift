/// An `application/x-www-form-urlencoded` body (what an HTML form posts): `name=value` pairs joined by `&`, with `+`
/// for a space and `%XX` escapes. A name may repeat (a group of checkboxes); the order is kept.
public struct FormBody: Sendable, Equatable {
    public let fields: [(name: String, value: String)]

    public init(urlEncoded bytes: [UInt8]) {
        var fields: [(String, String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty else { continue }
            fields.append((name, parts.count == 2 ? Self.decode(parts[1]) : ""))
        }
        self.fields = fields
    }

    /// Encodes fields as a form body (what `init(urlEncoded:)` reads back): unreserved characters as they are, the
    /// rest as `%XX`.
    public static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
        func escaped(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    out.append(Character(UnicodeScalar(byte)))
                default:
                    let hex = Array("0123456789ABCDEF")
                    out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0x0f)])"
                }
            }
            return out
        }
        return Array(fields.map { escaped($0.name) + "=" + escaped($0.value) }.joined(separator: "&").utf8)
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Percent-decodes one name or value; a malformed escape is kept as it was, and bytes that are not UTF-8 become U+FFFD.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(byte)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    public static func == (a: FormBody, b: FormBody) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension Request {
    /// The posted form. A body of another type is a `415`.
    public func form() throws -> FormBody {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw HTTPError.unsupportedMediaType(mediaType, expected: "application/x-www-form-urlencoded")
        }
        return FormBody(urlEncoded: body)
    }

    /// The request's cookies by name (the first of a repeated name wins).
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers where name.lowercased() == "cookie" {
            for part in value.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let key = pair[0].trimmingSpaces
                if result[key] == nil { result[key] = pair[1].trimmingSpaces }
            }
        }
        return result
    }
}

/// A `Set-Cookie` header value. Cookies are HttpOnly and SameSite=Strict unless told otherwise; `secure` adds
/// `Secure` (set it when the site is served over TLS).
public struct SetCookie: Sendable {
    public var name: String
    public var value: String
    public var path = "/"
    public var maxAge: Int?
    public var secure = false
    public var httpOnly = true
    public var sameSite = "Strict"

    public init(name: String, value: String, path: String = "/", maxAge: Int? = nil, secure: Bool = false) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.secure = secure
    }

    /// A header that makes the browser drop the cookie.
    public static func expired(_ name: String, path: String = "/") -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0)
    }

    public var headerValue: String {
        var text = "\(name)=\(value); Path=\(path)"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if secure { text += "; Secure" }
        if httpOnly { text += "; HttpOnly" }
        text += "; SameSite=\(sameSite)"
        return text
    }
}

extension Response {
    public mutating func setCookie(_ cookie: SetCookie) { headers.add("Set-Cookie", cookie.headerValue) }
}
