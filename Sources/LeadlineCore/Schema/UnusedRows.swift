import GRDB

/// Deleting a configured thing (a buyer, a campaign) only while nothing refers to it: its sales, ledger entries,
/// invoices, leads and deliveries keep naming it, so one with history is paused, never deleted.
enum UnusedRows {
    /// Deletes the tenant's row `id` of `table` unless a row refers to it: through a foreign key (SQLite refuses the
    /// delete), or through one of `unenforced` (`table.column` pairs kept without a foreign key).
    static func delete(_ db: GRDB.Database, table: String, id: String, tenantID: String, unenforced: [(String, String)],
                       what: String) throws {
        for (other, column) in unenforced {
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(other) WHERE \(column) = ?)", arguments: [id]) == true {
                throw refusal(what)
            }
        }
        do {
            try db.execute(sql: "DELETE FROM \(table) WHERE id = ? AND tenant_id = ?", arguments: [id, tenantID])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw refusal(what)
        }
        guard db.changesCount == 1 else { throw CoreError.notFound("\(what) \(id)") }
    }

    static func refusal(_ what: String) -> CoreError {
        .refused(code: "has_history", "the \(what) has history (leads, sales, deliveries or billing); pause it instead")
    }
}
