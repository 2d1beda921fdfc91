import GRDB
import Store

extension Schema {
    /// Sending domains: each with its DKIM key pair (the private key sealed) and what the last DNS check found.
    static let sendingDomains = Migration("0014_sending_domains") { db in
        try db.execute(sql: """
            CREATE TABLE sending_domains (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                domain TEXT NOT NULL,
                dkim_selector TEXT NOT NULL,
                dkim_public_key TEXT NOT NULL,      -- base64 SubjectPublicKeyInfo, as the DKIM record's p= carries it
                dkim_private_key BLOB NOT NULL,     -- sealed (AES-256-GCM with the server's key)
                status TEXT NOT NULL CHECK (status IN ('pending_verification', 'verified', 'failed')),
                spf_valid INTEGER NOT NULL DEFAULT 0,
                dkim_valid INTEGER NOT NULL DEFAULT 0,
                dmarc_valid INTEGER NOT NULL DEFAULT 0,
                problems TEXT,                      -- JSON: what the last check found wrong, record by record
                checked_at TEXT,
                verified_at TEXT,
                created_at TEXT NOT NULL,
                deleted_at TEXT
            );
            -- A domain is registered once, by one tenant.
            CREATE UNIQUE INDEX sending_domains_unique ON sending_domains(domain) WHERE deleted_at IS NULL;
            CREATE INDEX sending_domains_by_tenant ON sending_domains(tenant_id, created_at);
            """)
    }
}
