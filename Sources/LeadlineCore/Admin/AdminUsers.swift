import Foundation
import GRDB
import LeadlineCrypto
import Store
import Synchronization

/// What a console user may do. Operators run the whole installation; a tenant's admins run that tenant; viewers
/// look without changing anything.
public enum AdminRole: String, Sendable, Codable, CaseIterable {
    case `operator`, admin, viewer
}

public struct AdminUser: Sendable, Equatable, Codable, FetchableRecord {
    public let id: String
    public let email: String
    public let role: AdminRole
    /// nil for operators.
    public let tenantID: String?
    public let createdAt: String
    public let disabledAt: String?

    enum CodingKeys: String, CodingKey {
        case id, email, role
        case tenantID = "tenant_id", createdAt = "created_at", disabledAt = "disabled_at"
    }

    public var canChange: Bool { role != .viewer }
}

/// The console's users: created on first run or with `leadline admin create`, passwords hashed with scrypt.
public final class AdminUsers: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    let hasher: PasswordHash
    /// Checked against on a failed lookup so an unknown email takes as long as a wrong password; made on first need.
    private let decoy = Mutex<String?>(nil)

    public static let minimumPasswordLength = 12

    public init(store: SQLiteStore, clock: any Clock, hasher: PasswordHash = PasswordHash()) {
        self.store = store
        self.clock = clock
        self.hasher = hasher
    }

    public func count() throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM admin_users WHERE disabled_at IS NULL") ?? 0 }
    }

    static func checkPassword(_ password: String, into problems: inout [CoreError.FieldProblem]) {
        if password.count < minimumPasswordLength {
            problems.append(.init("password", "must be at least \(minimumPasswordLength) characters"))
        } else if password.utf8.count > 1024 {
            problems.append(.init("password", "must be at most 1024 bytes"))
        }
    }

    public func create(email: String, password: String, role: AdminRole, tenantID: String?) throws -> AdminUser {
        var problems: [CoreError.FieldProblem] = []
        let email = email.trimmingSpaces.lowercased()
        if !LeadInput.looksLikeEmail(email) { problems.append(.init("email", "must be an email address like name@example.com")) }
        Self.checkPassword(password, into: &problems)
        if role == .operator && tenantID != nil { problems.append(.init("tenant", "an operator belongs to no tenant (operators see them all)")) }
        if role != .operator && tenantID == nil { problems.append(.init("tenant", "a tenant admin or viewer needs a tenant")) }
        guard problems.isEmpty else { throw CoreError.invalid(problems) }
        let stamp = Timestamp.format(clock.now)
        let user = AdminUser(id: Identifier.make("usr"), email: email, role: role, tenantID: tenantID, createdAt: stamp, disabledAt: nil)
        let hash = hasher.hash(password)
        try store.writeNow { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM admin_users WHERE email = ?", arguments: [email]) == true {
                throw CoreError.conflict("a console user with email \(email) already exists")
            }
            try db.execute(sql: """
                INSERT INTO admin_users (id, email, password_hash, role, tenant_id, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [user.id, email, hash, role.rawValue, tenantID, stamp, stamp])
        }
        return user
    }

    /// The user whose email and password these are; nil for anything else (unknown, wrong, disabled), in about
    /// the same time either way.
    public func authenticate(email: String, password: String) throws -> AdminUser? {
        let email = email.trimmingSpaces.lowercased()
        let row = try store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, email, role, tenant_id, created_at, disabled_at, password_hash FROM admin_users WHERE email = ?
                """, arguments: [email])
        }
        guard let row, password.utf8.count <= 1024 else {
            let decoy = self.decoy.withLock { stored -> String in
                if let stored { return stored }
                let made = hasher.hash(SecureRandom.bytes(16).hex)
                stored = made
                return made
            }
            _ = PasswordHash.verify(password, against: decoy)
            return nil
        }
        guard PasswordHash.verify(password, against: row["password_hash"]) else { return nil }
        let user = try AdminUser(row: row)
        return user.disabledAt == nil ? user : nil
    }

    public func find(id: String) throws -> AdminUser? {
        try store.read { db in
            try AdminUser.fetchOne(db, sql: "SELECT id, email, role, tenant_id, created_at, disabled_at FROM admin_users WHERE id = ?",
                                   arguments: [id])
        }
    }

    public func find(email: String) throws -> AdminUser? {
        try store.read { db in
            try AdminUser.fetchOne(db, sql: "SELECT id, email, role, tenant_id, created_at, disabled_at FROM admin_users WHERE email = ?",
                                   arguments: [email.trimmingSpaces.lowercased()])
        }
    }

    /// Sets a new password and ends every session of the user (recovery: `leadline admin reset-password`).
    public func resetPassword(email: String, to password: String) throws -> AdminUser {
        var problems: [CoreError.FieldProblem] = []
        Self.checkPassword(password, into: &problems)
        guard problems.isEmpty else { throw CoreError.invalid(problems) }
        guard let user = try find(email: email) else { throw CoreError.notFound("console user \(email)") }
        let hash = hasher.hash(password)
        let stamp = Timestamp.format(clock.now)
        try store.writeNow { db in
            try db.execute(sql: "UPDATE admin_users SET password_hash = ?, password_changed_at = ?, disabled_at = NULL WHERE id = ?",
                           arguments: [hash, stamp, user.id])
            try db.execute(sql: "DELETE FROM admin_sessions WHERE user_id = ?", arguments: [user.id])
        }
        return user
    }
}
