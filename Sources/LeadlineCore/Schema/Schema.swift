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
        Migration("0002_leads_consent_events") { db in
            try db.execute(sql: """
                -- Dedup settings per tenant (a campaign may narrow them later).
                ALTER TABLE tenants ADD COLUMN dedup_window_days INTEGER NOT NULL DEFAULT 30;
                ALTER TABLE tenants ADD COLUMN dedup_by_email INTEGER NOT NULL DEFAULT 0;

                CREATE TABLE leads (
                    id TEXT PRIMARY KEY NOT NULL,               -- UUID
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    phone TEXT NOT NULL,                        -- E.164
                    email TEXT,                                 -- lowercased
                    first_name TEXT,
                    last_name TEXT,
                    state TEXT,
                    zip_code TEXT,
                    source TEXT,
                    campaign_type TEXT,
                    status TEXT NOT NULL,
                    ineligible_reason TEXT,
                    score INTEGER NOT NULL,
                    score_reasons TEXT NOT NULL,                -- JSON [{"rule","points","detail"}]
                    consent_certificate_id TEXT,
                    buyer_id TEXT,
                    sold_price_cents INTEGER,
                    notes TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX leads_by_tenant_time ON leads(tenant_id, created_at DESC, id DESC);
                CREATE INDEX leads_by_phone ON leads(tenant_id, phone, created_at);
                CREATE INDEX leads_by_email ON leads(tenant_id, email, created_at) WHERE email IS NOT NULL;
                CREATE INDEX leads_by_status ON leads(tenant_id, status, created_at);

                -- Every state change of a lead: who, what, when, before and after. Never updated or deleted.
                CREATE TABLE lead_events (
                    id INTEGER PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    lead_id TEXT NOT NULL REFERENCES leads(id),
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT,
                    detail TEXT NOT NULL                        -- JSON
                );
                CREATE INDEX lead_events_by_lead ON lead_events(lead_id, id);
                CREATE TRIGGER lead_events_never_change BEFORE UPDATE ON lead_events
                    BEGIN SELECT RAISE(ABORT, 'lead events are append-only'); END;
                CREATE TRIGGER lead_events_never_go BEFORE DELETE ON lead_events
                    BEGIN SELECT RAISE(ABORT, 'lead events are append-only'); END;

                -- What a consumer was shown and agreed to, hashed and chained per tenant so a later edit shows.
                CREATE TABLE consent_certificates (
                    id TEXT PRIMARY KEY NOT NULL,               -- cert_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    sequence INTEGER NOT NULL,                  -- 1, 2, 3 … per tenant
                    lead_id TEXT REFERENCES leads(id),
                    consent_type TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    mechanism TEXT,
                    consent_text TEXT,
                    consent_text_version TEXT,
                    page_url TEXT,
                    ip_address TEXT,
                    user_agent TEXT,
                    consented_at TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,                         -- sha256 hex of the canonical content and previous_hash
                    revoked_at TEXT,
                    revoked_reason TEXT,
                    UNIQUE (tenant_id, sequence)
                );
                CREATE INDEX consent_by_lead ON consent_certificates(lead_id);
                """)
        },
        Migration("0003_idempotency_keys") { db in
            try db.execute(sql: """
                -- The first answer to a request sent with an Idempotency-Key, replayed to retries for a day.
                CREATE TABLE idempotency_keys (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    content_type TEXT,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, key)
                );
                CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
                """)
        },
        Migration("0004_imports") { db in
            try db.execute(sql: """
                -- CSV imports, uploaded or run from the command line. Progress is updated in the same transaction as each
                -- batch of leads, so a stopped import resumes after its last committed row.
                CREATE TABLE imports (
                    id TEXT PRIMARY KEY NOT NULL,               -- imp_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    origin TEXT NOT NULL,                       -- upload (the server runs it) or file (the command line does)
                    file_name TEXT NOT NULL,                    -- as given, for people
                    path TEXT NOT NULL,                         -- where the rows are read from
                    bytes INTEGER NOT NULL,
                    file_modified_at TEXT,                      -- a file import resumes only over the same file
                    actor TEXT NOT NULL,
                    status TEXT NOT NULL,                       -- queued, running, done, failed
                    rows INTEGER NOT NULL DEFAULT 0,            -- data rows committed (resume after these)
                    bytes_done INTEGER NOT NULL DEFAULT 0,
                    created INTEGER NOT NULL DEFAULT 0,
                    duplicate INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    created_at TEXT NOT NULL,
                    started_at TEXT,
                    finished_at TEXT
                );
                CREATE INDEX imports_by_tenant ON imports(tenant_id, created_at DESC);
                CREATE INDEX imports_unfinished ON imports(status, created_at) WHERE status IN ('queued', 'running');
                CREATE TABLE import_rejects (
                    import_id TEXT NOT NULL REFERENCES imports(id),
                    row INTEGER NOT NULL,                       -- the file's row number, the header being row 1
                    reasons TEXT NOT NULL,                      -- JSON array of "field: reason"
                    PRIMARY KEY (import_id, row)
                ) WITHOUT ROWID;
                """)
        },
        Migration("0005_compliance") { db in
            try db.execute(sql: """
                -- Bulk do-not-call lists (the federal registry, state lists): one row per tenant, list and area code, the
                -- numbers' 7-digit remainders packed as ascending 4-byte little-endian integers.
                CREATE TABLE dnc_blocks (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    list TEXT NOT NULL,                         -- federal, or state:XX
                    npa INTEGER NOT NULL,
                    numbers BLOB NOT NULL,
                    count INTEGER NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, list, npa)
                ) WITHOUT ROWID;
                CREATE TABLE dnc_imports (
                    id TEXT PRIMARY KEY NOT NULL,               -- dnci_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    list TEXT NOT NULL,
                    kind TEXT NOT NULL,                         -- full (replaces the area codes it holds) or changes
                    file_name TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    added INTEGER NOT NULL,
                    deleted INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    area_codes INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX dnc_imports_by_list ON dnc_imports(tenant_id, list, created_at);
                -- The tenant's own list: opt-outs from any channel and numbers added by hand. A removal keeps the row.
                CREATE TABLE dnc_internal (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    phone TEXT NOT NULL,                        -- E.164
                    reason TEXT,
                    channel TEXT NOT NULL,                      -- call, sms, email, api, console, consent_revocation…
                    actor TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    removed_at TEXT,
                    removed_by TEXT,
                    PRIMARY KEY (tenant_id, phone)
                ) WITHOUT ROWID;
                -- Every outreach the gate was asked about, with its decision. Allowed calls and texts count toward caps.
                CREATE TABLE outreach_attempts (
                    id TEXT PRIMARY KEY NOT NULL,               -- att_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    phone TEXT NOT NULL,
                    lead_id TEXT,
                    channel TEXT NOT NULL,
                    subject TEXT,                               -- the campaign type: caps count per subject
                    allowed INTEGER NOT NULL,
                    counted INTEGER NOT NULL,
                    artificial_voice INTEGER NOT NULL,
                    decision TEXT NOT NULL,                     -- JSON: every check with its reasons
                    rules_version TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX outreach_attempts_by_phone ON outreach_attempts(tenant_id, phone, created_at);
                CREATE INDEX outreach_attempts_by_lead ON outreach_attempts(lead_id) WHERE lead_id IS NOT NULL;
                -- Days declared closed to outreach by an operator (a governor's emergency order, say), for one state or all.
                CREATE TABLE compliance_blackouts (
                    id TEXT PRIMARY KEY NOT NULL,               -- blk_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    state TEXT,                                 -- NULL: every state
                    starts_on TEXT NOT NULL,                    -- YYYY-MM-DD, the called party's local date
                    ends_on TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    deleted_at TEXT
                );
                CREATE INDEX compliance_blackouts_by_tenant ON compliance_blackouts(tenant_id, ends_on);
                """)
        },
        Migration("0006_admin_users_and_sessions") { db in
            try db.execute(sql: """
                -- People who use the web console. Operators see every tenant; a tenant's admins and viewers see theirs.
                CREATE TABLE admin_users (
                    id TEXT PRIMARY KEY NOT NULL,               -- usr_
                    email TEXT NOT NULL UNIQUE,                 -- lowercased
                    password_hash TEXT NOT NULL,                -- scrypt$N$r$p$salt$hash
                    role TEXT NOT NULL,                         -- operator, admin, viewer
                    tenant_id TEXT REFERENCES tenants(id),      -- NULL for operators
                    created_at TEXT NOT NULL,
                    password_changed_at TEXT NOT NULL,
                    disabled_at TEXT
                );
                -- Console sessions. The cookie holds a random token; only its SHA-256 is stored.
                CREATE TABLE admin_sessions (
                    id TEXT PRIMARY KEY NOT NULL,               -- SHA-256 of the cookie's token, hex
                    user_id TEXT NOT NULL REFERENCES admin_users(id),
                    csrf_token TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_seen_at TEXT NOT NULL,
                    user_agent TEXT,
                    ip TEXT
                );
                CREATE INDEX admin_sessions_by_user ON admin_sessions(user_id);
                """)
        },
        Migration("0007_campaigns_buyers_sales") { db in
            try db.execute(sql: """
                -- What a tenant sells: a campaign names a lead type, where it sells, its floor, budget and daily limit.
                -- Targeting and limits live in settings (JSON, the API's field names) and are read whole.
                CREATE TABLE campaigns (
                    id TEXT PRIMARY KEY NOT NULL,               -- camp_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    campaign_type TEXT NOT NULL,
                    status TEXT NOT NULL,                       -- active, paused
                    settings TEXT NOT NULL,                     -- JSON
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX campaigns_by_tenant ON campaigns(tenant_id, created_at);
                -- Who buys: filters, price or live bidding, caps, hours and delivery, in settings (JSON). The webhook
                -- secret is sealed (AES-256-GCM) under the key file beside the database.
                CREATE TABLE buyers (
                    id TEXT PRIMARY KEY NOT NULL,               -- buyer_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,                       -- active, paused
                    paused_reason TEXT,
                    settings TEXT NOT NULL,                     -- JSON
                    webhook_secret BLOB,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX buyers_by_tenant ON buyers(tenant_id, created_at);
                -- Each sale of a lead to a buyer, and what became of it. Caps, budgets, metrics and billing count these.
                CREATE TABLE lead_sales (
                    id TEXT PRIMARY KEY NOT NULL,               -- sale_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    lead_id TEXT NOT NULL REFERENCES leads(id),
                    buyer_id TEXT NOT NULL REFERENCES buyers(id),
                    campaign_id TEXT REFERENCES campaigns(id),
                    ping_id TEXT,
                    price_cents INTEGER NOT NULL,
                    exclusivity TEXT NOT NULL,                  -- exclusive, shared
                    status TEXT NOT NULL,                       -- delivered, accepted, rejected, failed, returned
                    reason TEXT,                                -- the buyer's reason for a rejection, or a return's reason code
                    response_ms INTEGER,
                    created_at TEXT NOT NULL,                   -- when sold (caps and budgets count from here)
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX lead_sales_by_buyer ON lead_sales(buyer_id, created_at);
                CREATE INDEX lead_sales_by_campaign ON lead_sales(campaign_id, created_at) WHERE campaign_id IS NOT NULL;
                CREATE INDEX lead_sales_by_lead ON lead_sales(lead_id);
                """)
        },
        Migration("0008_pings_and_outbox") { db in
            try db.execute(sql: """
                -- How a tenant's auctions run when a campaign does not say: the floor, the deadline for bids, and
                -- whether a lead a buyer rejects on post is offered to the next bid.
                ALTER TABLE tenants ADD COLUMN floor_price_cents INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tenants ADD COLUMN auction_deadline_ms INTEGER NOT NULL DEFAULT 1000;
                ALTER TABLE tenants ADD COLUMN try_next_bid INTEGER NOT NULL DEFAULT 1;
                -- Deliveries to a buyer that failed in a row; reset by a success, the buyer is paused at a limit.
                ALTER TABLE buyers ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
                -- The buyer's answer to the post, kept for replay: {"status", "body", "error"}.
                ALTER TABLE lead_sales ADD COLUMN response TEXT;

                -- Every auction: what was pinged (no PII), each buyer's outcome with its request, answer and timing,
                -- and what became of it. A ping is open until sold or unsold by a post, or until expires_at.
                CREATE TABLE pings (
                    id TEXT PRIMARY KEY NOT NULL,               -- ping_
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    campaign_id TEXT REFERENCES campaigns(id),
                    profile TEXT NOT NULL,                      -- JSON {campaign_type, state, zip_code, source, phone_hash}
                    floor_price_cents INTEGER NOT NULL,
                    deadline_ms INTEGER NOT NULL,
                    took_ms INTEGER NOT NULL,
                    outcomes TEXT NOT NULL,                     -- JSON [{buyer_id, outcome, bid_cents, ms, …}], best bid first
                    bids INTEGER NOT NULL,
                    status TEXT NOT NULL,                       -- open, sold, unsold
                    lead_id TEXT,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE INDEX pings_by_tenant ON pings(tenant_id, created_at);
                CREATE INDEX pings_open ON pings(expires_at) WHERE status = 'open';

                -- Webhooks to send, written in the transaction of the change they report, sent and retried by a worker.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    event_id TEXT NOT NULL UNIQUE,              -- evt_, also in the body: receivers drop repeats
                    event TEXT NOT NULL,                        -- lead.delivered, …
                    buyer_id TEXT REFERENCES buyers(id),        -- whose secret signs it and whose failures count
                    url TEXT NOT NULL,
                    body BLOB NOT NULL,                         -- exactly the bytes signed and sent
                    status TEXT NOT NULL,                       -- pending, delivered, failed (gave up)
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT NOT NULL,
                    last_status INTEGER,
                    last_error TEXT,
                    created_at TEXT NOT NULL,
                    delivered_at TEXT
                );
                CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
                CREATE INDEX outbox_by_buyer ON outbox(buyer_id, created_at);
                """)
        },
        Migration("0009_campaign_webhook_secrets") { db in
            try db.execute(sql: """
                -- A campaign's delivery_webhook is signed with its own secret (sealed like a buyer's).
                ALTER TABLE campaigns ADD COLUMN webhook_secret BLOB;
                -- Whose secret signs an outbox row that is not a buyer's.
                ALTER TABLE outbox ADD COLUMN campaign_id TEXT REFERENCES campaigns(id);
                """)
        },
        Migration("0010_ledger_invoices_rollups") { db in
            try db.execute(sql: """
                -- What became of a sale after delivery: accepted (billing final), a return asked for, a return credited.
                -- A return's reason code is kept in `reason`, its notes here.
                ALTER TABLE lead_sales ADD COLUMN accepted_at TEXT;
                ALTER TABLE lead_sales ADD COLUMN return_requested_at TEXT;
                ALTER TABLE lead_sales ADD COLUMN returned_at TEXT;
                ALTER TABLE lead_sales ADD COLUMN return_notes TEXT;
                CREATE INDEX lead_sales_by_tenant ON lead_sales(tenant_id, created_at);

                -- The ledger. Every movement of money is a transaction (a charge, a credit, a refund, a payment) of
                -- entries that sum to zero across accounts: `buyer:<id>` (the buyer's prepaid or credit account),
                -- `revenue`, `refunds`, `promotional_credit`, `tenant` (money the agency received). A positive entry
                -- credits its account, a negative one debits it. Neither table is ever updated or deleted from.
                CREATE TABLE ledger_transactions (
                    id TEXT PRIMARY KEY NOT NULL,               -- bill_ (charge), cred_ (credit), ref_ (refund), pay_ (payment)
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    kind TEXT NOT NULL,                         -- charge, credit, refund, payment
                    buyer_id TEXT REFERENCES buyers(id),
                    lead_id TEXT,
                    sale_id TEXT REFERENCES lead_sales(id),
                    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                    description TEXT NOT NULL,
                    reason TEXT,
                    actor TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX ledger_transactions_by_tenant ON ledger_transactions(tenant_id, created_at, id);
                CREATE INDEX ledger_transactions_by_buyer ON ledger_transactions(buyer_id, created_at, id);
                CREATE INDEX ledger_transactions_by_lead ON ledger_transactions(lead_id) WHERE lead_id IS NOT NULL;
                -- A sale is charged once and credited at most once, however many requests race to do it.
                CREATE UNIQUE INDEX ledger_one_charge_per_sale ON ledger_transactions(sale_id) WHERE kind = 'charge';
                CREATE UNIQUE INDEX ledger_one_credit_per_sale ON ledger_transactions(sale_id) WHERE kind = 'refund';
                CREATE TABLE ledger_entries (
                    id INTEGER PRIMARY KEY,
                    transaction_id TEXT NOT NULL REFERENCES ledger_transactions(id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    account TEXT NOT NULL,
                    amount_cents INTEGER NOT NULL CHECK (amount_cents != 0),
                    created_at TEXT NOT NULL
                );
                CREATE INDEX ledger_entries_by_transaction ON ledger_entries(transaction_id);
                CREATE INDEX ledger_entries_by_account ON ledger_entries(tenant_id, account, created_at);
                CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE ON ledger_transactions
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TRIGGER ledger_transactions_kept BEFORE DELETE ON ledger_transactions
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE ON ledger_entries
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TRIGGER ledger_entries_kept BEFORE DELETE ON ledger_entries
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

                -- Each account's entries summed per UTC day and kind of transaction: derived from the entries by a
                -- trigger in the same transaction, so balances, usage and reports read a few rows instead of every
                -- entry. `leadline verify` sums the entries again and reports any difference.
                CREATE TABLE ledger_daily (
                    tenant_id TEXT NOT NULL,
                    account TEXT NOT NULL,
                    day TEXT NOT NULL,                          -- YYYY-MM-DD (UTC)
                    kind TEXT NOT NULL,
                    amount_cents INTEGER NOT NULL,
                    entries INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, account, day, kind)
                ) WITHOUT ROWID;
                CREATE TRIGGER ledger_daily_add AFTER INSERT ON ledger_entries BEGIN
                    INSERT INTO ledger_daily (tenant_id, account, day, kind, amount_cents, entries)
                    VALUES (NEW.tenant_id, NEW.account, substr(NEW.created_at, 1, 10),
                            (SELECT kind FROM ledger_transactions WHERE id = NEW.transaction_id), NEW.amount_cents, 1)
                    ON CONFLICT (tenant_id, account, day, kind) DO UPDATE SET amount_cents = amount_cents + excluded.amount_cents,
                                                                             entries = entries + 1;
                END;

                -- A buyer's month, closed from the ledger once the month is over: what it was charged, less what was
                -- credited back for returns. Open until paid (a prepaid buyer's is paid from its balance at close).
                CREATE TABLE invoices (
                    id TEXT PRIMARY KEY NOT NULL,               -- inv_<yyyymm>_<buyer>, the same whoever closes it
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    buyer_id TEXT NOT NULL REFERENCES buyers(id),
                    period TEXT NOT NULL,                       -- YYYY-MM (UTC)
                    leads INTEGER NOT NULL,
                    charges_cents INTEGER NOT NULL,
                    credits_cents INTEGER NOT NULL,
                    amount_cents INTEGER NOT NULL,
                    status TEXT NOT NULL,                       -- open, paid
                    paid_at TEXT,
                    payment_id TEXT,
                    created_at TEXT NOT NULL,
                    UNIQUE (buyer_id, period)
                );
                CREATE INDEX invoices_by_tenant ON invoices(tenant_id, period, buyer_id);
                -- The last month closed for each tenant: months up to it have all their invoices.
                ALTER TABLE tenants ADD COLUMN invoiced_through TEXT;

                -- Leads per UTC day of arrival and current status, kept by triggers: reports read days, not leads.
                -- (Since 0018, Lead.insert adds a new lead's count instead of lead_daily_add.)
                CREATE TABLE lead_daily (
                    tenant_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    status TEXT NOT NULL,
                    leads INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, day, status)
                ) WITHOUT ROWID;
                INSERT INTO lead_daily SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads GROUP BY 1, 2, 3;
                CREATE TRIGGER lead_daily_add AFTER INSERT ON leads BEGIN
                    INSERT INTO lead_daily VALUES (NEW.tenant_id, substr(NEW.created_at, 1, 10), NEW.status, 1)
                    ON CONFLICT (tenant_id, day, status) DO UPDATE SET leads = leads + 1;
                END;
                CREATE TRIGGER lead_daily_move AFTER UPDATE OF status ON leads WHEN OLD.status != NEW.status BEGIN
                    UPDATE lead_daily SET leads = leads - 1
                    WHERE tenant_id = OLD.tenant_id AND day = substr(OLD.created_at, 1, 10) AND status = OLD.status;
                    INSERT INTO lead_daily VALUES (NEW.tenant_id, substr(NEW.created_at, 1, 10), NEW.status, 1)
                    ON CONFLICT (tenant_id, day, status) DO UPDATE SET leads = leads + 1;
                END;
                CREATE TRIGGER lead_daily_remove AFTER DELETE ON leads BEGIN
                    UPDATE lead_daily SET leads = leads - 1
                    WHERE tenant_id = OLD.tenant_id AND day = substr(OLD.created_at, 1, 10) AND status = OLD.status;
                END;

                -- Sales per UTC day sold, buyer, campaign ('' for none) and current status, kept by triggers.
                CREATE TABLE sale_daily (
                    tenant_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    buyer_id TEXT NOT NULL,
                    campaign_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    sales INTEGER NOT NULL,
                    cents INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, day, buyer_id, campaign_id, status)
                ) WITHOUT ROWID;
                INSERT INTO sale_daily SELECT tenant_id, substr(created_at, 1, 10), buyer_id, coalesce(campaign_id, ''), status,
                                              count(*), sum(price_cents)
                FROM lead_sales GROUP BY 1, 2, 3, 4, 5;
                CREATE TRIGGER sale_daily_add AFTER INSERT ON lead_sales BEGIN
                    INSERT INTO sale_daily VALUES (NEW.tenant_id, substr(NEW.created_at, 1, 10), NEW.buyer_id,
                                                   coalesce(NEW.campaign_id, ''), NEW.status, 1, NEW.price_cents)
                    ON CONFLICT DO UPDATE SET sales = sales + 1, cents = cents + excluded.cents;
                END;
                CREATE TRIGGER sale_daily_move AFTER UPDATE OF status ON lead_sales WHEN OLD.status != NEW.status BEGIN
                    UPDATE sale_daily SET sales = sales - 1, cents = cents - OLD.price_cents
                    WHERE tenant_id = OLD.tenant_id AND day = substr(OLD.created_at, 1, 10) AND buyer_id = OLD.buyer_id
                      AND campaign_id = coalesce(OLD.campaign_id, '') AND status = OLD.status;
                    INSERT INTO sale_daily VALUES (NEW.tenant_id, substr(NEW.created_at, 1, 10), NEW.buyer_id,
                                                   coalesce(NEW.campaign_id, ''), NEW.status, 1, NEW.price_cents)
                    ON CONFLICT DO UPDATE SET sales = sales + 1, cents = cents + excluded.cents;
                END;

                -- Sales made before the ledger existed are charged (and returned ones credited) as of when they happened.
                INSERT INTO ledger_transactions (id, tenant_id, kind, buyer_id, lead_id, sale_id, amount_cents, description, actor, created_at)
                SELECT 'bill_' || substr(id, 6), tenant_id, 'charge', buyer_id, lead_id, id, price_cents,
                       'Lead #' || substr(lead_id, 1, 8) || ' delivered', 'migration', created_at
                FROM lead_sales WHERE status IN ('delivered', 'accepted', 'returned') AND price_cents > 0;
                INSERT INTO ledger_transactions (id, tenant_id, kind, buyer_id, lead_id, sale_id, amount_cents, description, reason, actor, created_at)
                SELECT 'ref_' || substr(id, 6), tenant_id, 'refund', buyer_id, lead_id, id, price_cents,
                       'Lead #' || substr(lead_id, 1, 8) || ' returned', reason, 'migration', updated_at
                FROM lead_sales WHERE status = 'returned' AND price_cents > 0;
                INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at)
                SELECT id, tenant_id, 'buyer:' || buyer_id, CASE kind WHEN 'charge' THEN -amount_cents ELSE amount_cents END, created_at
                FROM ledger_transactions;
                INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at)
                SELECT id, tenant_id, CASE kind WHEN 'charge' THEN 'revenue' ELSE 'refunds' END,
                       CASE kind WHEN 'charge' THEN amount_cents ELSE -amount_cents END, created_at
                FROM ledger_transactions;
                """)
        },
        calls,
        liveCallsByTenant,
        sequences,
        sendingDomains,
        pendingReturns,
        auditLog,
        importColumns,
        leadDailyCountedByInsert,
        callQueueWithoutTenantIndex,
        leadsByTimeAscending,
    ]
}
