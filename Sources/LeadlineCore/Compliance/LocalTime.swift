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
/// offsets come from the system time zone database through Foundation (`TimeZone`), once per zone per stretch
/// between daylight-saving transitions; converting is then integer arithmetic.
public final class LocalTimes: Sendable {
    public static let shared = LocalTimes()

    /// The offsets of one zone between transitions, sorted by `start` (seconds since 1970).
    private struct Segments {
        var starts: [Int] = []
        var offsets: [Int] = []
        var coveredFrom = 0
        var coveredTo = 0
    }

    private let zones = Mutex<[String: Segments]>([:])

    public init() {}

    public static func isKnownZone(_ identifier: String) -> Bool { TimeZone(identifier: identifier) != nil }

    public func local(_ instant: Date, in zone: String) -> LocalTime {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let offset = offset(at: seconds, in: zone)
        let local = seconds + offset
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return LocalTime(zone: zone, date: CivilDate(dayNumber: day), minute: (local - day * 86_400) / 60, utcOffsetSeconds: offset)
    }

    func offset(at seconds: Int, in zone: String) -> Int {
        zones.withLock { table in
            var segments = table[zone] ?? Segments()
            if segments.starts.isEmpty || seconds < segments.coveredFrom || seconds >= segments.coveredTo {
                segments = Self.segments(zone, around: seconds)
                table[zone] = segments
            }
            // The last segment starting at or before `seconds`.
            var low = 0, high = segments.starts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if segments.starts[mid] <= seconds { low = mid } else { high = mid - 1 }
            }
            return segments.offsets[low]
        }
    }

    /// Offsets from two years before to three years after `seconds`, walking the zone's transitions.
    private static func segments(_ zone: String, around seconds: Int) -> Segments {
        guard let timeZone = TimeZone(identifier: zone) else { preconditionFailure("unknown time zone \(zone)") }
        let year = 365 * 86_400
        var result = Segments()
        result.coveredFrom = seconds - 2 * year
        result.coveredTo = seconds + 3 * year
        var cursor = Date(timeIntervalSince1970: TimeInterval(result.coveredFrom))
        result.starts.append(result.coveredFrom)
        result.offsets.append(timeZone.secondsFromGMT(for: cursor))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < TimeInterval(result.coveredTo) {
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
