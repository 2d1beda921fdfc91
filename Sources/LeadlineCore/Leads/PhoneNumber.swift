import HTTPServer

/// US phone numbers, stored as E.164 (`+1NXXNXXXXXX`). The usual spellings are accepted: `5551234567`,
/// `(555) 123-4567`, `+1 555-123-4567`, `1-555-123-4567`, `555.123.4567`. Exchanges are not judged (the lead2inbound
/// quickstart's own `5551234567` has exchange 123), but an area code cannot start with 0 or 1 (NANP).
public enum PhoneNumber {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty, notDigits, wrongLength(Int), badAreaCode(String), notUS

        public var description: String {
            switch self {
            case .empty: return "is required"
            case .notDigits: return "must be digits, with spaces, dashes, dots, brackets or a leading + at most (letters are not dialable)"
            case .wrongLength(let n): return "must have 10 digits (or 11 starting with 1); it has \(n)"
            case .badAreaCode(let code): return "area code \(code) is not valid: it cannot start with 0 or 1"
            case .notUS: return "must be a US number (+1)"
            }
        }
    }

    public static func normalize(_ text: String) throws(Problem) -> String {
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty { throw .empty }
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for (index, byte) in trimmed.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "+") where index == 0: continue
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): continue
            default: throw .notDigits
            }
        }
        if trimmed.hasPrefix("+") && digits.first != UInt8(ascii: "1") { throw .notUS }
        if digits.count == 11 && digits[0] == UInt8(ascii: "1") { digits.removeFirst() }
        guard digits.count == 10 else { throw .wrongLength(digits.count) }
        guard digits[0] >= UInt8(ascii: "2") else { throw .badAreaCode(String(decoding: digits[0..<3], as: UTF8.self)) }
        return String(unsafeUninitializedCapacity: 12) { out in
            out[0] = UInt8(ascii: "+")
            out[1] = UInt8(ascii: "1")
            return 2 + UnsafeMutableBufferPointer(rebasing: out[2...]).initialize(fromContentsOf: digits)
        }
    }

    /// `normalize`, with a problem reported as a field of the caller's input (a 422 naming `field` over HTTP).
    public static func checked(_ text: String?, field: String = "phone") throws(CoreError) -> String {
        do throws(Problem) { return try normalize(text ?? "") } catch { throw CoreError.invalid([.init(field, error.description)]) }
    }

    /// The area code of a stored (E.164) number.
    public static func areaCode(_ e164: String) -> String { String(e164.dropFirst(2).prefix(3)) }
}
