import Foundation
import GRDB
@testable import LeadlineCore
import LeadlineTesting
import Store
import Testing

@Suite struct ConsentChainTests {
    @Test func editingACertificateOrBreakingTheChainIsDetected() async throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("c.db"), migrations: Schema.migrations)
        defer { try? store.close() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
        let tenant = try Tenants(store: store, clock: clock).create(name: "acme")
        let leads = Leads(store: store, clock: clock)
        var certificates: [String] = []
        for i in 0..<4 {
            let outcome = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "70255512\(10 + i)",
                consent: ConsentInput(text: "I agree to be contacted", pageURL: "https://example.com/q", ipAddress: "203.0.113.4")),
                options: .init(actor: "test"))
            certificates.append(try #require(outcome.lead.consentCertificateID))
        }
        func verdict(_ id: String) throws -> ConsentChain.Verdict {
            try store.read { db in
                let certificate = try #require(try ConsentCertificate.fetchOne(db, key: id))
                return try ConsentChain.verify(certificate, db)
            }
        }
        for id in certificates { #expect(try verdict(id) == .valid) }
        let stored = try store.read { db in try ConsentCertificate.fetchAll(db, sql: "SELECT * FROM consent_certificates ORDER BY sequence") }
        #expect(stored.map(\.sequence) == [1, 2, 3, 4])
        #expect(stored[0].previousHash == ConsentCertificate.genesisHash)
        #expect(zip(stored.dropFirst(), stored).allSatisfy { $0.previousHash == $1.hash })

        // Someone edits what the second consumer was shown.
        try store.writeNow { db in
            try db.execute(sql: "UPDATE consent_certificates SET consent_text = 'I agree to anything' WHERE id = ?", arguments: [certificates[1]])
        }
        #expect(try verdict(certificates[0]) == .valid)
        guard case .tampered = try verdict(certificates[1]) else { Issue.record("an edited certificate must not verify"); return }
        guard case .tampered = try verdict(certificates[3]) else { Issue.record("later certificates rest on the edited one"); return }

        // Editing the hash too does not help: the next link no longer points at it.
        try store.writeNow { db in
            let edited = try #require(try ConsentCertificate.fetchOne(db, key: certificates[1]))
            try db.execute(sql: "UPDATE consent_certificates SET hash = ? WHERE id = ?", arguments: [edited.computedHash, edited.id])
        }
        #expect(try verdict(certificates[1]) == .valid, "the edited certificate alone now looks consistent…")
        guard case .tampered(let why) = try verdict(certificates[2]) else { Issue.record("…but the chain after it breaks"); return }
        #expect(why.contains("chain is broken"))
    }
}
