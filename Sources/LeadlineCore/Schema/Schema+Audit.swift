import GRDB
import Store

extension Schema {
    /// What console users did: one row per change they made (never updated, never deleted by the application).
    static let auditLog = Migration("0016_audit_log") { db in
        try db.execute(sql: """
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                user_id TEXT,
                user_email TEXT NOT NULL,
                tenant_id TEXT,                 -- the tenant acted on; NULL for what is not a tenant's (backups, sign-in)
                action TEXT NOT NULL,           -- the route: POST /admin/buyers/{id}/status
                target TEXT,                    -- its parameters: id=buyer_…
                detail TEXT NOT NULL,           -- the form's fields (never secrets or tokens), JSON
                status INTEGER NOT NULL
            );
            CREATE INDEX audit_log_by_time ON audit_log(at, id);
            CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, at, id);
            """)
    }
}
