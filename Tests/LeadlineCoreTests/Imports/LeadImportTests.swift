import Foundation
@testable import LeadlineCore
import LeadlineTesting
import Store
import Testing

@Suite struct LeadImportTests {
    @Test func recognisesCommonColumnNames() throws {
        let map = try LeadImport.mapColumns(["Mobile Phone", "FIRST_NAME", "Surname", "E-Mail Address", "Zip Code", "Opt-In Date", "Landing Page"])
        #expect(map[.phone] == 0)
        #expect(map[.firstName] == 1)
        #expect(map[.lastName] == 2)
        #expect(map[.email] == 3)
        #expect(map[.zipCode] == 4)
        #expect(map[.consentTimestamp] == 5)
        #expect(map[.consentURL] == 6)
        #expect(throws: CoreError.self) { try LeadImport.mapColumns(["name", "email"]) }
    }

    @Test func goodBadAndDuplicateRowsThroughTheSameIntake() async throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("i.db"), migrations: Schema.migrations)
        defer { try? store.close() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
        let tenant = try Tenants(store: store, clock: clock).create(name: "acme")
        var importer = LeadImport(leads: Leads(store: store, clock: clock))
        importer.batchSize = 3
        let csv = """
            phone,first_name,state,consent_text,page_url
            5551234567,Jane,TX,I agree,https://example.com/a
            555-123-4567,Jane again,TX,,
            7025550101,Pat,NV,,
            12,Bad,ZZ,,
            7025550102,Sam,NV,I agree,https://example.com/a
            7025550101,Pat twice,NV,,
            """
        var reader = CSVReader(bytes: Array(csv.utf8))
        var rejects: [LeadImport.Reject] = []
        var progress: [Int] = []
        let report = try await importer.run(&reader, tenantID: tenant.id, actor: "test",
                                            progress: { progress.append($0.created + $0.duplicate + $0.rejected) },
                                            onReject: { rejects.append($0) })
        #expect(report.rows == 6)
        #expect(report.created == 3)
        #expect(report.duplicate == 2, "one repeat inside a batch, one across batches")
        #expect(report.rejected == 1)
        #expect(rejects.map(\.row) == [5])
        #expect(rejects.first?.reasons.contains { $0.hasPrefix("phone:") } == true)
        #expect(rejects.first?.reasons.contains { $0.hasPrefix("state:") } == true)
        #expect(progress == [3, 6])
        let stored = try store.read { db in try Lead.fetchAll(db, sql: "SELECT * FROM leads ORDER BY phone") }
        #expect(stored.map(\.phone) == ["+15551234567", "+17025550101", "+17025550102"])
        #expect(stored.map(\.status) == [.new, .ineligible, .new])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM consent_certificates") } == 2)
        #expect(try store.read { db in try String.fetchOne(db, sql: "SELECT actor FROM lead_events LIMIT 1") } == "test")

        // Running the same file again stores nothing new.
        var again = CSVReader(bytes: Array(csv.utf8))
        let second = try await importer.run(&again, tenantID: tenant.id, actor: "test")
        #expect(second.created == 0 && second.duplicate == 5 && second.rejected == 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 3)
    }
}
