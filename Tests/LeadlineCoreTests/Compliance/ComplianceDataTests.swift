import Foundation
@testable import LeadlineCore
import Testing

@Suite struct ComplianceDataTests {
    @Test func civilDatesAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for day in stride(from: -130_000, through: 150_000, by: 97) {   // 1614–2380: Foundation switches to the Julian calendar before 1582
            let date = CivilDate(dayNumber: day)
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            #expect(date.components == (c.year!, c.month!, c.day!))
            #expect(date.weekday == c.weekday!)
            #expect(CivilDate(year: c.year!, month: c.month!, day: c.day!) == date)
        }
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("2024-02-29")?.description == "2024-02-29")
        #expect(CivilDate("2026-1-5") == nil)
    }

    @Test func holidaysFollowTheirRules() {
        #expect(HolidayDate.easterSunday(2026).description == "2026-04-05")
        #expect(HolidayDate.easterSunday(2027).description == "2027-03-28")
        #expect(HolidayDate.easterSunday(2038).description == "2038-04-25")
        #expect(Holiday.thanksgiving.rule.date(in: 2027).description == "2027-11-25")
        #expect(Holiday.memorial.rule.date(in: 2027).description == "2027-05-31")
        #expect(Holiday.electionDay.rule.date(in: 2027).description == "2027-11-02")
        #expect(Holiday.mardiGras.rule.date(in: 2027).description == "2027-02-09")

        // 2022-01-01 was a Saturday: observed on Friday 2021-12-31, which belongs to 2021's list.
        let alabama = StateRules.rule("AL")!.holidays!
        #expect(alabama.dates(in: 2021).contains { $0.date.description == "2021-12-31" })
        #expect(!alabama.dates(in: 2022).contains { $0.date.description == "2021-12-31" })
        // 2027-07-04 is a Sunday: Monday the 5th is kept too.
        #expect(alabama.dates(in: 2027).filter { $0.name.hasPrefix("Independence") }.map(\.date.description) == ["2027-07-04", "2027-07-05"])
        let louisiana = StateRules.rule("LA")!.holidays!.dates(in: 2026).map(\.date.description)
        #expect(louisiana.contains("2026-02-17") && louisiana.contains("2026-01-08") && louisiana.contains("2026-04-03"))
    }

    @Test func theStateTableCoversFiftyStatesAndDC() {
        #expect(StateRules.all.count == 51)
        #expect(Set(StateRules.all.map(\.code)) == USStates.codes)
        for rule in StateRules.all {
            for zone in rule.zones { #expect(LocalTimes.isKnownZone(zone), "\(rule.code): \(zone)") }
            for key in rule.sources { #expect(StateRules.sourceKeys[key] != nil, "\(rule.code): source \(key)") }
        }
        #expect(StateRules.rule("FL")?.caps == [CallCap(3, per: 24)])
        #expect(StateRules.rule("ok")?.caps == [CallCap(3, per: 24)])
        #expect(StateRules.rule("MD")?.caps == [CallCap(3, per: 24)])
        #expect(StateRules.rule("ZZ") == nil)
    }

    @Test func everyAreaCodeNamesAStateAndRealZones() {
        let table = AreaCodes.all
        #expect(table.count > 330)
        var statesSeen: Set<String> = []
        for (npa, entry) in table {
            #expect((200...999).contains(npa))
            #expect(USStates.codes.contains(entry.state))
            statesSeen.insert(entry.state)
            for zone in entry.zones { #expect(LocalTimes.isKnownZone(zone), "\(npa): \(zone)") }
        }
        #expect(statesSeen == USStates.codes, "every state has an area code")
        #expect(AreaCodes.lookup(850)?.state == "FL")
        #expect(AreaCodes.lookup(850)?.zones == ["America/New_York", "America/Chicago"])
        #expect(AreaCodes.lookup(800) == nil, "toll-free is not geographic")
        #expect(AreaCodes.lookup(416) == nil, "Toronto is not in the US")
    }

    @Test func localTimeMatchesTheTimeZoneDatabaseAcrossTransitions() {
        let times = LocalTimes()
        // Far ahead, inside the precomputed table: summer time in 2090 (2090-07-01 16:00 UTC is 12:00 EDT) and winter.
        #expect(times.local(Date(timeIntervalSince1970: 3_802_608_000), in: "America/New_York").minute == 12 * 60)
        #expect(times.local(Date(timeIntervalSince1970: 3_786_912_000 + 16 * 3600), in: "America/New_York").minute == 11 * 60)
        var calendar = Calendar(identifier: .gregorian)
        for zone in ["America/New_York", "America/Phoenix", "America/Adak", "Pacific/Honolulu", "America/Indiana/Knox", "America/Metlakatla",
                     "Europe/London"] {   // the last is outside the precomputed table
            calendar.timeZone = TimeZone(identifier: zone)!
            // Hourly through 2025–2027, plus the minutes either side of each hour.
            for hour in stride(from: 1_735_689_600, to: 1_830_297_600, by: 3600) {
                for second in [hour - 1, hour] {
                    let instant = Date(timeIntervalSince1970: Double(second))
                    let local = times.local(instant, in: zone)
                    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
                    #expect(local.date == CivilDate(year: c.year!, month: c.month!, day: c.day!) && local.minute == c.hour! * 60 + c.minute!,
                            "\(zone) at \(instant): \(local)")
                }
            }
        }
    }
}
