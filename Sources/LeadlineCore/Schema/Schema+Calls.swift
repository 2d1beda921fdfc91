import GRDB
import Store

extension Schema {
    /// The call side: buyers' phone lines, the dial queue, call attempts with their events, warm transfers, revenue
    /// postbacks, and the switches that stop the dialer.
    static let calls = Migration("0011_calls_transfers_postbacks") { db in
        try db.execute(sql: """
            -- Buyers' phone lines a qualified consumer is warm-transferred to. Hours, caps, price, and which campaigns and
            -- states it takes live in settings (JSON, the API's field names). Deleting one keeps the row for its transfers.
            CREATE TABLE destinations (
                id TEXT PRIMARY KEY NOT NULL,               -- dest_
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                phone TEXT NOT NULL,                        -- E.164
                buyer_id TEXT REFERENCES buyers(id),
                status TEXT NOT NULL,                       -- active, paused
                settings TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                deleted_at TEXT
            );
            CREATE INDEX destinations_by_tenant ON destinations(tenant_id, created_at);

            -- The leads the dialer is to call: one row per lead, waiting for its next attempt, calling, or done (with why).
            CREATE TABLE call_queue (
                lead_id TEXT PRIMARY KEY NOT NULL REFERENCES leads(id),
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                campaign_id TEXT REFERENCES campaigns(id),
                status TEXT NOT NULL,                       -- waiting, calling, done
                attempts INTEGER NOT NULL DEFAULT 0,        -- calls placed (blocked ones are not)
                next_attempt_at TEXT NOT NULL,
                reason TEXT,                                -- why it waits or why it is done
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX call_queue_due ON call_queue(next_attempt_at) WHERE status = 'waiting';
            CREATE INDEX call_queue_by_tenant ON call_queue(tenant_id, status);

            -- Each call the dialer asked for, allowed or not: its state, the gate's decision, and what was said.
            CREATE TABLE call_attempts (
                id TEXT PRIMARY KEY NOT NULL,               -- call_
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                lead_id TEXT NOT NULL REFERENCES leads(id),
                campaign_id TEXT,
                attempt_no INTEGER NOT NULL,
                provider TEXT NOT NULL,                     -- simulator, retell
                provider_call_id TEXT,
                from_number TEXT,
                to_number TEXT NOT NULL,
                status TEXT NOT NULL,                       -- queued … ended, or a terminal outcome
                outcome TEXT,                               -- set when the call is over
                lead_status_before TEXT NOT NULL,           -- where an unanswered call puts the lead back
                compliance TEXT NOT NULL,                   -- JSON: the gate's decision
                outreach_attempt_id TEXT,                   -- att_: the gate's record
                disclosures TEXT,                           -- JSON: the disclosure lines played
                answers TEXT,                               -- JSON: the qualification answers
                transcript TEXT,                            -- JSON [{speaker, text}]
                end_reason TEXT,                            -- the provider's own words
                ring_seconds INTEGER,
                talk_seconds INTEGER,
                created_at TEXT NOT NULL,
                answered_at TEXT,
                ended_at TEXT,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX call_attempts_by_lead ON call_attempts(lead_id, created_at);
            CREATE INDEX call_attempts_by_tenant ON call_attempts(tenant_id, created_at);
            CREATE UNIQUE INDEX call_attempts_by_provider_id ON call_attempts(provider, provider_call_id) WHERE provider_call_id IS NOT NULL;
            -- A lead is never on two calls at once.
            CREATE UNIQUE INDEX call_attempts_one_live_per_lead ON call_attempts(lead_id)
                WHERE status IN ('queued', 'dialing', 'ringing', 'answered', 'qualifying', 'transferring', 'transferred');
            -- Every step of every call.
            CREATE TABLE call_events (
                id INTEGER PRIMARY KEY,
                attempt_id TEXT NOT NULL REFERENCES call_attempts(id),
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT NOT NULL                        -- JSON
            );
            CREATE INDEX call_events_by_attempt ON call_events(attempt_id, id);

            -- Warm transfers: which line, whose, the caller id presented (the consumer's number: what a call platform sees
            -- and echoes back in its postback), times, and the revenue a postback reported.
            CREATE TABLE transfers (
                id TEXT PRIMARY KEY NOT NULL,               -- xfer_
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                lead_id TEXT NOT NULL REFERENCES leads(id),
                attempt_id TEXT NOT NULL REFERENCES call_attempts(id),
                destination_id TEXT NOT NULL REFERENCES destinations(id),
                buyer_id TEXT REFERENCES buyers(id),
                destination_phone TEXT NOT NULL,
                caller_id TEXT NOT NULL,
                status TEXT NOT NULL,                       -- ringing, bridged, failed, ended
                failure TEXT,
                price_cents INTEGER,                        -- what the line said it pays
                started_at TEXT NOT NULL,
                bridged_at TEXT,
                ended_at TEXT,
                duration_seconds INTEGER,                   -- the bridged leg: what a buyer bills on
                revenue_cents INTEGER,                      -- from the matched postback
                postback_id TEXT
            );
            CREATE INDEX transfers_by_caller ON transfers(tenant_id, caller_id, started_at);
            CREATE INDEX transfers_by_tenant ON transfers(tenant_id, started_at);
            CREATE INDEX transfers_by_lead ON transfers(lead_id);
            CREATE INDEX transfers_by_destination ON transfers(destination_id, started_at);
            CREATE INDEX transfers_live ON transfers(destination_id) WHERE status IN ('ringing', 'bridged');

            -- Every revenue postback that carried the tenant's token, matched or waiting for review. A platform's call id
            -- is recorded once; without one, the same hit (same fields) is.
            CREATE TABLE postbacks (
                id TEXT PRIMARY KEY NOT NULL,               -- pb_
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                platform_call_id TEXT,
                echoed_id TEXT,                             -- our transfer or call id, when the platform echoed it
                caller_id TEXT,                             -- E.164 when it reads as a number
                duration_seconds INTEGER,
                buyer_name TEXT,
                revenue_cents INTEGER,
                fingerprint TEXT NOT NULL,
                transfer_id TEXT REFERENCES transfers(id),
                match_method TEXT,                          -- echoed_id, platform_call_id, caller_id, manual
                matched_at TEXT,
                matched_by TEXT,
                fields TEXT NOT NULL,                       -- JSON: every field as received
                received_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX postbacks_by_platform_call ON postbacks(tenant_id, platform_call_id) WHERE platform_call_id IS NOT NULL;
            CREATE UNIQUE INDEX postbacks_by_fingerprint ON postbacks(tenant_id, fingerprint);
            CREATE INDEX postbacks_unmatched ON postbacks(tenant_id, received_at) WHERE transfer_id IS NULL;
            CREATE UNIQUE INDEX transfers_one_postback ON transfers(postback_id) WHERE postback_id IS NOT NULL;

            -- The tenant's revenue postback token: its SHA-256 to find the tenant, and the token sealed to show it again.
            ALTER TABLE tenants ADD COLUMN postback_token_hash TEXT;
            ALTER TABLE tenants ADD COLUMN postback_token BLOB;
            CREATE UNIQUE INDEX tenants_by_postback_token ON tenants(postback_token_hash) WHERE postback_token_hash IS NOT NULL;
            -- How the tenant's dialer calls (JSON; NULL: the defaults), including its own pause switch.
            ALTER TABLE tenants ADD COLUMN call_settings TEXT;

            -- Call revenue a postback reports is charged once per transfer (to the line's buyer, or to `call_platforms`).
            ALTER TABLE ledger_transactions ADD COLUMN transfer_id TEXT REFERENCES transfers(id);
            CREATE UNIQUE INDEX ledger_one_charge_per_transfer ON ledger_transactions(transfer_id) WHERE transfer_id IS NOT NULL;

            -- Switches over the whole server: `dialer` paused stops every tenant's calls (the kill switch).
            CREATE TABLE switches (
                name TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL,
                actor TEXT NOT NULL,
                set_at TEXT NOT NULL
            );
            """)
    }

    /// Calls under way per tenant, counted by the dialer before each batch: a scan of every call ever made held the
    /// writer for a third of a second a poll at a million calls.
    static let liveCallsByTenant = Migration("0012_live_calls_by_tenant") { db in
        try db.execute(sql: """
            CREATE INDEX call_attempts_live_by_tenant ON call_attempts(tenant_id)
                WHERE status IN ('queued', 'dialing', 'ringing', 'answered', 'qualifying', 'transferring', 'transferred');
            """)
    }
}

extension Schema {
    /// `call_queue_by_tenant` served no query (the dialer reads the queue by due time, everything else by lead), and
    /// every lead queued for a call paid for its entry on the single writer: some 4% of an import's writing.
    static let callQueueWithoutTenantIndex = Migration("0019_call_queue_without_tenant_index") { db in
        try db.execute(sql: "DROP INDEX call_queue_by_tenant")
    }
}
