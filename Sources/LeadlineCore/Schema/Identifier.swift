import Foundation
import LeadlineCrypto

/// Random ids with the type prefixes the EZLeeds reference shows (`buyer_`, `cert_`, …): `key_3kq9x0c7m2vd8hza`.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// A random id whose first characters follow time (milliseconds, base 36), for rows written by the thousand:
    /// their index entries then land on the same few pages instead of a random page each.
    /// `cert_` + 9 time characters + 12 random ones (62 random bits).
    public static func sortable(_ prefix: String, at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var time = String(milliseconds, radix: 36)
        if time.count < 9 { time = String(repeating: "0", count: 9 - time.count) + time }
        return prefix + "_" + time + make(prefix, length: 12).dropFirst(prefix.utf8.count + 1)
    }

    /// A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Lead ids are UUIDs; being
    /// time-ordered keeps the leads' primary-key index and the indexes keyed by lead id append-mostly.
    public static func uuidV7(at date: Date) -> String {
        var bytes = SecureRandom.bytes(16)
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - UInt64(i)))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // variant 10
        // 8-4-4-4-12 hex digits.
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, digit) in bytes.hex.utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func make(_ prefix: String, length: Int = 16) -> String {
        var out = Array(prefix.utf8) + [UInt8(ascii: "_")]
        while out.count < prefix.utf8.count + 1 + length {
            // 252 = 7 × 36: rejection sampling keeps each character uniform.
            for byte in SecureRandom.bytes(length * 2) where byte < 252 && out.count < prefix.utf8.count + 1 + length {
                out.append(alphabet[Int(byte % 36)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
