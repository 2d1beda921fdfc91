import Foundation
import Synchronization

/// Where the called party may be, as far as the rules are concerned: the states whose rules apply and the time
/// zones they may be in. From the lead's state and the phone's area code; when they disagree, both count (the
/// number may have moved with its owner, or the address may be stale), and a Florida, Oklahoma or Washington area
/// code brings its state's rules by those states' in-state presumption.
public struct CalledParty: Sendable, Equatable {
    public var states: [String] = []
    public var zones: [String] = []
    public var notes: [String] = []

    public init(phone: String, state: String?) {
        if let state, let rule = StateRules.rule(state) {
            states.append(rule.code)
            zones.append(contentsOf: rule.zones)
        }
        guard let digits = DNCNumbers.digits(phone), let entry = AreaCodes.lookup(digits / 10_000_000) else {
            if !states.isEmpty { notes.append("area code \(PhoneNumber.areaCode(phone)) is not a US geographic area code: only the lead's state locates the called party") }
            return
        }
        for zone in entry.zones where !zones.contains(zone) { zones.append(zone) }
        if !states.contains(entry.state) {
            if !states.isEmpty { notes.append(entry.otherStateNote) }
            states.append(entry.state)
        }
    }

    public var isLocated: Bool { !states.isEmpty }
}

/// The restricted dates of each state and year, computed once.
enum HolidayIndex {
    private struct Key: Hashable { let state: String; let year: Int }
    private static let cache = Mutex<[Key: [Int: String]]>([:])

    /// The holiday's name when `date` is one of `rule`'s restricted days.
    static func holiday(_ rule: StateRule, on date: CivilDate) -> String? {
        guard let calendar = rule.holidays else { return nil }
        let year = date.year
        let key = Key(state: rule.code, year: year)
        if let days = cache.withLock({ $0[key] }) { return days[date.dayNumber] }
        var days: [Int: String] = [:]
        for (day, name) in calendar.dates(in: year) where days[day.dayNumber] == nil { days[day.dayNumber] = name }
        cache.withLock { $0[key] = days }
        return days[date.dayNumber]
    }
}

/// Calling hours, day bans and blackouts for a called party at one instant, under every applicable state's rules in
/// every candidate zone.
enum CallingTime {
    static func check(_ party: CalledParty, channel: OutreachChannel, at now: Date, blackouts: [Blackout], times: LocalTimes,
                      into decision: inout ComplianceDecision) {
        let locals = party.zones.map { times.local(now, in: $0) }
        decision.localTimes = locals
        for local in locals {
            for blackout in blackouts where blackout.covers(local.date, states: party.states) {
                decision.fail(.stateRules, "\(blackout.state ?? "every state"): blackout day \(local.date) (\(blackout.reason))")
            }
        }
        for local in locals {
            check(StateRules.federalHours.rule(weekday: local.weekday), who: "federal", what: dayName(local.weekday), local, into: &decision)
        }
        for code in party.states {
            guard let rule = StateRules.rule(code) else { continue }
            let artificial = channel.isArtificialVoice ? rule.artificialVoiceHours : nil
            for local in locals {
                let holiday = HolidayIndex.holiday(rule, on: local.date)
                check(rule.hours, who: code, local, holiday: holiday, into: &decision)
                if let artificial { check(artificial, who: rule.artificialVoiceLabel, local, holiday: holiday, into: &decision) }
            }
        }
    }

    /// One set of hours at one local time: the day's rule, and the holiday rule on a holiday.
    private static func check(_ hours: WeeklyHours, who: String, _ local: LocalTime, holiday: String?, into decision: inout ComplianceDecision) {
        check(hours.rule(weekday: local.weekday), who: who, what: dayName(local.weekday), local, into: &decision)
        if let holiday, let onHoliday = hours.holiday { check(onHoliday, who: who, what: holiday, local, into: &decision) }
    }

    private static func check(_ rule: DayRule, who: String, what: String, _ local: LocalTime, into decision: inout ComplianceDecision) {
        switch rule {
        case .banned:
            let reason = "\(who): no calls on \(what) (\(local.date) in \(local.zone))"
            if !decision.failures.contains(where: { $0.reason == reason }) { decision.fail(.stateRules, reason) }
        case .window(let window) where !window.contains(minute: local.minute):
            decision.fail(.timeWindow, "\(who): calls only \(window) local time on \(what); it is \(CallingWindow.clock(local.minute)) in \(local.zone)")
        case .window:
            break
        }
    }

    private static func dayName(_ weekday: Int) -> String {
        switch weekday {
        case 1: return "Sundays"
        case 7: return "Saturdays"
        default: return "weekdays"
        }
    }
}
