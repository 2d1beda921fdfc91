import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' compliance endpoints over the one gate: `POST /api/v1/compliance/check-outreach`, `GET …/rules`,
/// `GET …/rules/{state}`, `POST …/dnc-check`; and what the reference leaves to the console: the internal
/// do-not-call list (`/api/v1/compliance/dnc`), registry imports (`…/dnc/import`) and blackout days (`…/blackouts`).
extension Routes {
    /// An optional state code, or a 422.
    static func state(_ text: String?, field: String = "state") throws -> String? {
        guard let text, !text.trimmingSpaces.isEmpty else { return nil }
        guard let code = USStates.canonical(text) else {
            throw HTTPError.validation([.init(field: field, reason: "must be a US state or DC code, such as NV")])
        }
        return code
    }

    static let channelNames: [String: OutreachChannel] = [
        "call": .call, "phone": .call, "voice": .call, "ai_call": .aiCall, "ai_voice": .aiCall, "ai": .aiCall,
        "voicemail": .voicemail, "ringless_voicemail": .voicemail, "sms": .sms, "text": .sms, "email": .email,
    ]

    struct CheckOutreach: Decodable {
        let phone: String?, state: String?, channel: String?, campaign_type: String?, has_consent: Bool?
        let lead_id: String?, certificate_id: String?, dry_run: Bool?
    }

    struct RulesView: Encodable {
        struct Hours: Encodable { let start: String, end: String }
        struct CallingHours: Encodable { let start: String, end: String, timezone: String }
        struct Schedule: Encodable {
            @Nullable var weekday: Hours?
            @Nullable var saturday: Hours?
            @Nullable var sunday: Hours?
            /// `no_calls`, `hours` (then `holiday_hours`), or `as_usual`.
            let holidays: String
            @Nullable var holiday_hours: Hours?
        }
        struct Cap: Encodable { let limit: Int, hours: Int, artificial_voice_only: Bool }
        struct HolidayDate: Encodable { let date: String, name: String }

        let state: String, name: String
        let calling_hours: CallingHours
        let timezones: [String]
        let schedule: Schedule
        @Nullable var artificial_voice_schedule: Schedule?
        let holidays: [HolidayDate]
        let two_party_consent: Bool, telemarketing_registration_required: Bool, mini_tcpa: Bool, state_dnc_list: Bool
        let call_caps: [Cap]
        let additional_restrictions: [String]
        let sources: [String]
        let rules_version: String

        /// `year`: which year's holiday dates to list.
        init(_ rule: StateRule, year: Int) {
            state = rule.code; name = rule.name
            // The everyday window: the stricter of federal and state hours.
            let weekday = rule.hours.weekday.withinFederalHours ?? CallingWindow(8, 8)
            calling_hours = CallingHours(start: CallingWindow.clock(weekday.start), end: CallingWindow.clock(weekday.end), timezone: rule.zones[0])
            timezones = rule.zones
            schedule = Self.schedule(rule.hours)
            artificial_voice_schedule = rule.artificialVoiceHours.map(Self.schedule)
            holidays = rule.holidays?.dates(in: year).map { HolidayDate(date: $0.date.description, name: $0.name) } ?? []
            two_party_consent = rule.allPartyRecording; telemarketing_registration_required = rule.registrationRequired
            mini_tcpa = rule.miniTCPA; state_dnc_list = rule.stateDNC
            call_caps = rule.caps.map { Cap(limit: $0.limit, hours: $0.hours, artificial_voice_only: $0.artificialVoiceOnly) }
            additional_restrictions = rule.restrictions
            sources = rule.sources.map { StateRules.sourceKeys[$0] ?? $0 }
            rules_version = StateRules.version
        }

        static func schedule(_ hours: WeeklyHours) -> Schedule {
            func view(_ rule: DayRule) -> Hours? {
                rule.withinFederalHours.map { Hours(start: CallingWindow.clock($0.start), end: CallingWindow.clock($0.end)) }
            }
            let holidays = hours.holiday.map { $0 == .banned ? "no_calls" : "hours" } ?? "as_usual"
            return Schedule(weekday: view(hours.weekday), saturday: view(hours.saturday), sunday: view(hours.sunday), holidays: holidays,
                            holiday_hours: hours.holiday.flatMap(view))
        }
    }

    mutating func addEZLeedsCompliance(_ gate: ComplianceGate, clock: any Clock) {
        let dnc = gate.dnc, blackouts = gate.blackouts
        let routes = self

        addAsync(.POST, "/api/v1/compliance/check-outreach", access: .complianceOrWrite) { request in
            let caller = try request.caller
            let body = try request.decode(CheckOutreach.self)
            let phone = try PhoneNumber.checked(body.phone)
            let state = try Self.state(body.state)
            let channelName = body.channel?.trimmingSpaces.lowercased() ?? "call"
            guard let channel = Self.channelNames[channelName] else {
                throw HTTPError.validation([.init(field: "channel", reason: "must be one of call, ai_call, voicemail, sms, email")])
            }
            let outreach = Outreach(tenantID: caller.tenantID, phone: phone, state: state, channel: channel,
                                    subject: body.campaign_type?.trimmingSpaces.prefix(100).description, leadID: body.lead_id,
                                    certificateID: body.certificate_id, hasConsent: body.has_consent)
            let decision: ComplianceDecision
            var attemptID: String?
            if body.dry_run == true {
                decision = try gate.evaluate(outreach)
            } else {
                let authorization = try await gate.check(outreach, actor: request.eventActor)
                decision = authorization.decision
                attemptID = authorization.attemptID
            }
            struct Answer: Encodable {
                let allowed: Bool
                let checks: [String: String]
                let warnings: [String]
                let reasons: [ComplianceDecision.Failure]
                let states: [String], local_times: [String]
                @Nullable var attempt_id: String?
                let rules_version: String
            }
            var checks: [String: String] = [:]
            for check in ComplianceDecision.Check.allCases { checks[check.rawValue] = decision.passed(check) ? "pass" : "fail" }
            return try .json(Answer(allowed: decision.allowed, checks: checks, warnings: decision.warnings, reasons: decision.failures,
                                    states: decision.states, local_times: decision.localTimes.map(\.description), attempt_id: attemptID,
                                    rules_version: decision.rulesVersion))
        }

        add(.GET, "/api/v1/compliance/rules", access: .complianceOrWrite) { request in
            _ = try request.caller
            let year = CivilDate(dayNumber: Int(clock.now.timeIntervalSince1970 / 86_400)).year
            struct Answer: Encodable { let states: [String: RulesView]; let total: Int; let rules_version: String }
            let states = Dictionary(uniqueKeysWithValues: StateRules.all.map { ($0.code, RulesView($0, year: year)) })
            return try .json(Answer(states: states, total: states.count, rules_version: StateRules.version))
        }

        add(.GET, "/api/v1/compliance/rules/{state}", access: .complianceOrWrite) { request in
            _ = try request.caller
            let code = try request.parameter("state")
            guard let rule = StateRules.rule(code) else {
                throw HTTPError.notFound("no rules for state '\(code.prefix(20))': use a US state or DC code, such as CA")
            }
            let year = request.query["year"].flatMap(Int.init).flatMap { (1970...2200).contains($0) ? $0 : nil }
                ?? CivilDate(dayNumber: Int(clock.now.timeIntervalSince1970 / 86_400)).year
            return try .json(RulesView(rule, year: year))
        }

        add(.POST, "/api/v1/compliance/dnc-check", access: .complianceOrWrite) { request in
            let caller = try request.caller
            struct Body: Decodable { let phone: String?, state: String? }
            let body = try request.decode(Body.self)
            let phone = try PhoneNumber.checked(body.phone)
            let state = try Self.state(body.state)
            let lists = try dnc.lists(tenantID: caller.tenantID)
            let digits = DNCNumbers.digits(phone)!
            let states = CalledParty(phone: phone, state: state).states
            let federal = lists.contains(digits, in: .federal)
            let stateHits = states.filter { lists.contains(digits, in: .state($0)) }
            let internalHit = lists.contains(digits, in: .internal)
            struct Checks: Encodable { let federal_dnc: Bool, state_dnc: Bool, internal_dnc: Bool }
            struct Answer: Encodable { let on_dnc: Bool; let checks: Checks; let state_lists: [String] }
            return try .json(Answer(on_dnc: federal || !stateHits.isEmpty || internalHit,
                                    checks: Checks(federal_dnc: federal, state_dnc: !stateHits.isEmpty, internal_dnc: internalHit),
                                    state_lists: stateHits))
        }

        struct EntryView: Encodable {
            let phone: String
            @Nullable var reason: String?
            let channel: String, added_by: String, added_at: String
            init(_ entry: DNCRegistry.InternalEntry) {
                phone = entry.phone; reason = entry.reason; channel = entry.channel; added_by = entry.actor; added_at = entry.addedAt
            }
        }

        addAsync(.POST, "/api/v1/compliance/dnc", access: .complianceOrWrite) { request in try await routes.idempotent(request) {
            let caller = try request.caller
            struct Body: Decodable { let phone: String?, reason: String?, channel: String? }
            let body = try request.decode(Body.self)
            let phone = try PhoneNumber.checked(body.phone)
            let existing = try dnc.internalEntry(tenantID: caller.tenantID, phone: phone)
            let entry = try await dnc.add(tenantID: caller.tenantID, phone: phone, reason: body.reason,
                                          channel: body.channel?.trimmingSpaces.lowercased() ?? "api", actor: request.eventActor)
            return try .json(EntryView(entry), status: existing == nil ? 201 : 200)
        } }

        add(.GET, "/api/v1/compliance/dnc", access: .complianceOrWrite) { request in
            let caller = try request.caller
            if let phone = request.query["phone"] {
                guard let entry = try dnc.internalEntry(tenantID: caller.tenantID, phone: try PhoneNumber.checked(phone)) else {
                    throw HTTPError.notFound("\(phone.prefix(20)) is not on the internal do-not-call list")
                }
                return try .json(EntryView(entry))
            }
            let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
            let entries = try dnc.internalEntries(tenantID: caller.tenantID, limit: limit, before: request.query["before"])
            struct Page: Encodable {
                let items: [EntryView]
                @Nullable var next_before: String?
            }
            return try .json(Page(items: entries.map(EntryView.init), next_before: entries.count == limit ? entries.last?.addedAt : nil))
        }

        addAsync(.DELETE, "/api/v1/compliance/dnc/{phone}", access: .admin) { request in
            let caller = try request.caller
            let phone = try PhoneNumber.checked(try request.parameter("phone"))
            try await dnc.remove(tenantID: caller.tenantID, phone: phone, actor: request.eventActor)
            return Response(status: 204)
        }

        add(.POST, "/api/v1/compliance/dnc/import", access: .admin, maxBodyBytes: 4 << 30,
            accepts: ["text/plain", "text/csv", "application/octet-stream"], bodyToFile: true) { request in
            let caller = try request.caller
            guard let file = request.bodyFile, file.size > 0 else {
                throw HTTPError.validation([.init(field: "body", reason: "send the registry file (unzipped) as the request body")])
            }
            let listName = request.query["list"] ?? "federal"
            let list: DNCList
            if listName == "state" {
                guard let code = try Self.state(request.query["state"], field: "state") else {
                    throw HTTPError.validation([.init(field: "state", reason: "is required for a state list")])
                }
                list = .state(code)
            } else if let parsed = DNCList(listName), parsed != .internal {
                list = parsed
            } else {
                throw HTTPError.validation([.init(field: "list", reason: "must be federal, or state (with state=XX)")])
            }
            let kind = request.query["kind"] ?? "full"
            guard kind == "full" || kind == "changes" else {
                throw HTTPError.validation([.init(field: "kind", reason: "must be full (replaces the area codes in the file) or changes")])
            }
            let report = try dnc.importFile(tenantID: caller.tenantID, list: list, path: file.path,
                                            fileName: request.query["file_name"] ?? "upload.txt", changeList: kind == "changes",
                                            actor: request.eventActor)
            struct Rejected: Encodable { let line: Int, reason: String }
            struct Answer: Encodable {
                let id: String, list: String, kind: String, lines: Int, added: Int, deleted: Int, rejected: Int
                let rejected_lines: [Rejected]
                let area_codes: Int, list_size: Int
            }
            return try .json(Answer(id: report.id, list: report.list, kind: report.kind, lines: report.lines, added: report.added,
                                    deleted: report.deleted, rejected: report.rejected,
                                    rejected_lines: report.rejectedLines.map { Rejected(line: $0.line, reason: $0.reason) },
                                    area_codes: report.areaCodes, list_size: report.listSize))
        }

        add(.GET, "/api/v1/compliance/blackouts", access: .complianceOrWrite) { request in
            let caller = try request.caller
            struct Page: Encodable { let items: [Blackout] }
            return try .json(Page(items: try blackouts.current(tenantID: caller.tenantID)))
        }

        addAsync(.POST, "/api/v1/compliance/blackouts", access: .admin) { request in
            let caller = try request.caller
            struct Body: Decodable { let state: String?, starts_on: String?, ends_on: String?, reason: String? }
            let body = try request.decode(Body.self)
            let blackout = try await blackouts.declare(tenantID: caller.tenantID, state: body.state, startsOn: body.starts_on,
                                                       endsOn: body.ends_on, reason: body.reason, actor: request.eventActor)
            return try .json(blackout, status: 201)
        }

        addAsync(.DELETE, "/api/v1/compliance/blackouts/{id}", access: .admin) { request in
            let caller = try request.caller
            try await blackouts.lift(tenantID: caller.tenantID, id: try request.parameter("id"))
            return Response(status: 204)
        }
    }
}
