import GRDB
import Store

/// Leadline's schema, in order. Never edit a migration that has shipped: append the next one.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration("0001_tenants_and_api_keys") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the key, hex; the key itself is never stored
                    scopes TEXT NOT NULL,               -- comma-separated
                    rate_limit_per_minute INTEGER,      -- NULL: the server default; 0: unlimited
                    created_at TEXT NOT NULL,
                    last_used_at TEXT,
                    revoked_at TEXT
                );
                CREATE INDEX api_keys_by_tenant ON api_keys(tenant_id, created_at);
                """)
        },
    ]
}
