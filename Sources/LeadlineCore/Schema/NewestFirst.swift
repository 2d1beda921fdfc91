import GRDB

/// A page of a newest-first list read by key (`created_at DESC, id DESC`, an index on the tenant and `created_at`
/// behind it): the rows after `cursor`, and the cursor of the next page when there is one. Fast at any depth,
/// unlike `OFFSET`.
enum NewestFirst {
    static func page<Item>(_ db: GRDB.Database, table: String, tenantID: String, after cursor: TimeCursor?, limit: Int,
                           read: (Row) throws -> Item, position: (Item) -> TimeCursor) throws -> (items: [Item], next: TimeCursor?) {
        var sql = "SELECT * FROM \(table) WHERE tenant_id = ?"
        var arguments: [any DatabaseValueConvertible] = [tenantID]
        if let cursor {
            sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            arguments += [cursor.createdAt, cursor.createdAt, cursor.id]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments + [limit + 1])).map(read)
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last.map(position) : nil)
    }
}
