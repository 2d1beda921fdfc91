/// How a holiday's date is found in a given year.
public enum HolidayDate: Sendable, Hashable {
    /// The same month and day every year (Independence Day: July 4).
    case fixed(month: Int, day: Int)
    /// The nth given weekday of a month, plus `after` days; n = -1 is the last one (Memorial Day: last Monday of
    /// May; Election Day: the day after the first Monday of November).
    case nthWeekday(month: Int, weekday: Int, n: Int, after: Int = 0)
    /// Days from Western Easter Sunday (Good Friday: -2; Mardi Gras: -47).
    case easter(offset: Int)

    public func date(in year: Int) -> CivilDate {
        switch self {
        case .fixed(let month, let day):
            return CivilDate(year: year, month: month, day: day)
        case .nthWeekday(let month, let weekday, let n, let after):
            if n > 0 {
                let first = CivilDate(year: year, month: month, day: 1)
                let shift = (weekday - first.weekday + 7) % 7
                return first.adding(days: shift + 7 * (n - 1) + after)
            }
            let nextMonth = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
            let last = nextMonth.adding(days: -1)
            let shift = (last.weekday - weekday + 7) % 7
            return last.adding(days: -shift - 7 * (-n - 1) + after)
        case .easter(let offset):
            return Self.easterSunday(year).adding(days: offset)
        }
    }

    /// Western Easter by the anonymous Gregorian computus (Meeus/Jones/Butcher).
    static func easterSunday(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)
    }
}

public struct Holiday: Sendable, Hashable {
    public let name: String
    public let rule: HolidayDate

    public init(_ name: String, _ rule: HolidayDate) {
        self.name = name
        self.rule = rule
    }

    public static let newYear = Holiday("New Year's Day", .fixed(month: 1, day: 1))
    public static let battleOfNewOrleans = Holiday("Battle of New Orleans", .fixed(month: 1, day: 8))
    public static let mlk = Holiday("Martin Luther King Jr. Day", .nthWeekday(month: 1, weekday: 2, n: 3))
    public static let presidents = Holiday("Presidents' Day", .nthWeekday(month: 2, weekday: 2, n: 3))
    public static let mardiGras = Holiday("Mardi Gras", .easter(offset: -47))
    public static let goodFriday = Holiday("Good Friday", .easter(offset: -2))
    public static let memorial = Holiday("Memorial Day", .nthWeekday(month: 5, weekday: 2, n: -1))
    public static let flagDay = Holiday("Flag Day", .fixed(month: 6, day: 14))
    public static let juneteenth = Holiday("Juneteenth", .fixed(month: 6, day: 19))
    public static let independence = Holiday("Independence Day", .fixed(month: 7, day: 4))
    public static let pioneerDay = Holiday("Pioneer Day", .fixed(month: 7, day: 24))
    public static let victoryDay = Holiday("Victory Day", .nthWeekday(month: 8, weekday: 2, n: 2))
    public static let labor = Holiday("Labor Day", .nthWeekday(month: 9, weekday: 2, n: 1))
    public static let columbus = Holiday("Columbus Day", .nthWeekday(month: 10, weekday: 2, n: 2))
    public static let electionDay = Holiday("Election Day", .nthWeekday(month: 11, weekday: 2, n: 1, after: 1))
    public static let veterans = Holiday("Veterans Day", .fixed(month: 11, day: 11))
    public static let thanksgiving = Holiday("Thanksgiving Day", .nthWeekday(month: 11, weekday: 5, n: 4))
    public static let christmas = Holiday("Christmas Day", .fixed(month: 12, day: 25))

    /// The federal list, with Juneteenth (a federal holiday since 2021; the research's "typical list" predates it,
    /// and where a source is unsure the stricter reading wins).
    public static let federal: [Holiday] = [newYear, mlk, presidents, memorial, juneteenth, independence, labor, columbus,
                                            veterans, thanksgiving, christmas]
}

/// A state's holiday list and how a holiday on a weekend moves.
public struct HolidayCalendar: Sendable {
    public let holidays: [Holiday]
    /// A Saturday holiday is also kept on the Friday before and a Sunday one on the Monday after. Both the date itself
    /// and the observed day are restricted: which one a state's rule means is not always clear, so both are kept.
    public let observesWeekendShift: Bool

    public init(_ holidays: [Holiday], observesWeekendShift: Bool = true) {
        self.holidays = holidays
        self.observesWeekendShift = observesWeekendShift
    }

    /// Every restricted date of `year` with its holiday's name, in date order.
    public func dates(in year: Int) -> [(date: CivilDate, name: String)] {
        var result: [(CivilDate, String)] = []
        for holiday in holidays {
            let date = holiday.rule.date(in: year)
            result.append((date, holiday.name))
            guard observesWeekendShift else { continue }
            switch date.weekday {
            case 7: result.append((date.adding(days: -1), holiday.name + " (observed)"))
            case 1: result.append((date.adding(days: 1), holiday.name + " (observed)"))
            default: break
            }
        }
        // A New Year's Day on a Saturday is observed on December 31 of the year before.
        if observesWeekendShift, holidays.contains(.newYear), Holiday.newYear.rule.date(in: year + 1).weekday == 7 {
            result.append((CivilDate(year: year, month: 12, day: 31), Holiday.newYear.name + " (observed)"))
        }
        return result.filter { $0.0.year == year }.sorted { $0.0 < $1.0 }
    }
}
