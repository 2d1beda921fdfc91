import Foundation
import Synchronization

/// A moment as the called party's wall clock shows it.
public struct LocalTime: Sendable, Hashable, CustomStringConvertible {
    public let zone: String
    public let date: CivilDate
    /// Minutes after local midnight.
    public let minute: Int
    public let utcOffsetSeconds: Int

    public var weekday: Int { date.weekday }
    public var description: String { "\(date) \(CallingWindow.clock(minute)) \(zone)" }
}

/// Converts instants to local time in IANA zones, fast enough for hundreds of thousands of checks a second. The
/// offsets come from the system time zone database through Foundation (`TimeZone`): for the zones the rules and the
/// area-code table use, every offset change from 2000 to 2100 is read once up front into a table that is then only
/// read (no lock); other zones and other years are read on demand under a lock. Converting is integer arithmetic.
public final class LocalTimes: Sendable {
    public static let shared = LocalTimes()

    /// The offsets of one zone between transitions, sorted by `start` (seconds since 1970).
    struct Segments: Sendable {
        var starts: [Int] = []
        var offsets: [Int] = []
        var coveredFrom = 0
        var coveredTo = 0

        func covers(_ seconds: Int) -> Bool { !starts.isEmpty && seconds >= coveredFrom && seconds < coveredTo }

        func offset(at seconds: Int) -> Int {
            // The last segment starting at or before `seconds`.
            var low = 0, high = starts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= seconds { low = mid } else { high = mid - 1 }
            }
            return offsets[low]
        }
    }

    private let known: [String: Segments]
    private let others = Mutex<[String: Segments]>([:])

    public init() {
        var zones = Set(StateRules.all.flatMap(\.zones))
        for entry in AreaCodes.all.values { zones.formUnion(entry.zones) }
        let from = 946_684_800, to = 4_102_444_800   // 2000-01-01 to 2100-01-01
        known = Dictionary(uniqueKeysWithValues: zones.map { ($0, Self.segments($0, from: from, to: to)) })
    }

    public static func isKnownZone(_ identifier: String) -> Bool { TimeZone(identifier: identifier) != nil }

    public func local(_ instant: Date, in zone: String) -> LocalTime {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let offset = offset(at: seconds, in: zone)
        let local = seconds + offset
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return LocalTime(zone: zone, date: CivilDate(dayNumber: day), minute: (local - day * 86_400) / 60, utcOffsetSeconds: offset)
    }

    func offset(at seconds: Int, in zone: String) -> Int {
        if let segments = known[zone], segments.covers(seconds) { return segments.offset(at: seconds) }
        return others.withLock { table in
            var segments = table[zone] ?? Segments()
            if !segments.covers(seconds) {
                let year = 365 * 86_400
                segments = Self.segments(zone, from: seconds - 2 * year, to: seconds + 3 * year)
                table[zone] = segments
            }
            return segments.offset(at: seconds)
        }
    }

    /// The zone's offsets from `from` to `to`, walking its transitions.
    private static func segments(_ zone: String, from: Int, to: Int) -> Segments {
        guard let timeZone = TimeZone(identifier: zone) else { preconditionFailure("unknown time zone \(zone)") }
        var result = Segments()
        result.coveredFrom = from
        result.coveredTo = to
        var cursor = Date(timeIntervalSince1970: TimeInterval(from))
        result.starts.append(from)
        result.offsets.append(timeZone.secondsFromGMT(for: cursor))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < TimeInterval(to) {
            cursor = next
            let start = Int(next.timeIntervalSince1970.rounded(.down))
            let offset = timeZone.secondsFromGMT(for: next)
            if offset != result.offsets.last {
                result.starts.append(start)
                result.offsets.append(offset)
            }
        }
        return result
    }
}
