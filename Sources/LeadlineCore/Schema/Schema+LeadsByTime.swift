import GRDB
import Store

extension Schema {
    /// `leads_by_tenant_time` was kept newest first (`created_at DESC, id DESC`): every new lead went in at the front
    /// of its tenant's entries, where SQLite cannot append to a page, so a page that filled was split and rebalanced
    /// with its neighbours (4–5 pages of this index written by each intake commit, against 1–2 for the indexes that
    /// grow at their end). SQLite reads an index backwards as readily, so newest-first lists still read it in order.
    static let leadsByTimeAscending = Migration("0020_leads_by_tenant_time_ascending") { db in
        try db.execute(sql: """
            DROP INDEX leads_by_tenant_time;
            CREATE INDEX leads_by_tenant_time ON leads(tenant_id, created_at, id);
            """)
    }
}
