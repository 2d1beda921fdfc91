import Foundation
@testable import LeadlineCore
import LeadlineTesting
import Store
import Testing

/// Walks every hour of 2026 (both DST changes) for every state, for several area codes in each multi-zone
/// state and across state lines, and checks that the gate allows exactly the legal times. The expectations are
/// written out here from `research/compliance.md` (C.3–C.5), by hand, and local time comes from Foundation's
/// `Calendar`, not from the gate's own conversion.
@Suite struct CallingHoursPropertyTests {
    /// A state as the research table gives it: minutes after midnight, nil for "no calls that day".
    struct Expected {
        var weekday: ClosedRange<Int>? = 480...1259
        var saturday: ClosedRange<Int>?
        var sunday: ClosedRange<Int>?
        var holidays: Set<String> = []
        /// Hours for artificial-voice calls, where stricter.
        var aiWeekday: ClosedRange<Int>?
        var aiHoliday: ClosedRange<Int>?
        var aiSunday: ClosedRange<Int>?
        var zones: [String]
    }

    static func hours(_ from: Int, _ to: Int, fromMinute: Int = 0) -> ClosedRange<Int> { (from * 60 + fromMinute)...(to * 60 - 1) }

    /// 2026's federal-list holidays with their observed days (July 4 is a Saturday: July 3 too).
    static let federal2026: Set<String> = ["2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
                                           "2026-07-04", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"]
    static let E = "America/New_York", C = "America/Chicago", M = "America/Denver", P = "America/Los_Angeles"

    static let states: [String: Expected] = {
        var t: [String: Expected] = [:]
        for code in USStates.codes { t[code] = Expected(zones: [E]) }
        for code in ["AL", "AR", "IL", "IA", "LA", "MN", "MS", "MO", "OK", "WI"] { t[code]!.zones = [C] }
        for code in ["CO", "MT", "NM", "UT", "WY"] { t[code]!.zones = [M] }
        for code in ["CA", "WA"] { t[code]!.zones = [P] }
        t["HI"]!.zones = ["Pacific/Honolulu"]
        t["AK"]!.zones = ["America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla", "America/Yakutat", "America/Nome", "America/Adak"]
        t["AZ"]!.zones = ["America/Phoenix", M]
        t["FL"]!.zones = [E, C]
        t["ID"]!.zones = ["America/Boise", P]
        t["IN"]!.zones = ["America/Indiana/Indianapolis", "America/Indiana/Vincennes", "America/Indiana/Winamac", "America/Indiana/Marengo",
                          "America/Indiana/Petersburg", "America/Indiana/Vevay", C, "America/Indiana/Tell_City", "America/Indiana/Knox"]
        t["KS"]!.zones = [C, M]
        t["KY"]!.zones = [E, "America/Kentucky/Louisville", "America/Kentucky/Monticello", C]
        t["MI"]!.zones = ["America/Detroit", "America/Menominee"]
        t["NE"]!.zones = [C, M]
        t["NV"]!.zones = [P, M]
        t["ND"]!.zones = [C, "America/North_Dakota/Center", "America/North_Dakota/New_Salem", "America/North_Dakota/Beulah", M]
        t["OR"]!.zones = [P, "America/Boise"]
        t["SD"]!.zones = [C, M]
        t["TN"]!.zones = [C, E]
        t["TX"]!.zones = [C, M]

        for code in ["FL", "MD", "MA", "OK", "WA"] { t[code]!.weekday = hours(8, 20) }
        t["CT"]!.weekday = hours(9, 20)
        for code in ["MI", "MN", "NM"] { t[code]!.weekday = hours(9, 21) }
        t["NV"]!.weekday = hours(9, 20)
        t["KY"]!.weekday = hours(10, 21)
        t["AL"]!.weekday = hours(8, 20); t["AL"]!.sunday = nil; t["AL"]!.holidays = federal2026
        t["LA"]!.weekday = hours(8, 20); t["LA"]!.sunday = nil
        t["LA"]!.holidays = federal2026.union(["2026-01-08", "2026-02-17", "2026-04-03"])
        t["MS"]!.weekday = hours(8, 20); t["MS"]!.sunday = nil
        t["PA"]!.sunday = hours(13, 21, fromMinute: 30); t["PA"]!.holidays = federal2026.union(["2026-04-03", "2026-06-14", "2026-06-15", "2026-11-03"])
        t["RI"]!.weekday = hours(9, 18); t["RI"]!.saturday = hours(10, 17); t["RI"]!.sunday = nil
        t["RI"]!.holidays = federal2026.union(["2026-08-10"])
        t["UT"]!.sunday = nil; t["UT"]!.holidays = federal2026.union(["2026-07-24"])
        t["TX"]!.weekday = hours(9, 21); t["TX"]!.sunday = hours(12, 21)
        t["CA"]!.aiWeekday = hours(9, 21); t["IL"]!.aiWeekday = hours(9, 21)
        t["NE"]!.aiSunday = hours(13, 21); t["NE"]!.aiHoliday = hours(13, 21)
        // Unless set above, Saturday follows the weekday and Sunday too (a nil Sunday above means banned).
        for code in USStates.codes {
            if t[code]!.saturday == nil { t[code]!.saturday = t[code]!.weekday }
        }
        for code in USStates.codes where !["AL", "LA", "MS", "RI", "UT", "PA", "TX"].contains(code) { t[code]!.sunday = t[code]!.weekday }
        return t
    }()

    /// Sample area codes with the zones their numbers may be in (libphonenumber's map, folded to the area code).
    static let areaCodes: [(npa: Int, state: String, zones: [String])] = [
        (850, "FL", [E, C]), (305, "FL", [E]), (915, "TX", [M, C]), (214, "TX", [C]), (219, "IN", [E, C]), (317, "IN", ["America/Indiana/Indianapolis"]),
        (270, "KY", [E, C]), (502, "KY", [E]), (423, "TN", [C, E]), (615, "TN", [C]), (208, "ID", ["America/Boise", P, M]), (541, "OR", [P, "America/Boise"]),
        (308, "NE", [C, M]), (402, "NE", [C]), (620, "KS", [C, M]), (605, "SD", [C, M]), (906, "MI", [E, "America/Menominee"]),
        (313, "MI", ["America/Detroit"]), (775, "NV", [P, M]), (702, "NV", [P]), (602, "AZ", ["America/Phoenix", M]), (623, "AZ", ["America/Phoenix"]),
        (907, "AK", states["AK"]!.zones), (701, "ND", states["ND"]!.zones), (808, "HI", ["Pacific/Honolulu"]), (212, "NY", [E]), (401, "RI", [E]),
        (405, "OK", [C]), (206, "WA", [P]), (801, "UT", [M]),
    ]

    struct Case {
        let phone: String
        let state: String?
        let states: [String]
        let zones: [String]
        let channel: OutreachChannel
    }

    static var cases: [Case] {
        var result: [Case] = []
        // The lead's state with a non-geographic (toll-free) number: the state alone locates the called party.
        for code in USStates.codes.sorted() {
            result.append(Case(phone: "+18005550100", state: code, states: [code], zones: states[code]!.zones, channel: .call))
        }
        // No state: the area code alone.
        for sample in areaCodes {
            result.append(Case(phone: "+1\(sample.npa)5550100", state: nil, states: [sample.state], zones: sample.zones, channel: .call))
        }
        // Across state lines: a California lead with a Florida number gets both states' rules in all their zones.
        result.append(Case(phone: "+18505550100", state: "CA", states: ["CA", "FL"], zones: [P, E, C], channel: .call))
        result.append(Case(phone: "+12125550100", state: "TX", states: ["TX", "NY"], zones: [C, M, E], channel: .call))
        // Artificial-voice calls where the state has stricter hours.
        for code in ["CA", "IL", "NE"] {
            result.append(Case(phone: "+18005550100", state: code, states: [code], zones: states[code]!.zones, channel: .aiCall))
        }
        return result
    }

    struct Local { let minute: Int; let weekday: Int; let date: String }

    /// Local wall-clock time in `zone`, by Foundation's calendar.
    static func local(_ instant: Date, _ zone: String) -> Local {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        return Local(minute: c.hour! * 60 + c.minute!, weekday: c.weekday!,
                     date: String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!))
    }

    static func legal(_ c: Case, _ locals: [String: Local]) -> Bool {
        for zone in c.zones {
            let t = locals[zone]!
            guard (480...1259).contains(t.minute) else { return false }   // federal 08:00–21:00
            for code in c.states {
                let rule = states[code]!
                let day = t.weekday == 1 ? rule.sunday : t.weekday == 7 ? rule.saturday : rule.weekday
                guard let day, day.contains(t.minute) else { return false }
                if rule.holidays.contains(t.date) { return false }
                if c.channel == .aiCall {
                    if let ai = rule.aiWeekday, !ai.contains(t.minute) { return false }
                    let holiday = federal2026.contains(t.date)
                    if code == "NE", t.weekday == 1 || holiday, !rule.aiSunday!.contains(t.minute) { return false }
                }
            }
        }
        return true
    }

    @Test func theGateAllowsExactlyTheLegalHoursAllYear() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("c.db"), migrations: Schema.migrations)
        defer { try? store.close() }
        let start = Date(timeIntervalSince1970: 1_767_225_600)   // 2026-01-01T00:00:00Z
        let clock = ManualClock(start)
        let tenant = try Tenants(store: store, clock: clock).create(name: "acme")
        let gate = ComplianceGate(store: store, clock: clock, dnc: DNCRegistry(store: store, clock: clock),
                                  blackouts: Blackouts(store: store, clock: clock), times: LocalTimes())
        let cases = Self.cases
        let zones = Set(cases.flatMap(\.zones))
        var checked = 0, allowed = 0
        var mismatches: [String] = []
        // Every hour of the year and into 2027 for the zones behind UTC; the half hours too where a window starts on
        // one (Pennsylvania's Sundays).
        let halfHourCases = cases.filter { $0.states.contains("PA") }
        var steps = 0
        for step in 0..<(2 * (365 * 24 + 10)) {
            let onHalfHour = step % 2 == 1
            let instant = start.addingTimeInterval(Double(step) * 1800)
            clock.set(instant)
            var locals: [String: Local] = [:]
            for zone in zones { locals[zone] = Self.local(instant, zone) }
            steps += 1
            for c in onHalfHour ? halfHourCases : cases {
                let decision = try gate.evaluate(Outreach(tenantID: tenant.id, phone: c.phone, state: c.state, channel: c.channel,
                                                          subject: "legal_pi", hasConsent: true))
                let expected = Self.legal(c, locals)
                checked += 1
                if decision.allowed { allowed += 1 }
                if decision.states != c.states, mismatches.count < 10 { mismatches.append("\(c.phone) \(c.state ?? "-"): states \(decision.states)") }
                if decision.allowed != expected, mismatches.count < 10 {
                    mismatches.append("\(instant) \(c.phone) \(c.state ?? "-") \(c.channel): expected \(expected), got \(decision.allowed) \(decision.failures.map(\.reason))")
                }
                for failure in decision.failures where failure.check != .timeWindow && failure.check != .stateRules {
                    if mismatches.count < 10 { mismatches.append("unexpected failure \(failure)") }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(checked == (steps / 2) * (cases.count + halfHourCases.count))
        // Sanity: a good share of hours is legal and a good share is not.
        #expect(allowed > checked / 5 && allowed < checked * 3 / 4, "\(allowed) of \(checked) allowed")
    }
}
