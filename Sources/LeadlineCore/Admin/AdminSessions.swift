import Foundation
import GRDB
import LeadlineCrypto
import Store
import Synchronization

/// Console sessions, kept in the database so they survive a restart and can all be ended at once. The browser holds
/// a random token in an HttpOnly cookie; the database holds only its SHA-256. A session ends after 30 idle minutes,
/// 12 hours after sign-in, at logout, or when the user's password is reset.
public final class AdminSessions: Sendable {
    public struct Session: Sendable, Equatable {
        public let user: AdminUser
        /// Put in every form the session renders; a POST without it is refused.
        public let csrfToken: String
        public let createdAt: Date
    }

    public static let idleTimeout: TimeInterval = 30 * 60
    public static let maximumAge: TimeInterval = 12 * 3600

    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    static func id(of token: String) -> String { Digest.sha256(Array(token.utf8)).hex }

    /// Signs the user in; returns the cookie's token.
    public func start(_ user: AdminUser, userAgent: String?, ip: String?) async throws -> String {
        let token = SecureRandom.bytes(32).hex
        let csrf = SecureRandom.bytes(32).hex
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO admin_sessions (id, user_id, csrf_token, created_at, last_seen_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.id(of: token), user.id, csrf, stamp, stamp, userAgent.map { String($0.prefix(300)) }, ip])
        }
        return token
    }

    /// The live session for a cookie's token, or nil. Seeing a session more than a minute after its last sighting
    /// records the time (the idle timeout counts from there).
    public func resolve(_ token: String) async throws -> Session? {
        guard token.utf8.count == 64 else { return nil }
        let id = Self.id(of: token)
        let now = clock.now
        let row = try store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.csrf_token, s.created_at, s.last_seen_at, u.id, u.email, u.role, u.tenant_id, u.created_at AS user_created_at, u.disabled_at
                FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id WHERE s.id = ?
                """, arguments: [id])
        }
        guard let row, let created = Timestamp.parse(row["created_at"]), let seen = Timestamp.parse(row["last_seen_at"]),
              row["disabled_at"] as String? == nil, let role = AdminRole(rawValue: row["role"]) else { return nil }
        guard now.timeIntervalSince(seen) < Self.idleTimeout, now.timeIntervalSince(created) < Self.maximumAge else {
            try await end(token)
            return nil
        }
        if now.timeIntervalSince(seen) > 60 {
            let stamp = Timestamp.format(now)
            try await store.write { db in try db.execute(sql: "UPDATE admin_sessions SET last_seen_at = ? WHERE id = ?", arguments: [stamp, id]) }
        }
        let user = AdminUser(id: row["id"], email: row["email"], role: role, tenantID: row["tenant_id"], createdAt: row["user_created_at"],
                             disabledAt: nil)
        return Session(user: user, csrfToken: row["csrf_token"], createdAt: created)
    }

    public func end(_ token: String) async throws {
        let id = Self.id(of: token)
        try await store.write { db in try db.execute(sql: "DELETE FROM admin_sessions WHERE id = ?", arguments: [id]) }
    }

    /// Logout everywhere.
    public func endAll(userID: String) async throws {
        try await store.write { db in try db.execute(sql: "DELETE FROM admin_sessions WHERE user_id = ?", arguments: [userID]) }
    }
}

/// Slows password guessing: after 5 failed sign-ins for an email or from an address within 15 minutes, further
/// attempts for it are refused until the oldest failure is 15 minutes old. Kept in memory (a restart forgets it).
public final class LoginThrottle: Sendable {
    public static let limit = 5
    public static let window: TimeInterval = 15 * 60

    let clock: any Clock
    private let failures = Mutex<[String: [Date]]>([:])

    public init(clock: any Clock) { self.clock = clock }

    /// Seconds to wait before trying again, or nil when an attempt is allowed.
    public func wait(email: String, ip: String?) -> Int? {
        let now = clock.now
        return failures.withLock { table in
            var longest: TimeInterval = 0
            for key in Self.keys(email: email, ip: ip) {
                let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= Self.limit { longest = max(longest, Self.window - now.timeIntervalSince(recent[0])) }
            }
            return longest > 0 ? Int(longest.rounded(.up)) : nil
        }
    }

    public func failed(email: String, ip: String?) {
        let now = clock.now
        failures.withLock { table in
            for key in Self.keys(email: email, ip: ip) { table[key, default: []].append(now) }
        }
    }

    public func succeeded(email: String) {
        _ = failures.withLock { $0.removeValue(forKey: "email:" + email.trimmingSpaces.lowercased()) }
    }

    static func keys(email: String, ip: String?) -> [String] {
        ["email:" + email.trimmingSpaces.lowercased()] + (ip.map { ["ip:" + $0] } ?? [])
    }
}
