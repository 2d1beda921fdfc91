import Foundation
import GRDB
@testable import LeadlineCore
import LeadlineCrypto
import LeadlineTesting
import Store
import Testing

@Suite struct AdminAccessTests {
    final class Fixture: @unchecked Sendable {
        let folder = TemporaryDirectory()
        let store: SQLiteStore
        let clock = ManualClock(Date(timeIntervalSince1970: 1_773_244_800))
        let users: AdminUsers
        let sessions: AdminSessions
        let tenantID: String

        init() throws {
            store = try SQLiteStore(path: folder.file("a.db"), migrations: Schema.migrations)
            users = AdminUsers(store: store, clock: clock, hasher: PasswordHash(n: 1 << 4, r: 8, p: 1))   // cheap for tests
            sessions = AdminSessions(store: store, clock: clock)
            tenantID = try Tenants(store: store, clock: clock).create(name: "acme").id
        }

        deinit { try? store.close() }
    }

    @Test func usersAreCheckedAndPasswordsHashed() throws {
        let f = try Fixture()
        #expect(try f.users.count() == 0)
        let problems: CoreError? = {
            do { _ = try f.users.create(email: "not-an-email", password: "short", role: .admin, tenantID: nil); return nil }
            catch let error as CoreError { return error } catch { return nil }
        }()
        guard case .invalid(let fields) = problems else { Issue.record("expected field problems"); return }
        #expect(Set(fields.map(\.field)) == ["email", "password", "tenant"])

        let user = try f.users.create(email: " Jane@Example.com ", password: "correct horse battery", role: .operator, tenantID: nil)
        #expect(user.email == "jane@example.com" && user.id.hasPrefix("usr_"))
        #expect(throws: CoreError.self) { try f.users.create(email: "jane@example.com", password: "another long one", role: .operator, tenantID: nil) }
        let stored = try f.store.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM admin_users") }
        #expect(stored?.hasPrefix("scrypt$") == true && stored?.contains("correct horse") == false)

        #expect(try f.users.authenticate(email: "JANE@example.com", password: "correct horse battery") == user)
        #expect(try f.users.authenticate(email: "jane@example.com", password: "wrong horse battery") == nil)
        #expect(try f.users.authenticate(email: "nobody@example.com", password: "correct horse battery") == nil)
        let viewer = try f.users.create(email: "v@example.com", password: "viewer password!", role: .viewer, tenantID: f.tenantID)
        #expect(viewer.tenantID == f.tenantID && !viewer.canChange)
    }

    @Test func sessionsExpireWhenIdleOrOldAndEndOnReset() async throws {
        let f = try Fixture()
        let user = try f.users.create(email: "jane@example.com", password: "correct horse battery", role: .operator, tenantID: nil)
        let token = try await f.sessions.start(user, userAgent: "test", ip: "127.0.0.1")
        #expect(token.count == 64)
        let session = try #require(try await f.sessions.resolve(token))
        #expect(session.user == user && session.csrfToken.count == 64)
        #expect(try await f.sessions.resolve(String(repeating: "0", count: 64)) == nil)
        #expect(try await f.sessions.resolve("short") == nil)
        // Only the token's hash is stored.
        #expect(try f.store.read { db in try String.fetchOne(db, sql: "SELECT id FROM admin_sessions") } != token)

        // Activity keeps a session alive past the idle timeout, up to its maximum age.
        for _ in 0..<20 {
            f.clock.advance(by: 20 * 60)
            #expect(try await f.sessions.resolve(token) != nil)
        }   // 6 h 40 min
        f.clock.advance(by: 31 * 60)
        #expect(try await f.sessions.resolve(token) == nil, "idle for 31 minutes")

        let second = try await f.sessions.start(user, userAgent: nil, ip: nil)
        for _ in 0..<37 { f.clock.advance(by: 20 * 60); _ = try await f.sessions.resolve(second) }   // 12 h 20 min
        #expect(try await f.sessions.resolve(second) == nil, "older than 12 hours")

        let third = try await f.sessions.start(user, userAgent: nil, ip: nil)
        _ = try f.users.resetPassword(email: "jane@example.com", to: "a brand new password")
        #expect(try await f.sessions.resolve(third) == nil, "a password reset ends every session")
        #expect(try f.users.authenticate(email: "jane@example.com", password: "a brand new password") != nil)

        let fourth = try await f.sessions.start(user, userAgent: nil, ip: nil)
        try await f.sessions.endAll(userID: user.id)
        #expect(try await f.sessions.resolve(fourth) == nil)
    }

    @Test func repeatedFailuresLockAnEmailAndAnAddressForFifteenMinutes() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_773_244_800))
        let throttle = LoginThrottle(clock: clock)
        for _ in 0..<5 {
            #expect(throttle.wait(email: "jane@example.com", ip: "10.0.0.1") == nil)
            throttle.failed(email: "jane@example.com", ip: "10.0.0.1")
        }
        #expect(throttle.wait(email: "JANE@example.com", ip: "10.0.0.9") == 900)
        #expect(throttle.wait(email: "other@example.com", ip: "10.0.0.1") == 900, "the address is locked too")
        #expect(throttle.wait(email: "other@example.com", ip: "10.0.0.2") == nil)
        clock.advance(by: 15 * 60)
        #expect(throttle.wait(email: "jane@example.com", ip: "10.0.0.1") == nil)
    }
}
