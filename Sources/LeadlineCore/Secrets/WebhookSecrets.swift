import Foundation
import GRDB

/// The webhook secrets of buyers and campaigns: a `webhook_secret` column of sealed bytes in their table, bound to the
/// row's id, set or cleared through the API's `webhook_secret` field and never returned.
struct WebhookSecrets: Sendable {
    let secrets: StoredSecrets
    /// `buyers` or `campaigns`.
    let table: String

    static func context(_ id: String) -> String { "\(id):webhook_secret" }

    /// A secret as a caller may set it: 1 to 512 characters.
    static func check(_ patch: Patch<String>, into checks: inout FieldChecks) {
        if case .value(let secret) = patch, secret.isEmpty || secret.count > 512 {
            checks.fail("webhook_secret", "must be 1 to 512 characters")
        }
    }

    func seal(_ secret: String, id: String) -> Data { Data(secrets.seal(secret, context: Self.context(id))) }

    func open(_ sealed: Data?, id: String) throws -> String? {
        try sealed.map { try secrets.open(Array($0), context: Self.context(id)) }
    }

    /// Sets or clears the row's secret as the patch says; returns whether it has one now (nil: left as it was).
    func store(_ patch: Patch<String>, id: String, _ db: GRDB.Database) throws -> Bool? {
        switch patch {
        case .value(let secret):
            try db.execute(sql: "UPDATE \(table) SET webhook_secret = ? WHERE id = ?", arguments: [seal(secret, id: id), id])
            return true
        case .null:
            try db.execute(sql: "UPDATE \(table) SET webhook_secret = NULL WHERE id = ?", arguments: [id])
            return false
        case .absent:
            return nil
        }
    }

    /// The row's secret, opened; nil when it has none.
    func secret(id: String, tenantID: String, _ db: GRDB.Database) throws -> String? {
        let sealed = try Data?.fetchOne(db, sql: "SELECT webhook_secret FROM \(table) WHERE id = ? AND tenant_id = ?", arguments: [id, tenantID]) ?? nil
        return try open(sealed, id: id)
    }
}
