import HTTPServer
import LeadlineCore

/// The weekly hours of a settings form (a buyer's hours, a destination's): a time zone, "always", or each day's
/// opening and closing time, a blank day being closed and a closing time of 00:00 meaning midnight.
extension Console {
    /// The hours the form's `schedule` fieldset gives; `closedEverywhere` says what to do instead of closing every day.
    static func weeklyHours(_ read: inout FormReader, closedEverywhere: String) -> Patch<[String: DailyHours]> {
        guard read.raw("schedule") != nil else { return .absent }
        if read.ticked("always_open") { return .null }
        var days: [String: DailyHours] = [:]
        for day in OpeningHours.weekdays {
            let start = read.raw("\(day)_start") ?? "", end = read.raw("\(day)_end") ?? ""
            switch (start.isEmpty, end.isEmpty) {
            case (true, true): continue
            case (false, false): days[day] = DailyHours(start: String(start.prefix(5)), end: end == "00:00" ? "24:00" : String(end.prefix(5)))
            default: read.fail(day, "give both the opening and the closing time, or neither (closed that day)", setting: "hours_of_operation")
            }
        }
        if days.isEmpty {
            read.fail("hours", "every day is closed: tick \"Always\" or give the hours of at least one day (\(closedEverywhere))",
                      setting: "hours_of_operation")
        }
        return .value(days)
    }

    /// Stored hours as the form's values.
    static func weeklyHoursDraft(_ hours: [String: DailyHours]?) -> [String: String] {
        guard let hours else { return ["always_open": "on"] }
        var draft: [String: String] = [:]
        for (day, window) in hours {
            draft["\(day)_start"] = window.start
            draft["\(day)_end"] = window.end == "24:00" ? "00:00" : window.end
        }
        return draft
    }

    /// What the fields' template needs: "always", the zones with the chosen one, and a row per day.
    static func weeklyHoursValues(_ draft: [String: String]) -> [String: Any] {
        ["alwaysOpen": draft["always_open"] == "on", "zones": zoneChoices(selected: draft["timezone"]),
         "days": OpeningHours.weekdays.map { day -> [String: Any] in
             var row: [String: Any] = ["day": day, "label": day.prefix(1).uppercased() + day.dropFirst()]
             row["opens"] = draft["\(day)_start"].flatMap { $0.isEmpty ? nil : $0 }
             row["closes"] = draft["\(day)_end"].flatMap { $0.isEmpty ? nil : $0 }
             return row
         }]
    }

    /// The US time zones first, then the selected one if it is another.
    static func zoneChoices(selected: String?) -> [[String: Any]] {
        let selected = selected.flatMap { $0.isEmpty ? nil : $0 } ?? BuyerSettings().timezone
        var zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
                     "America/Anchorage", "Pacific/Honolulu", "UTC"]
        if !zones.contains(selected) { zones.append(selected) }
        return zones.map { ["zone": $0, "selected": $0 == selected] }
    }
}

extension Templates {
    static let weeklyHoursFields = """
        <input type="hidden" name="schedule" value="1">
        <label for="hours-zone">Time zone</label>
        <select id="hours-zone" name="timezone">{{#zones}}<option value="{{zone}}"{{#selected}} selected{{/selected}}>{{zone}}</option>{{/zones}}</select>
        <label class="check"><input type="checkbox" name="always_open"{{#alwaysOpen}} checked{{/alwaysOpen}}> Always (the days below are ignored)</label>
        <table class="dense hours">
          <thead><tr><th scope="col">Day</th><th scope="col">Opens</th><th scope="col">Closes</th></tr></thead>
          <tbody>
          {{#days}}<tr><th scope="row">{{label}}</th>
            <td><input type="time" name="{{day}}_start" value="{{opens}}" aria-label="{{label}} opens"></td>
            <td><input type="time" name="{{day}}_end" value="{{closes}}" aria-label="{{label}} closes"></td></tr>
          {{/days}}
          </tbody>
        </table>
        <p class="scope">A blank day is closed; closing at 00:00 means midnight.</p>
        """
}
