import Foundation
import GRDB
import LeadlineCore
import LeadlineCrypto
import LeadlineTesting
import Store
import Testing

@Suite struct APIKeysTests {
    let folder = TemporaryDirectory()
    let store: SQLiteStore
    let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
    let tenants: Tenants
    let keys: APIKeys

    init() throws {
        store = try SQLiteStore(path: folder.file("k.db"), migrations: Schema.migrations)
        tenants = Tenants(store: store, clock: clock)
        keys = APIKeys(store: store, clock: clock)
    }

    @Test func keyIsShownOnceAndStoredOnlyAsAHash() throws {
        let tenant = try tenants.create(name: "acme")
        let issued = try keys.create(.init(tenantID: tenant.id, name: "publisher", scopes: [.write, .read]))
        #expect(issued.token.hasPrefix("ll_"))
        #expect(issued.token.count == 43)
        #expect(issued.key.prefix == String(issued.token.prefix(11)))
        #expect(issued.key.scopes == "read,write")
        let stored = try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys") }
        #expect(stored.count == 1)
        let everything = stored.map { "\($0)" }.joined()
        #expect(!everything.contains(issued.token))
        #expect(stored[0]["hash"] as String == Digest.sha256(issued.token).hex)
    }

    @Test func checkTellsValidMalformedUnknownAndRevoked() throws {
        let tenant = try tenants.create(name: "acme")
        let issued = try keys.create(.init(tenantID: tenant.id, name: "", scopes: [.admin], rateLimitPerMinute: 7))
        guard case .valid(let caller) = try keys.check(issued.token) else { Issue.record("expected valid"); return }
        #expect(caller.tenantName == "acme")
        #expect(caller.rateLimitPerMinute == 7)
        #expect(caller.has(.read) && caller.has(.write) && caller.has(.compliance))

        #expect(try keys.check("nonsense") == .malformed)
        #expect(try keys.check("ll_" + String(repeating: "!", count: 40)) == .malformed)
        #expect(try keys.check("ll_" + String(repeating: "a", count: 40)) == .unknown)
        try keys.revoke(id: issued.key.id)
        #expect(try keys.check(issued.token) == .revoked)
    }

    @Test func scopesAreIndependentButAdminHasAll() throws {
        let tenant = try tenants.create(name: "acme")
        let writer = try keys.create(.init(tenantID: tenant.id, name: "", scopes: [.write]))
        guard case .valid(let caller) = try keys.check(writer.token) else { Issue.record("expected valid"); return }
        #expect(caller.has(.write))
        #expect(!caller.has(.read))
        #expect(!caller.has(.admin))
        #expect(caller.rateLimitPerMinute == APIKeys.defaultRateLimitPerMinute)
    }

    @Test func revokeWithinATenantCannotTouchAnotherTenantsKey() throws {
        let a = try tenants.create(name: "a")
        let b = try tenants.create(name: "b")
        let keyOfB = try keys.create(.init(tenantID: b.id, name: "", scopes: [.read]))
        #expect(throws: CoreError.notFound("API key \(keyOfB.key.id)")) { try keys.revoke(id: keyOfB.key.id, tenantID: a.id) }
        #expect(try keys.list(tenantID: a.id).isEmpty)
        #expect(try keys.list(tenantID: b.id).map(\.id) == [keyOfB.key.id])
    }

    @Test func lastUsedIsRecordedAtMostOncePerMinute() async throws {
        let tenant = try tenants.create(name: "acme")
        let issued = try await keys.create(.init(tenantID: tenant.id, name: "", scopes: [.read]))
        _ = try keys.check(issued.token)
        func lastUsed() throws -> String? { try store.read { db in try String.fetchOne(db, sql: "SELECT last_used_at FROM api_keys") } }
        var waited = 0
        while try lastUsed() == nil && waited < 500 { try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        #expect(try lastUsed() == Timestamp.format(clock.now))
    }

    @Test func validation() throws {
        let tenant = try tenants.create(name: "acme")
        #expect(throws: CoreError.self) { try keys.create(.init(tenantID: tenant.id, name: "", scopes: [])) }
        #expect(throws: CoreError.self) { try keys.create(.init(tenantID: tenant.id, name: "", scopes: [.read], rateLimitPerMinute: -1)) }
        #expect(throws: CoreError.notFound("tenant ten_missing")) { try keys.create(.init(tenantID: "ten_missing", name: "", scopes: [.read])) }
        #expect(throws: CoreError.self) { try Scope.parseList("read,bogus") }
        #expect(try Scope.parseList(" write , read,read") == [.read, .write])
        #expect(throws: CoreError.conflict("a tenant named 'acme' already exists")) { try tenants.create(name: "acme") }
        #expect(throws: CoreError.self) { try tenants.create(name: "") }
    }
}
