import GRDB
import Store

extension Schema {
    /// Returns awaiting an admin's review, found without reading a tenant's every sale.
    static let pendingReturns = Migration("0015_pending_returns") { db in
        try db.execute(sql: """
            CREATE INDEX lead_sales_return_pending ON lead_sales(tenant_id, return_requested_at)
            WHERE return_requested_at IS NOT NULL AND status != 'returned';
            """)
    }
}
