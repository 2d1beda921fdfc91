import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Simulator
import Testing

/// A server whose dialer the test drives by hand, calling through the voice simulator without waiting.
struct CallCenter {
    /// Wednesday 2026-07-22, 11:00 in Texas.
    static let weekday = Timestamp.parse("2026-07-22T16:00:00Z")!

    let app: TestServer
    let key: String
    let admin: String

    init(now: Date = CallCenter.weekday, odds: SimulatedVoice.Odds = SimulatedVoice.Odds(), seed: UInt64 = 7) throws {
        try self.init(now: now) { $0.voice = SimulatedVoice(odds: odds, seed: seed, pace: 0) }
    }

    /// Odds under which every call is answered, qualifies and reaches a line that answers.
    static var everyCallConnects: SimulatedVoice.Odds {
        var odds = SimulatedVoice.Odds()
        odds.answer = 1; odds.qualify = 1; odds.optOut = 0; odds.lineAnswers = 1
        return odds
    }

    /// With the voice provider `configure` sets.
    init(now: Date = CallCenter.weekday, voice configure: (inout ServeOptions) -> Void) throws {
        app = try TestServer(now: now) { options in
            configure(&options)
            options.runsDialer = false
        }
        key = try app.makeKey()
        admin = try app.makeKey(scopes: [.admin])
    }

    /// Sends a lead the quickstart's way (with consent) and answers its id.
    func lead(phone: String, state: String = "TX", firstName: String = "Jane") throws -> String {
        let body: [String: Any] = ["source": "my-webform", "first_name": firstName, "last_name": "Doe", "phone": phone, "state": state,
                                   "consent": ["consent_timestamp": "2026-07-05T12:00:00Z", "consent_text_version": "webform-v2",
                                               "source_url": "https://example.com/quote"]]
        let reply = try app.request("POST", "/v1/leads", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                    body: jsonBody(body))
        guard reply.status == 201, let id = try reply.json()["lead_id"] as? String else { throw TestFailure("lead: \(reply.text)") }
        return id
    }

    func destination(_ fields: [String: Any]) throws -> String {
        let reply = try app.ezleeds("POST", "/api/v1/destinations", key: key, fields)
        guard reply.status == 201, let id = try reply.json()["id"] as? String else { throw TestFailure("destination: \(reply.text)") }
        return id
    }

    /// Places the calls due now and waits for them to end; answers how many leads were taken.
    @discardableResult
    func dial() -> Int {
        let server = app.server
        return wait { let taken = await server.dialer.runDue(); await server.calls.idle(); return taken }
    }

    func detail(_ lead: String) throws -> [String: Any] {
        let reply = try app.request("GET", "/v1/leads/\(lead)", headers: ["Authorization": "Bearer \(key)"])
        guard reply.status == 200 else { throw TestFailure("lead \(lead): \(reply.text)") }
        return try reply.json()
    }

    func calls(_ lead: String) throws -> [[String: Any]] { try detail(lead)["calls"] as? [[String: Any]] ?? [] }
    func transfers(_ lead: String) throws -> [[String: Any]] { try detail(lead)["transfers"] as? [[String: Any]] ?? [] }

    func postbackURL() throws -> String {
        let reply = try app.ezleeds("POST", "/api/v1/calling/postback-url", key: admin)
        guard reply.status == 200, let url = try reply.json()["url"] as? String else { throw TestFailure("postback url: \(reply.text)") }
        return url
    }

    /// The path and query of the postback URL, with `extra` appended.
    func postbackPath(_ extra: String) throws -> String {
        let url = try postbackURL()
        return String(url[url.range(of: "/v1/postbacks")!.lowerBound...]) + extra
    }
}

/// Runs async work from a blocking test thread and waits for it.
func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let box = Box<T>()
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

final class Box<T>: @unchecked Sendable { var value: T? }

@Suite struct CallsAPITests {
    @Test func eachTestNumberEndsTheWayTheReadmeSays() async throws {
        try await blocking { () throws in
            let center = try CallCenter()
            _ = try center.destination(["name": "Acme intake", "phone": "+15125550142", "price_cents": 4000])
            // Five at once by default; all six here.
            #expect(try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin, ["max_concurrent_calls": 6]).status == 200)
            let leads = try ["0100", "0200", "0300", "0400", "0500", "0600"].map { suffix in
                (suffix, try center.lead(phone: "512731" + suffix))
            }
            #expect(center.dial() == 6)
            let expected: [String: (status: String, outcome: String, lead: String)] = [
                "0100": ("ended", "transferred", "transferred"), "0200": ("no_answer", "no_answer", "new"),
                "0300": ("voicemail", "voicemail", "new"), "0400": ("not_qualified", "not_qualified", "contacted"),
                "0500": ("opt_out", "opt_out", "ineligible"), "0600": ("busy", "busy", "new"),
            ]
            for (suffix, lead) in leads {
                let detail = try center.detail(lead)
                let calls = detail["calls"] as? [[String: Any]] ?? []
                try #require(calls.count == 1, "\(suffix): \(calls)")
                let call = calls[0]
                #expect(call["status"] as? String == expected[suffix]?.status, "\(suffix)")
                #expect(call["outcome"] as? String == expected[suffix]?.outcome, "\(suffix)")
                #expect(detail["status"] as? String == expected[suffix]?.lead, "\(suffix)")
                #expect((call["compliance"] as? [String: Any])?["allowed"] as? Bool == true)
                #expect((call["disclosures"] as? [String])?.first?.contains("AI assistant") == true)
            }
            // The transferred one: bridged to the line, with the consumer's number presented and the leg's duration.
            let transferred = try #require(leads.first { $0.0 == "0100" }?.1)
            let transfer = try #require(try center.transfers(transferred).first)
            #expect(transfer["status"] as? String == "ended")
            #expect(transfer["caller_id"] as? String == "+15127310100")
            #expect(transfer["destination_phone"] as? String == "+15125550142")
            #expect((transfer["duration_seconds"] as? Int ?? 0) > 0)
            let call = try #require(try center.calls(transferred).first)
            #expect((call["answers"] as? [String: String])?["still_interested"] == "yes")
            #expect(((call["transcript"] as? [[String: Any]])?.count ?? 0) > 4)
            let steps = try center.app.ezleeds("GET", "/api/v1/calls/\(call["id"] as! String)", key: center.key).json()["events"] as? [[String: Any]]
            #expect(steps?.compactMap { $0["kind"] as? String } == ["queued", "ringing", "answered", "qualifying", "qualified", "transfer_started",
                                                                     "transfer_bridged", "transfer_ended", "ended"])
            // The opt-out is on the tenant's do-not-call list at once.
            let optedOut = try center.app.ezleeds("POST", "/api/v1/compliance/dnc-check", key: center.key, ["phone": "5127310500"])
            #expect((try optedOut.json()["checks"] as? [String: Any])?["internal_dnc"] as? Bool == true, "\(optedOut.text)")

            // Unanswered calls are tried again after the wait, not before; the others are done.
            center.app.clock.advance(by: 29 * 60)
            #expect(center.dial() == 0)
            center.app.clock.advance(by: 2 * 60)
            #expect(center.dial() == 3)
            for (suffix, lead) in leads where ["0200", "0300", "0600"].contains(suffix) {
                #expect(try center.calls(lead).count == 2, "\(suffix)")
            }
        }
    }

    @Test func theQuickstartLeadIsCalledTransferredAndCreditedByTheQuickstartPostback() async throws {
        try await blocking { () throws in
            let center = try CallCenter(odds: CallCenter.everyCallConnects)
            let buyer = try center.app.ezleeds("POST", "/api/v1/buyers", key: center.key, ["name": "Acme", "bid_cents": 100]).json()["id"] as! String
            let line = try center.destination(["name": "Acme calls", "phone": "5125550142", "buyer_id": buyer])
            let lead = try center.lead(phone: "5551234567")
            center.dial()
            #expect(try center.detail(lead)["status"] as? String == "transferred")
            let transfer = try #require(try center.transfers(lead).first)
            #expect(transfer["destination_id"] as? String == line)
            #expect(transfer["buyer_id"] as? String == buyer)

            // The quickstart's test hit, verbatim.
            center.app.clock.advance(by: 20 * 60)
            let hit = try center.postbackPath("&caller_id=%2B15551234567&duration=247&buyer=Acme&payout=38.50")
            let reply = try center.app.request("GET", hit)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json()["matched"] as? Bool == true)
            #expect(try reply.json()["revenue_cents"] as? Int == 3850)
            let credited = try #require(try center.transfers(lead).first)
            #expect(credited["revenue_cents"] as? Int == 3850)
            // On the buyer's account and the dashboard.
            let usage = try center.app.ezleeds("GET", "/api/v1/billing/usage?buyer_id=\(buyer)", key: center.key).json()
            #expect(usage["total_spend_cents"] as? Int == 3850, "\(usage)")
            let dashboard = try center.app.ezleeds("GET", "/api/v1/reports/dashboard", key: center.key).json()
            #expect(dashboard["revenue_cents"] as? Int == 3850, "\(dashboard)")

            // A replay changes nothing; neither does a POST of the same fields as a form.
            let replay = try center.app.request("GET", hit)
            #expect(try replay.json()["duplicate"] as? Bool == true)
            let form = try center.app.request("POST", try center.postbackPath(""), headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                              body: Array("caller_id=%2B15551234567&duration=247&buyer=Acme&payout=38.50".utf8))
            #expect(try form.json()["duplicate"] as? Bool == true)
            let charges = try center.app.ezleeds("GET", "/api/v1/billing/transactions?type=charge", key: center.key).json()
            #expect(charges["total"] as? Int == 1)
            #expect(try center.app.server.store.read { try Invariants.problems($0) } == [])

            // A wrong token is refused and stores nothing.
            let before = try center.app.ezleeds("GET", "/api/v1/postbacks", key: center.key).json()["items"] as? [Any]
            let forged = try center.app.request("GET", "/v1/postbacks/calls?token=pbt_forged&caller_id=%2B15551234567&payout=1")
            #expect(forged.status == 401)
            #expect(try center.app.request("GET", "/v1/postbacks/calls?caller_id=%2B15551234567&payout=1").status == 401)
            #expect((try center.app.ezleeds("GET", "/api/v1/postbacks", key: center.key).json()["items"] as? [Any])?.count == before?.count)
        }
    }

    @Test func aPostbackOutsideTheFourHourWindowWaitsForReviewAndCanBeMatchedByHand() async throws {
        try await blocking { () throws in
            let center = try CallCenter(odds: CallCenter.everyCallConnects)
            _ = try center.destination(["name": "Line", "phone": "5125550142"])
            let lead = try center.lead(phone: "5127314242")
            center.dial()
            let transfer = try #require(try center.transfers(lead).first?["id"] as? String)

            center.app.clock.advance(by: 5 * 3600)
            let late = try center.app.request("GET", try center.postbackPath("&ani=5127314242&call_duration=120&target=Acme&revenue=$12.00&call_uuid=rb-77"))
            #expect(late.status == 200)
            #expect(try late.json()["matched"] as? Bool == false)
            let waiting = try center.app.ezleeds("GET", "/api/v1/postbacks?matched=false", key: center.key).json()["items"] as? [[String: Any]]
            let postback = try #require(waiting?.first)
            #expect(postback["caller_id"] as? String == "+15127314242")
            #expect(postback["revenue_cents"] as? Int == 1200)
            #expect(postback["platform_call_id"] as? String == "rb-77")
            #expect(try center.transfers(lead).first?["revenue_cents"] is NSNull)
            let unmatched = try center.app.ezleeds("GET", "/api/v1/transfers?matched=false", key: center.key).json()["items"] as? [[String: Any]]
            #expect(unmatched?.map { $0["id"] as? String } == [transfer])

            let matched = try center.app.ezleeds("POST", "/api/v1/postbacks/\(postback["id"] as! String)/match", key: center.key,
                                                 ["transfer_id": transfer])
            #expect(matched.status == 200, "\(matched.text)")
            #expect(try matched.json()["match_method"] as? String == "manual")
            #expect(try center.transfers(lead).first?["revenue_cents"] as? Int == 1200)
            let again = try center.app.ezleeds("POST", "/api/v1/postbacks/\(postback["id"] as! String)/match", key: center.key,
                                               ["transfer_id": transfer])
            #expect(again.status == 409)
            // The same platform call id again is the same postback.
            let replay = try center.app.request("GET", try center.postbackPath("&call_uuid=rb-77&revenue=99"))
            #expect(try replay.json()["duplicate"] as? Bool == true)
        }
    }

    @Test func aLineThatDoesNotAnswerPassesTheCallToTheNextBestOpenLine() async throws {
        try await blocking { () throws in
            let center = try CallCenter(odds: CallCenter.everyCallConnects)
            let silent = try center.destination(["name": "Best price, never answers", "phone": "5125550900", "price_cents": 9000])
            let second = try center.destination(["name": "Second", "phone": "5125550143", "price_cents": 5000])
            _ = try center.destination(["name": "Closed", "phone": "5125550144", "price_cents": 9500, "timezone": "America/Chicago",
                                        "hours_of_operation": ["monday": ["start": "09:00", "end": "10:00"]]])
            _ = try center.destination(["name": "Other state", "phone": "5125550145", "price_cents": 9900, "states": ["CA"]])
            let lead = try center.lead(phone: "5127315151")
            center.dial()
            let transfers = try center.transfers(lead)
            #expect(transfers.map { $0["destination_id"] as? String } == [silent, second])
            #expect(transfers.map { $0["status"] as? String } == ["failed", "ended"])
            #expect(try center.detail(lead)["status"] as? String == "transferred")

            // Validation names each bad field.
            let bad = try center.app.ezleeds("POST", "/api/v1/destinations", key: center.key,
                                             ["name": "", "phone": "12", "max_concurrent_transfers": 0, "states": ["ZZ"], "timezone": "Mars/Base"])
            #expect(bad.status == 422)
            #expect(Set(bad.fields) == ["name", "phone", "max_concurrent_transfers", "states[0]", "timezone"])
            #expect(try center.app.ezleeds("DELETE", "/api/v1/destinations/\(silent)", key: center.key).status == 200)
            #expect(try center.app.ezleeds("GET", "/api/v1/destinations/\(silent)", key: center.key).status == 404)
        }
    }

    @Test func theKillSwitchAndThePausesStopNewCalls() async throws {
        try await blocking { () throws in
            let center = try CallCenter()
            _ = try center.lead(phone: "5127310200")
            try wait { [server = center.app.server] in try? await server.dialer.setPaused(true, actor: "test") }
            #expect(center.dial() == 0)
            try wait { [server = center.app.server] in try? await server.dialer.setPaused(false, actor: "test") }
            #expect(try center.app.ezleeds("POST", "/api/v1/calling/pause", key: center.admin).json()["paused"] as? Bool == true)
            #expect(try center.app.ezleeds("POST", "/api/v1/calling/pause", key: center.key).status == 403)
            #expect(center.dial() == 0)
            let resumed = try center.app.ezleeds("POST", "/api/v1/calling/resume", key: center.admin).json()
            #expect(resumed["paused"] as? Bool == false)
            #expect(resumed["provider"] as? String == "simulator")
            #expect(center.dial() == 1)

            // Settings are patched field by field and checked.
            let patched = try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin, ["max_attempts": 2])
            #expect(try patched.json()["max_attempts"] as? Int == 2)
            #expect(try patched.json()["retry_minutes"] as? [Int] == [30, 240, 1440])
            let wrong = try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin, ["max_attempts": 0, "caller_id": "12"])
            #expect(wrong.status == 422)
            #expect(Set(wrong.fields) == ["max_attempts", "caller_id"])
        }
    }
}

@Suite struct DialerWeekTests {
    /// Each state's calling window as the statutes give it (local hours, end exclusive; Sunday's where it differs),
    /// written out here rather than read from Leadline's rules, and the zones its area code and state may put a
    /// consumer in.
    struct Window { let zones: [String]; let start: Int; let end: Int; var sundayStart: Int? = nil; var capPer24h: Int? = nil }
    static let windows: [String: (phone: String, window: Window)] = [
        "TX": ("5127320001", Window(zones: ["America/Chicago", "America/Denver"], start: 9, end: 21, sundayStart: 12)),
        "FL": ("3057320001", Window(zones: ["America/New_York", "America/Chicago"], start: 8, end: 20, capPer24h: 3)),
        "CA": ("4157320001", Window(zones: ["America/Los_Angeles"], start: 9, end: 21)),
        "WA": ("2067320001", Window(zones: ["America/Los_Angeles"], start: 8, end: 20)),
        "NY": ("2127320001", Window(zones: ["America/New_York"], start: 8, end: 21)),
    ]

    @Test func atNightTheDialerParksEachLeadItTakesUntilItsStateOpens() async throws {
        try await blocking { () throws in
            // Wednesday 2026-07-22 06:00 UTC: 01:00 in Texas (00:00 in its mountain corner), 02:00 in New York.
            let center = try CallCenter(now: Timestamp.parse("2026-07-22T06:00:00Z")!)
            let texas = try center.lead(phone: try #require(Self.windows["TX"]).phone, state: "TX")
            let newYork = try center.lead(phone: try #require(Self.windows["NY"]).phone, state: "NY")
            #expect(center.dial() == 2)
            #expect(try center.calls(texas).isEmpty && center.calls(newYork).isEmpty)

            // Each waits for its first legal minute, as the lead's `dialer` says: 09:00 in Denver for Texas, 08:00 in New York.
            let texasDialer = try #require(try center.detail(texas)["dialer"] as? [String: Any])
            let newYorkDialer = try #require(try center.detail(newYork)["dialer"] as? [String: Any])
            #expect(texasDialer["status"] as? String == "waiting" && texasDialer["next_attempt_at"] as? String == "2026-07-22T15:00:00.000Z")
            #expect(newYorkDialer["status"] as? String == "waiting" && newYorkDialer["next_attempt_at"] as? String == "2026-07-22T12:00:00.000Z")
            let reason = try #require(texasDialer["reason"] as? String)
            #expect(reason.hasPrefix("waiting: ") && reason.contains("TX: calls only 09:00–21:00 local time on weekdays"), "\(reason)")
            #expect(texasDialer["attempts"] as? Int == 0)
            // The EZLeeds dialect's lead says the same.
            let ezleeds = try center.app.ezleeds("GET", "/api/v1/leads/\(newYork)", key: center.key).json()["dialer"] as? [String: Any]
            #expect(ezleeds?["next_attempt_at"] as? String == "2026-07-22T12:00:00.000Z")
            #expect(center.dial() == 0, "nothing is due before then")

            center.app.clock.advance(by: 6 * 3600)
            #expect(center.dial() == 1)
            #expect(try center.calls(newYork).count == 1 && center.calls(texas).isEmpty)
        }
    }

    @Test func overASimulatedWeekEveryCallIsPlacedInsideItsStatesHoursAndCaps() async throws {
        try await blocking { () throws in
            var odds = SimulatedVoice.Odds()
            odds.answer = 0; odds.voicemail = 0; odds.busy = 0; odds.failed = 0
            // Monday 2026-07-20 00:00 UTC: Sunday evening across the US.
            let center = try CallCenter(now: Timestamp.parse("2026-07-20T00:00:00Z")!, odds: odds)
            let settings = try center.app.ezleeds("PATCH", "/api/v1/calling/settings", key: center.admin,
                                                  ["max_attempts": 20, "retry_minutes": [30]])
            #expect(settings.status == 200, "\(settings.text)")
            var leads: [String: String] = [:]
            for (state, entry) in Self.windows { leads[state] = try center.lead(phone: entry.phone, state: state) }

            // Two dialers at once every ten simulated minutes, for a week.
            let server = center.app.server
            for _ in 0..<(7 * 144) {
                center.app.clock.advance(by: 600)
                _ = wait {
                    async let first = server.dialer.runDue()
                    async let second = server.dialer.runDue()
                    let taken = await first + second
                    await server.calls.idle()
                    return taken
                }
            }

            for (state, entry) in Self.windows {
                let calls = try center.calls(try #require(leads[state]))
                let placed = calls.filter { $0["status"] as? String != "blocked" }
                #expect(placed.count >= 7, "\(state): only \(placed.count) calls in a week")
                var times: [Date] = []
                for call in placed {
                    let at = try #require(Timestamp.parse(call["created_at"] as? String ?? ""))
                    times.append(at)
                    #expect((call["compliance"] as? [String: Any])?["allowed"] as? Bool == true)
                    for zone in entry.window.zones {
                        var calendar = Calendar(identifier: .gregorian)
                        calendar.timeZone = TimeZone(identifier: zone)!
                        let parts = calendar.dateComponents([.hour, .weekday], from: at)
                        let start = parts.weekday == 1 ? entry.window.sundayStart ?? entry.window.start : entry.window.start
                        #expect((start..<entry.window.end).contains(parts.hour!), "\(state): a call at \(call["created_at"]!) is \(parts.hour!):xx in \(zone)")
                    }
                }
                if let cap = entry.window.capPer24h {
                    for time in times {
                        let within = times.filter { $0 >= time && $0 < time.addingTimeInterval(86_400) }.count
                        #expect(within <= cap, "\(state): \(within) calls in the 24 hours from \(time)")
                    }
                }
                // Never two at once: every call ended before the next began.
                let ends = placed.compactMap { Timestamp.parse($0["ended_at"] as? String ?? "") }
                #expect(ends.count == placed.count)
                for (end, nextStart) in zip(ends, times.dropFirst()) { #expect(end <= nextStart) }
            }
        }
    }
}
