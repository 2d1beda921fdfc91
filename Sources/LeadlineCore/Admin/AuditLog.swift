import Foundation
import GRDB
import Store

/// Every change a console user makes, kept for review: who, when, on which tenant, what (the route and its form's
/// fields; passwords, tokens and CSRF tokens are never kept).
public struct AuditLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: Int64?
        public var at: String
        public var userEmail: String
        public var tenantID: String?
        public var action: String
        public var target: String?
        public var detail: [String: String]
        public var status: Int
    }

    /// Form fields whose values are never written down.
    static let secretFields: Set<String> = ["_csrf", "password", "token", "webhook_secret", "confirm"]

    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public func record(user: AdminUser?, email: String, tenantID: String?, action: String, target: String?,
                       fields: [(name: String, value: String)], status: Int) async throws {
        var detail = CanonicalJSON()
        for (name, value) in fields where !name.isEmpty {
            detail.add(name, Self.secretFields.contains(name) ? "(not kept)" : String(value.prefix(200)))
        }
        let stamp = Timestamp.format(clock.now), text = detail.string
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO audit_log (at, user_id, user_email, tenant_id, action, target, detail, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [stamp, user?.id, String(email.prefix(320)), tenantID, action, target, text, status])
        }
    }

    /// Newest first; `tenantID` nil: every tenant's and what was no tenant's. `before`: the last id of the page before.
    public func entries(tenantID: String?, limit: Int, before: Int64?) throws -> [Entry] {
        try store.read { db in
            let scope = tenantID == nil ? "1" : "tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = tenantID.map { [$0] } ?? []
            var sql = "SELECT id, at, user_email, tenant_id, action, target, detail, status FROM audit_log WHERE \(scope)"
            if let before {
                sql += " AND id < ?"
                arguments.append(before)
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Entry(id: row[0], at: row[1], userEmail: row[2], tenantID: row[3], action: row[4], target: row[5],
                      detail: StoredJSON.decode([String: String].self, row[6]) ?? [:], status: row[7])
            }
        }
    }
}
