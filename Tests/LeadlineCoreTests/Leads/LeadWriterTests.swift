import Foundation
import GRDB
@testable import LeadlineCore
import LeadlineTesting
import Store
import Testing

/// The writer stores a batch table by table, many rows per statement, checking duplicates against the batch's own
/// earlier leads in memory: it must decide and store exactly what intake one lead at a time does.
@Suite struct LeadWriterTests {
    /// 137 leads (two full chunks of 50 and 37 one by one), repeating phones and emails inside the batch and from an
    /// earlier one, with and without consent, some rejected.
    static func inputs() -> [LeadInput] {
        (0..<137).map { i in
            let phone = i % 11 == 10 ? "702555\(String(format: "%04d", i - 3))"   // the phone of three leads before
                : i % 17 == 16 ? "7025550001"                                       // a lead of the earlier batch
                : "702555\(String(format: "%04d", i))"
            let email = i % 13 == 12 ? "same\(i - 5)@example.com" : "p\(i)@example.com"   // the email of five before
            let consent = i % 3 == 0 ? nil : ConsentInput(text: "I agree \(i)", pageURL: "https://example.com/q", ipAddress: "203.0.113.4")
            return LeadInput(phone: i % 29 == 28 ? "12" : phone, email: i % 13 == 7 ? "same\(i)@example.com" : email,
                             firstName: "Lead\(i)", state: "NV", consent: consent)
        }
    }

    struct Stored: Equatable {
        let outcomes: [String]
        let leads: [String]
        let certificates: [String]
        let events: [String]
        let queue: [String]
        let daily: [String]
    }

    /// Stores `Self.inputs()` after an earlier lead, in one batch or one by one, and reads back what was decided and
    /// stored, without ids and hashes (random and time-ordered) but with each duplicate's first name.
    func store(byEmail: Bool, oneByOne: Bool) async throws -> Stored {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("w.db"), migrations: Schema.migrations)
        defer { try? store.close() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
        let tenants = Tenants(store: store, clock: clock)
        let tenant = try tenants.create(name: "acme")
        try tenants.setDedupRule(tenantID: tenant.id, .init(windowDays: 30, byEmail: byEmail))
        let leads = Leads(store: store, clock: clock)
        let options = Leads.IntakeOptions(actor: "test", calls: true)
        _ = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "7025550001", firstName: "Earlier",
                                   consent: ConsentInput(text: "I agree")), options: options)
        clock.advance(by: 60)
        var outcomes: [Result<Leads.Outcome, CoreError>] = []
        if oneByOne {
            for input in Self.inputs() {
                do { outcomes.append(.success(try await leads.intake(tenantID: tenant.id, input, options: options))) }
                catch let error as CoreError { outcomes.append(.failure(error)) }
            }
        } else {
            outcomes = try await leads.intakeBatch(tenantID: tenant.id, Self.inputs(), options: options)
        }
        let described = outcomes.map { outcome -> String in
            switch outcome {
            case .success(.created(let lead)): return "created \(lead.firstName ?? "")"
            case .success(.duplicate(let lead)): return "duplicate of \(lead.firstName ?? "")"
            case .failure(let error): return "rejected \(error)"
            }
        }
        // Every certificate verifies, and the chain is whole.
        for id in try store.read({ db in try String.fetchAll(db, sql: "SELECT id FROM consent_certificates") }) {
            #expect(try Consents(store: store, clock: clock).verify(tenantID: tenant.id, certificateID: id).1 == .valid)
        }
        #expect(try store.read { try Invariants.problems($0) } == [])
        return try store.read { db in
            Stored(
                outcomes: described,
                leads: try String.fetchAll(db, sql: """
                    SELECT first_name || ' ' || phone || ' ' || ifnull(email, '-') || ' ' || status || ' ' || score || ' '
                        || (consent_certificate_id IS NOT NULL) FROM leads ORDER BY created_at, first_name
                    """),
                certificates: try String.fetchAll(db, sql: """
                    SELECT c.sequence || ' ' || l.first_name || ' ' || c.consent_text FROM consent_certificates c
                    JOIN leads l ON l.id = c.lead_id AND l.consent_certificate_id = c.id ORDER BY c.sequence
                    """),
                events: try String.fetchAll(db, sql: """
                    SELECT l.first_name || ' ' || e.kind || ' ' || e.to_status || ' ' || e.detail FROM lead_events e
                    JOIN leads l ON l.id = e.lead_id ORDER BY e.id
                    """),
                queue: try String.fetchAll(db, sql: """
                    SELECT l.first_name || ' ' || q.status FROM call_queue q JOIN leads l ON l.id = q.lead_id ORDER BY l.created_at, l.first_name
                    """),
                daily: try String.fetchAll(db, sql: "SELECT day || ' ' || status || ' ' || leads FROM lead_daily ORDER BY day, status"))
        }
    }

    @Test(arguments: [false, true])
    func aBatchIsStoredAsLeadsOneByOneAre(byEmail: Bool) async throws {
        let batch = try await store(byEmail: byEmail, oneByOne: false)
        let single = try await store(byEmail: byEmail, oneByOne: true)
        #expect(batch == single)
        // The inputs do repeat inside the batch and from before it, by phone and (when the tenant says so) by email.
        #expect(batch.outcomes.contains("duplicate of Lead7") && batch.outcomes.contains("duplicate of Earlier"))
        #expect(batch.outcomes.contains { $0.hasPrefix("rejected") })
        // The 13th lead repeats only the 8th's email.
        #expect(batch.outcomes[12] == (byEmail ? "duplicate of Lead7" : "created Lead12"))
        #expect(batch.certificates.count == batch.leads.filter { $0.hasSuffix(" 1") }.count)
    }
}
