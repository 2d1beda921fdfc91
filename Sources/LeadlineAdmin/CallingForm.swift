import Foundation
import HTTPServer
import LeadlineCore

/// The calling fields, a campaign's (its leads called instead of auctioned) and the tenant's (leads that arrive
/// without a campaign, on Settings): on or off, paused, attempts and the waits between them, calls at once, the
/// caller id, and the call script as JSON.
extension Console {
    /// The fields read onto `current` (the defaults when there is none).
    static func callSettings(_ read: inout FormReader, current: CallSettings?) -> CallSettings {
        var settings = current ?? CallSettings()
        settings.enabled = read.ticked("calls")
        settings.paused = read.ticked("calls_paused")
        if let attempts = read.whole("max_attempts", setting: "calling").given { settings.maxAttempts = attempts }
        if let concurrent = read.whole("max_concurrent_calls", setting: "calling").given { settings.maxConcurrentCalls = concurrent }
        if let waits = read.list("retry_minutes").given {
            let numbers = waits.compactMap { Int($0) }
            if numbers.count == waits.count { settings.retryMinutes = numbers } else {
                read.fail("retry_minutes", "must be whole numbers of minutes, such as 30 240 1440", setting: "calling")
            }
        }
        settings.callerID = read.text("caller_id").given
        switch read.json("script", as: CallScript.self, what: "the call script as JSON (see the API reference)", setting: "calling") {
        case .value(let script): settings.script = script
        case .null: settings.script = CallScript()
        case .absent: break
        }
        return settings
    }

    static func callingDraft(_ settings: CallSettings, enabled: Bool) -> [String: String] {
        var draft = ["max_attempts": String(settings.maxAttempts), "max_concurrent_calls": String(settings.maxConcurrentCalls),
                     "retry_minutes": settings.retryMinutes.map(String.init).joined(separator: " "), "script": scriptJSON(settings.script)]
        if enabled { draft["calls"] = "on" }
        if settings.paused { draft["calls_paused"] = "on" }
        draft["caller_id"] = settings.callerID
        return draft
    }

    /// The template's values for the fields; `label` says what ticking "calls" does here.
    static func callingFormValues(_ draft: [String: String], label: String) -> [String: Any] {
        ["calls": draft["calls"] == "on", "callsPaused": draft["calls_paused"] == "on", "callsLabel": label]
    }

    static func scriptJSON(_ script: CallScript) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(script)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension Templates {
    static let callingFields = """
        <fieldset class="wide">
          <legend>Calling</legend>
          <input type="hidden" name="calling" value="1">
          <label class="check"><input type="checkbox" name="calls"{{#calls}} checked{{/calls}}> {{callsLabel}}</label>
          <label class="check"><input type="checkbox" name="calls_paused"{{#callsPaused}} checked{{/callsPaused}}> Paused (no new calls)</label>
          <div class="form-grid">
            <div>
              <label for="c-attempts">Calls to a lead at most (1–20)</label>
              <input id="c-attempts" name="max_attempts" type="text" inputmode="numeric" value="{{max_attempts}}">
              <label for="c-retry">Minutes before each retry</label>
              <input id="c-retry" name="retry_minutes" type="text" value="{{retry_minutes}}">
            </div>
            <div>
              <label for="c-concurrent">Calls at once (1–500)</label>
              <input id="c-concurrent" name="max_concurrent_calls" type="text" inputmode="numeric" value="{{max_concurrent_calls}}">
              <label for="c-caller">Caller id (blank: the provider's number)</label>
              <input id="c-caller" name="caller_id" type="text" inputmode="tel" value="{{caller_id}}">
            </div>
          </div>
          <label for="c-script">Call script (JSON: the greeting, disclosures, qualifying questions and closing lines; blank: the default)</label>
          <textarea id="c-script" name="script" rows="12" spellcheck="false" class="code">{{script}}</textarea>
        </fieldset>
        """
}
