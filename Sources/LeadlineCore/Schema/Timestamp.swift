import Foundation

/// Times are stored and sent as RFC 3339 UTC with `Z`, to the millisecond: `2026-04-22T14:30:00.123Z`.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        formatUTC(date) ?? date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `format` written by hand for the years 1970 to 9999 (every lead stamps a few times; Foundation's formatter was
    /// 2% of an import's preparation); nil outside them. Milliseconds are cut, not rounded, as Foundation's are.
    static func formatUTC(_ date: Date) -> String? {
        let interval = date.timeIntervalSince1970
        guard interval >= 0, interval < 253_402_300_800 else { return nil }
        let whole = interval.rounded(.down)
        let milliseconds = min(999, Int((interval - whole) * 1000))
        let seconds = Int(whole)
        let (year, month, day) = CivilDate(dayNumber: seconds / 86_400).components
        let time = seconds % 86_400
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ digits: Int, at start: Int) {
                var value = value
                for index in stride(from: start + digits - 1, through: start, by: -1) {
                    out[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0); out[4] = UInt8(ascii: "-"); put(month, 2, at: 5); out[7] = UInt8(ascii: "-"); put(day, 2, at: 8)
            out[10] = UInt8(ascii: "T"); put(time / 3_600, 2, at: 11); out[13] = UInt8(ascii: ":"); put(time / 60 % 60, 2, at: 14)
            out[16] = UInt8(ascii: ":"); put(time % 60, 2, at: 17); out[19] = UInt8(ascii: "."); put(milliseconds, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    public static func parse(_ text: String) -> Date? {
        if let date = parseUTC(text.utf8) { return date }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f…]Z` read by hand (consent times are parsed on every lead, and Foundation's parser was
    /// some 4% of an import's preparation); nil for anything else, which goes to Foundation.
    static func parseUTC(_ text: String.UTF8View) -> Date? {
        let bytes = Array(text)
        guard bytes.count == 20 || (bytes.count >= 22 && bytes.count <= 30), bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, UInt8)] = [(4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")),
                                          (13, UInt8(ascii: ":")), (16, UInt8(ascii: ":"))]
        for (index, separator) in separators where bytes[index] != separator { return nil }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2),
              year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        var fraction = 0.0
        if bytes.count > 20 {
            // A fraction: a dot and one to nine digits before the Z.
            let digits = bytes.count - 21
            guard bytes[19] == UInt8(ascii: "."), digits >= 1, digits <= 9, let value = number(20, digits) else { return nil }
            fraction = Double(value) / pow(10, Double(digits))
        }
        let days = CivilDate(year: year, month: month, day: day).dayNumber
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
