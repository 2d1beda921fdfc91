import Foundation
import LeadlineCrypto
import Synchronization

/// Random ids with the type prefixes the EZLeeds reference shows (`buyer_`, `cert_`, …): `key_3kq9x0c7m2vd8hza`.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A random id whose first characters follow time (milliseconds, base 36), for rows written by the thousand:
    /// their index entries then land on the same few pages instead of a random page each.
    /// `cert_` + 9 time characters + 12 random ones (62 random bits).
    public static func sortable(_ prefix: String, at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let time = String(milliseconds, radix: 36).utf8
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + 1 + max(9, time.count) + 12)
        out.append(UInt8(ascii: "_"))
        out += repeatElement(UInt8(ascii: "0"), count: max(0, 9 - time.count))
        out += time
        appendRandom(12, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` version 7 UUIDs (lead ids) in increasing order, each above every one this process made before: 48 bits
    /// of Unix milliseconds, 12 bits that count on within a millisecond (RFC 9562 §6.2, method 3; a run that fills them
    /// carries into the milliseconds), then random bits. In this order a batch's leads land at the end of every index keyed by lead id, where
    /// SQLite appends to the last page; in random order within a millisecond they landed on the last few pages, and
    /// each that filled was split and rebalanced with two neighbours: intake's commits wrote twice the pages of those
    /// indexes that they needed.
    public static func uuidV7s(_ count: Int, at date: Date) -> [String] {
        guard count > 0 else { return [] }
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let first = reserveTicks(UInt64(count), from: milliseconds << 12)
        return (0..<UInt64(count)).map { uuidV7(tick: first + $0) }
    }

    /// Milliseconds × 4096 plus the count within the millisecond: the last one handed out.
    private static let lastTick = Atomic<UInt64>(0)

    /// The first of `count` consecutive ticks, none at or below one handed out before, and none below `earliest`.
    private static func reserveTicks(_ count: UInt64, from earliest: UInt64) -> UInt64 {
        var last = lastTick.load(ordering: .relaxed)
        while true {
            let first = max(earliest, last + 1)
            let (exchanged, found) = lastTick.compareExchange(expected: last, desired: first + count - 1, ordering: .relaxed)
            if exchanged { return first }
            last = found
        }
    }

    private static func uuidV7(tick: UInt64) -> String {
        var bytes = (UInt64(0), UInt64(0))
        let milliseconds = tick >> 12
        return withUnsafeMutableBytes(of: &bytes) { bytes in
            SecureRandom.fill(UnsafeMutableRawBufferPointer(rebasing: bytes[8...]))
            for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - UInt64(i)))) }
            bytes[6] = 0x70 | UInt8(truncatingIfNeeded: (tick >> 8) & 0x0f)  // version 7, then the count's high bits
            bytes[7] = UInt8(truncatingIfNeeded: tick)
            bytes[8] = 0x80 | (bytes[8] & 0x3f)  // variant 10
            // 8-4-4-4-12 hex digits.
            return String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { text[at] = UInt8(ascii: "-"); at += 1 }
                    text[at] = hexDigits[Int(byte >> 4)]
                    text[at + 1] = hexDigits[Int(byte & 0x0f)]
                    at += 2
                }
                return at
            }
        }
    }

    public static func make(_ prefix: String, length: Int = 16) -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + 1 + length)
        out.append(UInt8(ascii: "_"))
        appendRandom(length, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` random characters of the alphabet.
    private static func appendRandom(_ count: Int, to out: inout [UInt8]) {
        let end = out.count + count
        // A few bytes more than characters: about 2% of bytes are rejected.
        withUnsafeTemporaryAllocation(byteCount: min(64, count + 4), alignment: 1) { random in
            while out.count < end {
                SecureRandom.fill(random)
                // 252 = 7 × 36: rejection sampling keeps each character uniform.
                for byte in random where byte < 252 && out.count < end { out.append(alphabet[Int(byte % 36)]) }
            }
        }
    }
}
