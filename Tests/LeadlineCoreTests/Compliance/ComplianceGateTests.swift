import Foundation
import GRDB
@testable import LeadlineCore
import LeadlineTesting
import Store
import Testing

/// The gate and its lists over a real SQLite file, with a clock the test moves.
final class GateFixture: @unchecked Sendable {
    let folder = TemporaryDirectory()
    let store: SQLiteStore
    let clock: ManualClock
    let tenantID: String
    let gate: ComplianceGate
    var dnc: DNCRegistry { gate.dnc }

    /// Wednesday 2026-03-11 16:00 UTC: 12:00 in New York, 09:00 in Los Angeles.
    init(now: Date = Date(timeIntervalSince1970: 1_773_244_800)) throws {
        store = try SQLiteStore(path: folder.file("g.db"), migrations: Schema.migrations)
        clock = ManualClock(now)
        tenantID = try Tenants(store: store, clock: clock).create(name: "acme").id
        gate = ComplianceGate(store: store, clock: clock, dnc: DNCRegistry(store: store, clock: clock), blackouts: Blackouts(store: store, clock: clock))
    }

    func outreach(_ phone: String, state: String? = nil, channel: OutreachChannel = .call, subject: String? = "legal_pi") -> Outreach {
        Outreach(tenantID: tenantID, phone: phone, state: state, channel: channel, subject: subject, hasConsent: true)
    }

    /// A new lead with written consent, through intake.
    func consentingLead(_ phone: String, state: String) async throws -> Lead {
        let outcome = try await Leads(store: store, clock: clock).intake(tenantID: tenantID, LeadInput(phone: phone, state: state, consent: ConsentInput(
            consentType: "tcpa_express_written", text: "I agree", pageURL: "https://example.com/a")), options: .init(actor: "test"))
        guard case .created(let lead) = outcome else { throw CoreError.conflict("\(phone) was not created") }
        return lead
    }

    deinit { try? store.close() }
}

@Suite struct ComplianceGateTests {
    @Test func capsCountEveryAllowedAttemptOnTheSubjectForTwentyFourHours() async throws {
        let f = try GateFixture()
        let florida = f.outreach("+13055550100", state: "FL")
        for _ in 0..<3 { #expect(try await f.gate.check(florida, actor: "dialer").decision.allowed) }
        let fourth = try await f.gate.check(florida, actor: "dialer").decision
        #expect(!fourth.allowed)
        #expect(!fourth.passed(.stateRules) && fourth.passed(.timeWindow))
        #expect(fourth.failures.contains { $0.reason.contains("FL: 3 calls or texts about legal_pi") })
        // Blocked attempts are recorded with their decision but do not count.
        let rows = try f.store.read { db in try Row.fetchAll(db, sql: "SELECT allowed, counted, decision FROM outreach_attempts ORDER BY rowid") }
        #expect(rows.map { $0["counted"] as Int } == [1, 1, 1, 0])
        #expect((rows[3]["decision"] as String).contains("FL: 3 calls or texts"))
        // Another subject has its own count; a state without a cap has none.
        #expect(try await f.gate.check(f.outreach("+13055550100", state: "FL", subject: "auto_insurance"), actor: "dialer").decision.allowed)
        for _ in 0..<5 { #expect(try await f.gate.check(f.outreach("+12125550100", state: "NY"), actor: "dialer").decision.allowed) }
        // The window rolls: 24 hours after the first three, the number may be called again.
        f.clock.advance(by: 24 * 3600)
        #expect(try await f.gate.check(florida, actor: "dialer").decision.allowed)
    }

    @Test func concurrentDialsCannotOvershootACap() async throws {
        let f = try GateFixture()
        let oklahoma = f.outreach("+14055550100", state: "OK")
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 { group.addTask { try await f.gate.check(oklahoma, actor: "dialer").decision.allowed } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 3)
    }

    @Test func anOptOutBlocksTheNextContactAtOnceAndTheLeadBecomesIneligible() async throws {
        let f = try GateFixture()
        let leads = Leads(store: f.store, clock: f.clock)
        let lead = try await f.consentingLead("7025550100", state: "NV")
        let call = Outreach(tenantID: f.tenantID, phone: lead.phone, channel: .aiCall, leadID: lead.id)
        let before = try f.gate.evaluate(call)
        #expect(before.allowed, "\(before.failures)")

        try await f.dnc.add(tenantID: f.tenantID, phone: lead.phone, reason: "STOP", channel: "sms", actor: "sms:inbound")
        let after = try await f.gate.check(call, actor: "dialer").decision
        #expect(!after.allowed && after.dnc.internal && !after.passed(.dncClear))
        #expect(!after.passed(.consentValid), "the lead itself is now ineligible")
        #expect(try leads.record(tenantID: f.tenantID, leadID: lead.id).lead.ineligibleReason == "opted_out")
        // Email is blocked too: an opt-out is an opt-out.
        #expect(!(try f.gate.evaluate(Outreach(tenantID: f.tenantID, phone: lead.phone, channel: .email, hasConsent: true)).allowed))

        // Another tenant's lists are its own.
        let other = try Tenants(store: f.store, clock: f.clock).create(name: "other").id
        #expect(try f.gate.evaluate(Outreach(tenantID: other, phone: lead.phone, state: "NV", channel: .call, hasConsent: true)).allowed)

        // Taken off the list (by an admin), the number is clear again; the audit row stays.
        try await f.dnc.remove(tenantID: f.tenantID, phone: lead.phone, actor: "admin")
        #expect(!(try f.dnc.lists(tenantID: f.tenantID).contains(DNCNumbers.digits(lead.phone)!, in: .internal)))
        #expect(try f.store.read { db in try String.fetchOne(db, sql: "SELECT removed_by FROM dnc_internal") } == "admin")
        await #expect(throws: CoreError.self) { try await f.dnc.remove(tenantID: f.tenantID, phone: lead.phone, actor: "admin") }
    }

    @Test func consentMustBeLiveAndWrittenForArtificialVoice() async throws {
        let f = try GateFixture()
        let consents = Consents(store: f.store, clock: f.clock)
        let spoken = try await consents.record(tenantID: f.tenantID, leadID: nil, ConsentInput(consentType: "tcpa_express", text: "ok"), actor: "t")
        let written = try await consents.record(tenantID: f.tenantID, leadID: nil, ConsentInput(consentType: "tcpa_express_written", text: "ok"), actor: "t")
        func check(_ certificate: String?, _ channel: OutreachChannel, hasConsent: Bool? = nil) throws -> ComplianceDecision {
            try f.gate.evaluate(Outreach(tenantID: f.tenantID, phone: "+12125550100", state: "NY", channel: channel, certificateID: certificate,
                                         hasConsent: hasConsent))
        }
        #expect(try check(spoken.id, .call).allowed)
        #expect(!(try check(spoken.id, .aiCall).passed(.consentValid)))
        #expect(try check(written.id, .aiCall).allowed)
        #expect(!(try check("cert_missing", .call).passed(.consentValid)))
        #expect(!(try check(nil, .call).passed(.consentValid)))
        #expect(!(try check(nil, .call, hasConsent: false).passed(.consentValid)))
        #expect(try check(nil, .call, hasConsent: true).warnings.contains { $0.contains("asserted") })
        _ = try await consents.revoke(tenantID: f.tenantID, certificateID: written.id, reason: "asked", actor: "t")
        #expect(!(try check(written.id, .aiCall).passed(.consentValid)))
    }

    @Test func theNextLegalTimeIsTheFirstAllowedStepAndFollowsTheRollingCap() async throws {
        let f = try GateFixture()
        let lead = try await f.consentingLead("3055550100", state: "FL")
        let call = Outreach(tenantID: f.tenantID, phone: lead.phone, channel: .call, subject: "legal_pi", leadID: lead.id)

        // At 23:00 in Miami the next legal time is the first 10-minute step the gate allows, the morning after.
        let night = Date(timeIntervalSince1970: 1_773_198_000)  // 2026-03-11 03:00 UTC
        let morning = try #require(try f.gate.nextAllowed(call, from: night))
        func allowed(at instant: Date) throws -> Bool {
            let lists = try f.dnc.lists(tenantID: f.tenantID), blackouts = try f.gate.blackouts.current(tenantID: f.tenantID)
            return try f.gate.decide(call, at: instant, lists: lists, blackouts: blackouts, facts: StoreFacts(store: f.store)).allowed
        }
        #expect(try allowed(at: morning) && !(try allowed(at: morning.addingTimeInterval(-600))))
        #expect(morning > night && morning.timeIntervalSince(night) < 12 * 3600)

        // Florida's three calls a day: with them made now, the next one is allowed when the first leaves the 24 hours
        // (the count is asked again at every step, not remembered from the first).
        for _ in 0..<3 { #expect(try await f.gate.check(call, actor: "dialer").decision.allowed) }
        #expect(try f.gate.nextAllowed(call, from: f.clock.now) == f.clock.now.addingTimeInterval(86_400))

        // Consent does not come back with time: no next time at all.
        #expect(try f.gate.nextAllowed(Outreach(tenantID: f.tenantID, phone: "+13055550101", state: "FL", channel: .call, hasConsent: false),
                                       from: night) == nil)
    }

    @Test func blackoutDaysAndUnlocatableNumbersBlock() async throws {
        let f = try GateFixture()
        _ = try await f.gate.blackouts.declare(tenantID: f.tenantID, state: "LA", startsOn: "2026-03-11", endsOn: "2026-03-12",
                                               reason: "Governor's emergency declaration", actor: "admin")
        let louisiana = try f.gate.evaluate(f.outreach("+15045550100"))
        #expect(!louisiana.allowed && louisiana.failures.contains { $0.reason.contains("blackout") })
        #expect(try f.gate.evaluate(f.outreach("+12145550100")).allowed, "Texas is not covered")
        f.clock.advance(by: 2 * 86_400)
        #expect(try f.gate.evaluate(f.outreach("+15045550100")).allowed, "the blackout has ended")
        await #expect(throws: CoreError.self) {
            _ = try await f.gate.blackouts.declare(tenantID: f.tenantID, state: "ZZ", startsOn: "2026-13-01", endsOn: nil, reason: "", actor: "a")
        }
        // Toll-free, no state: the gate cannot apply any state's rules, so it does not allow the call.
        let nowhere = try f.gate.evaluate(f.outreach("+18005550100"))
        #expect(!nowhere.allowed && !nowhere.passed(.stateRules))
    }

    @Test func aMillionNumberRegistryFileImportsAndAnswersLookups() throws {
        let f = try GateFixture()
        // 1,000,000 distinct numbers over 20 area codes, in the registry's two layouts, shuffled by a fixed stride.
        var numbers: [Int] = []
        numbers.reserveCapacity(1_000_000)
        let areaCodes = [201, 212, 305, 310, 312, 404, 415, 469, 503, 602, 617, 702, 713, 720, 808, 850, 904, 917, 949, 972]
        for i in 0..<1_000_000 {
            let npa = areaCodes[i % 20]
            numbers.append(npa * 10_000_000 + (i / 20) * 139 % 10_000_000)
        }
        var text = ""
        text.reserveCapacity(12_000_000)
        for (i, n) in numbers.enumerated() { text += i % 2 == 0 ? "\(n)\n" : "\(n / 10_000_000),\(String(format: "%07d", n % 10_000_000))\n" }
        let path = f.folder.file("federal.txt")
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))

        let started = ContinuousClock.now
        let report = try f.dnc.importFile(tenantID: f.tenantID, list: .federal, path: path, fileName: "federal.txt", changeList: false, actor: "t")
        let elapsed = ContinuousClock.now - started
        #expect(report.lines == 1_000_000 && report.added == 1_000_000 && report.rejected == 0 && report.areaCodes == 20)
        #expect(report.listSize == 1_000_000)
        print("imported 1,000,000 numbers in \(elapsed)")

        let lists = try f.dnc.lists(tenantID: f.tenantID)
        let present = numbers.prefix(50_000).filter { lists.federal.contains($0) }.count
        #expect(present == 50_000)
        // Numbers above 6,950,000 in each area code were never in the file.
        let absent = (0..<50_000).filter { !lists.federal.contains(areaCodes[$0 % 20] * 10_000_000 + 7_000_000 + $0) }.count
        #expect(absent == 50_000)
        #expect(!lists.federal.contains(2_065_550_100), "an area code not in the file")

        // The list survives a restart (read back from the database).
        let fresh = DNCRegistry(store: f.store, clock: f.clock)
        #expect(try fresh.lists(tenantID: f.tenantID).federal.count == 1_000_000)
        #expect(try fresh.lists(tenantID: f.tenantID).importedAt["federal"] != nil)

        // A change list adds and deletes; the gate sees both at once.
        let changes = f.folder.file("changes.txt")
        FileManager.default.createFile(atPath: changes, contents: Data("206,5550100,A\n\(numbers[0]),D\n".utf8))
        let changed = try f.dnc.importFile(tenantID: f.tenantID, list: .federal, path: changes, fileName: "c", changeList: true, actor: "t")
        #expect(changed.added == 1 && changed.deleted == 1 && changed.listSize == 1_000_000)
        #expect(!(try f.gate.evaluate(f.outreach("+12065550100", state: "WA")).allowed))
        #expect(try f.gate.evaluate(f.outreach("+1\(numbers[0])")).passed(.dncClear))
        #expect(!(try f.gate.evaluate(f.outreach("+1\(numbers[2])")).passed(.dncClear)))

        // A full list for one area code replaces that area code only.
        let oneCode = f.folder.file("702.txt")
        FileManager.default.createFile(atPath: oneCode, contents: Data("7025550100\n".utf8))
        let replaced = try f.dnc.importFile(tenantID: f.tenantID, list: .federal, path: oneCode, fileName: "702", changeList: false, actor: "t")
        #expect(replaced.added == 1 && replaced.deleted == 50_000 && replaced.listSize == 950_001)

        // A state list applies to its state only.
        let texas = f.folder.file("tx.txt")
        FileManager.default.createFile(atPath: texas, contents: Data("2145550199\n".utf8))
        _ = try f.dnc.importFile(tenantID: f.tenantID, list: .state("TX"), path: texas, fileName: "tx", changeList: false, actor: "t")
        let hit = try f.gate.evaluate(f.outreach("+12145550199"))
        #expect(hit.dnc.state == ["TX"] && !hit.allowed)
    }

    @Test func anImportByAnotherProcessReachesARunningServer() throws {
        let f = try GateFixture()
        let serving = DNCRegistry(store: f.store, clock: f.clock, recheckInterval: .zero)
        #expect(try serving.lists(tenantID: f.tenantID).federal.count == 0)
        let file = f.folder.file("co.txt")
        FileManager.default.createFile(atPath: file, contents: Data("3035550100\n".utf8))
        // `leadline dnc import` opens its own registry over the same database file.
        _ = try DNCRegistry(store: f.store, clock: f.clock).importFile(tenantID: f.tenantID, list: .state("CO"), path: file, fileName: "co",
                                                                     changeList: false, actor: "cli")
        #expect(try serving.lists(tenantID: f.tenantID).contains(3_035_550_100, in: .state("CO")))
    }
}
