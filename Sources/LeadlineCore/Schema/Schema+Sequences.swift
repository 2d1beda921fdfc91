import GRDB
import Store

extension Schema {
    /// Outreach sequences: message templates, sequences of timed steps (SMS, email, a call), the leads enrolled in
    /// them, and every step's send, recorded once (the unique send per enrollment and step is what keeps a step from
    /// ever being sent twice, even across a crash).
    static let sequences = Migration("0013_sequences") { db in
        try db.execute(sql: """
            CREATE TABLE message_templates (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
                subject TEXT,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL,
                deleted_at TEXT
            );
            CREATE INDEX message_templates_by_tenant ON message_templates(tenant_id, created_at);
            CREATE TABLE sequences (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                -- The steps, JSON: [{"channel", "delay_minutes", "template" | "template_id", "subject"}].
                steps TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX sequences_by_tenant ON sequences(tenant_id, created_at);
            CREATE TABLE sequence_enrollments (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                sequence_id TEXT NOT NULL REFERENCES sequences(id),
                lead_id TEXT NOT NULL REFERENCES leads(id),
                -- active: steps left; completed: every step ran; converted: the lead was transferred or sold;
                -- removed: taken out by hand; stopped: consent, do-not-call or an opt-out ended it.
                status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'converted', 'removed', 'stopped')),
                next_step INTEGER NOT NULL DEFAULT 0,
                next_step_at TEXT,
                reason TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX sequence_enrollments_one_active ON sequence_enrollments(sequence_id, lead_id) WHERE status = 'active';
            CREATE INDEX sequence_enrollments_due ON sequence_enrollments(next_step_at) WHERE status = 'active';
            CREATE INDEX sequence_enrollments_by_sequence ON sequence_enrollments(sequence_id, created_at);
            CREATE INDEX sequence_enrollments_by_lead ON sequence_enrollments(lead_id);
            CREATE TABLE sequence_sends (
                id INTEGER PRIMARY KEY,
                enrollment_id TEXT NOT NULL REFERENCES sequence_enrollments(id),
                step INTEGER NOT NULL,
                channel TEXT NOT NULL,
                -- sending: claimed (a crash here leaves it, and it is never sent again); sent; failed; queued (a call
                -- handed to the dialer).
                status TEXT NOT NULL,
                recipient TEXT,
                subject TEXT,
                body TEXT,
                outreach_attempt_id TEXT,
                provider_message_id TEXT,
                error TEXT,
                at TEXT NOT NULL,
                UNIQUE (enrollment_id, step)
            );
            CREATE INDEX sequence_sends_in_flight ON sequence_sends(enrollment_id) WHERE status = 'sending';
            """)
    }
}
