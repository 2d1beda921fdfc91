/// Local hours during which a call may be placed: `start` inclusive, `end` exclusive, in minutes after midnight.
public struct CallingWindow: Sendable, Hashable, CustomStringConvertible {
    public let start: Int
    public let end: Int

    public init(_ startHour: Int, _ endHour: Int, startMinute: Int = 0) {
        start = startHour * 60 + startMinute
        end = endHour * 60
    }

    init(startMinute: Int, endMinute: Int) {
        start = startMinute
        end = endMinute
    }

    public func contains(minute: Int) -> Bool { minute >= start && minute < end }

    public static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    public var description: String { "\(Self.clock(start))–\(Self.clock(end))" }
}

/// What a kind of day allows: calls inside a window, or none at all.
public enum DayRule: Sendable, Hashable {
    case window(CallingWindow)
    case banned

    public func allows(minute: Int) -> Bool {
        if case .window(let window) = self { return window.contains(minute: minute) }
        return false
    }

    public var window: CallingWindow? {
        if case .window(let window) = self { return window }
        return nil
    }

    /// The hours a call may really be placed under this rule: its window inside the federal 08:00–21:00 (the stricter
    /// of the two always wins); nil for a day without calls.
    public var withinFederalHours: CallingWindow? {
        guard let window, let federal = StateRules.federalHours.weekday.window else { return nil }
        let start = max(window.start, federal.start)
        return CallingWindow(startMinute: start, endMinute: max(start, min(window.end, federal.end)))
    }
}

/// A week of calling rules. `holiday`, when set, applies on the state's holidays in addition to the weekday's rule.
public struct WeeklyHours: Sendable {
    public let weekday: DayRule
    public let saturday: DayRule
    public let sunday: DayRule
    public let holiday: DayRule?

    public init(weekday: DayRule, saturday: DayRule? = nil, sunday: DayRule? = nil, holiday: DayRule? = nil) {
        self.weekday = weekday
        self.saturday = saturday ?? weekday
        self.sunday = sunday ?? weekday
        self.holiday = holiday
    }

    /// The same window every day.
    public static func daily(_ start: Int, _ end: Int) -> WeeklyHours { WeeklyHours(weekday: .window(CallingWindow(start, end))) }

    /// The rule for a day of the week (1 = Sunday … 7 = Saturday).
    public func rule(weekday day: Int) -> DayRule {
        switch day {
        case 1: return sunday
        case 7: return saturday
        default: return weekday
        }
    }
}

/// A limit on solicitation attempts to one number on one subject within a rolling period (FL, OK, MD: 3 per 24 h).
/// Attempts count whether or not anyone answered.
public struct CallCap: Sendable, Hashable {
    public let limit: Int
    public let hours: Int
    /// Only artificial-voice (AI or prerecorded) calls count and are limited.
    public let artificialVoiceOnly: Bool

    public init(_ limit: Int, per hours: Int, artificialVoiceOnly: Bool = false) {
        self.limit = limit
        self.hours = hours
        self.artificialVoiceOnly = artificialVoiceOnly
    }
}

/// One state's (or DC's) telemarketing rules. Hours are local to the called party. Where the sources disagree or are
/// unsure, the stricter value is what is written here, and `restrictions` says so.
public final class StateRule: Sendable {
    public let code: String
    public let name: String
    /// IANA zones of the state; the first is the one most of it uses.
    public let zones: [String]
    public let hours: WeeklyHours
    /// Stricter hours for artificial or prerecorded voice (an AI agent's calls), where the state has them.
    public let artificialVoiceHours: WeeklyHours?
    /// The days `hours.holiday` (and `artificialVoiceHours.holiday`) apply to.
    public let holidays: HolidayCalendar?
    public let caps: [CallCap]
    public let stateDNC: Bool
    public let allPartyRecording: Bool
    public let miniTCPA: Bool
    public let registrationRequired: Bool
    public let restrictions: [String]
    public let sources: [String]
    /// The gate's warnings about this state, written once (a decision is made hundreds of thousands of times a second).
    let recordingWarning: String
    let missingListWarning: String
    let artificialVoiceLabel: String

    init(_ code: String, _ name: String, zones: [String], hours: WeeklyHours = .daily(8, 21), artificialVoiceHours: WeeklyHours? = nil,
         holidays: HolidayCalendar? = nil, caps: [CallCap] = [], stateDNC: Bool = false, allPartyRecording: Bool = false,
         miniTCPA: Bool = false, registrationRequired: Bool = false, restrictions: [String] = [], sources: [String] = []) {
        self.code = code
        self.name = name
        self.zones = zones
        self.hours = hours
        self.artificialVoiceHours = artificialVoiceHours
        self.holidays = holidays
        self.caps = caps
        self.stateDNC = stateDNC
        self.allPartyRecording = allPartyRecording
        self.miniTCPA = miniTCPA
        self.registrationRequired = registrationRequired
        self.restrictions = restrictions
        self.sources = sources
        recordingWarning = "\(code): all-party consent to record; announce recording at the start of the call"
        missingListWarning = "\(code) keeps a state do-not-call list and none has been imported"
        artificialVoiceLabel = "\(code) (artificial voice)"
    }
}
