import Foundation
import GRDB
import Store

/// A tenant's outreach sequences and message templates, and the leads enrolled in them. The steps themselves are
/// run by `SequenceRunner`.
public struct Sequences: Sendable {
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    // MARK: Templates

    public struct TemplateInput: Decodable, Sendable {
        public var name: String?
        public var channel: String?
        public var subject: String?
        public var body: String?

        public init(name: String?, channel: String?, subject: String?, body: String?) {
            self.name = name; self.channel = channel; self.subject = subject; self.body = body
        }
    }

    public func createTemplate(tenantID: String, _ input: TemplateInput) async throws -> MessageTemplate {
        var checks = FieldChecks()
        let name = checks.text(input.name, "name", max: 200)
        if name == nil { checks.fail("name", "is required") }
        let channel = input.channel.flatMap(StepChannel.init(rawValue:))
        if channel == nil || channel == .call { checks.fail("channel", "must be sms or email") }
        let body = checks.text(input.body, "body", max: channel == .sms ? 1600 : 100_000)
        if body == nil { checks.fail("body", "is required") }
        let subject = checks.text(input.subject, "subject", max: 300)
        if channel == .email && subject == nil { checks.fail("subject", "an email template needs a subject") }
        guard checks.problems.isEmpty, let name, let channel, let body else { throw CoreError.invalid(checks.problems) }
        let now = clock.now, id = Identifier.sortable("tpl", at: now)
        return try await store.write { db in
            try db.execute(sql: """
                INSERT INTO message_templates (id, tenant_id, name, channel, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, tenantID, name, channel.rawValue, subject, body, Timestamp.format(now)])
            return try Self.template(db, tenantID: tenantID, id: id)
        }
    }

    public func templates(tenantID: String) throws -> [MessageTemplate] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_templates WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
                             arguments: [tenantID]).map(MessageTemplate.init)
        }
    }

    public func template(tenantID: String, id: String) throws -> MessageTemplate {
        try store.read { db in try Self.template(db, tenantID: tenantID, id: id) }
    }

    /// Takes a template out of use; sequences that name it refuse to be created, and their steps fail as sent.
    public func deleteTemplate(tenantID: String, id: String) async throws {
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            try db.execute(sql: "UPDATE message_templates SET deleted_at = ? WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
                           arguments: [stamp, id, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("template \(id)") }
        }
    }

    static func template(_ db: GRDB.Database, tenantID: String, id: String) throws -> MessageTemplate {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM message_templates WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
                                         arguments: [id, tenantID]) else { throw CoreError.notFound("template \(id)") }
        return MessageTemplate(row: row)
    }

    // MARK: Sequences

    public func create(tenantID: String, _ input: SequenceInput) async throws -> OutreachSequence {
        let checked = try store.read { db in
            try input.checked { id in try? Self.template(db, tenantID: tenantID, id: id).channel }
        }
        let now = clock.now, stamp = Timestamp.format(now), id = Identifier.sortable("seq", at: now)
        let steps = try StoredJSON.text(checked.steps)
        return try await store.write { db in
            try db.execute(sql: """
                INSERT INTO sequences (id, tenant_id, name, steps, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)
                """, arguments: [id, tenantID, checked.name, steps, stamp, stamp])
            return try Self.sequence(db, tenantID: tenantID, id: id)
        }
    }

    public func all(tenantID: String) throws -> [OutreachSequence] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sequences WHERE tenant_id = ? ORDER BY created_at DESC, id DESC", arguments: [tenantID])
                .map(OutreachSequence.init)
        }
    }

    public func sequence(tenantID: String, id: String) throws -> OutreachSequence {
        try store.read { db in try Self.sequence(db, tenantID: tenantID, id: id) }
    }

    static func sequence(_ db: GRDB.Database, tenantID: String, id: String) throws -> OutreachSequence {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sequences WHERE id = ? AND tenant_id = ?", arguments: [id, tenantID]) else {
            throw CoreError.notFound("sequence \(id)")
        }
        return OutreachSequence(row: row)
    }

    /// Pauses (no step runs; steps that fall due wait) or resumes (steps overdue run at once, through the gate).
    public func setStatus(tenantID: String, id: String, _ status: OutreachSequence.Status) async throws -> OutreachSequence {
        let stamp = Timestamp.format(clock.now)
        return try await store.write { db in
            try db.execute(sql: "UPDATE sequences SET status = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                           arguments: [status.rawValue, stamp, id, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("sequence \(id)") }
            return try Self.sequence(db, tenantID: tenantID, id: id)
        }
    }

    /// Each sequence's metrics, from its enrollments and their leads' current status.
    public func metrics(tenantID: String, sequenceIDs: [String]) throws -> [String: SequenceMetrics] {
        guard !sequenceIDs.isEmpty else { return [:] }
        return try store.read { db in
            var metrics: [String: SequenceMetrics] = [:]
            let marks = Array(repeating: "?", count: sequenceIDs.count).joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: """
                SELECT e.sequence_id, count(*) AS enrolled,
                       count(*) FILTER (WHERE e.status = 'active') AS active,
                       count(*) FILTER (WHERE e.status IN ('completed', 'converted')) AS completed,
                       count(*) FILTER (WHERE e.status = 'converted' OR l.status IN ('transferred', 'delivered', 'accepted')) AS converted
                FROM sequence_enrollments e JOIN leads l ON l.id = e.lead_id
                WHERE e.tenant_id = ? AND e.sequence_id IN (\(marks))
                GROUP BY e.sequence_id
                """, arguments: StatementArguments([tenantID] + sequenceIDs)) {
                metrics[row["sequence_id"]] = SequenceMetrics(enrolled: row["enrolled"], active: row["active"], completed: row["completed"],
                                                              converted: row["converted"])
            }
            return metrics
        }
    }

    // MARK: Enrollments

    /// Enrolls a lead: its first step falls due after that step's delay. A lead already in the sequence, or one
    /// that may not be contacted any more, is refused.
    public func enroll(tenantID: String, sequenceID: String, leadID: String) async throws -> Enrollment {
        let now = clock.now, stamp = Timestamp.format(now), id = Identifier.sortable("enr", at: now)
        return try await store.write { db in
            let sequence = try Self.sequence(db, tenantID: tenantID, id: sequenceID)
            guard let lead = try Lead.find(db, id: leadID, tenantID: tenantID) else {
                throw CoreError.notFound("lead \(leadID)")
            }
            guard lead.status.isEligible else {
                throw CoreError.refused(code: "lead_ineligible", "lead \(leadID) is \(lead.status.rawValue): it may not be contacted")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sequence_enrollments WHERE sequence_id = ? AND lead_id = ? AND status = 'active'",
                                 arguments: [sequenceID, leadID]) == true {
                throw CoreError.refused(code: "already_enrolled", "lead \(leadID) is already in sequence \(sequenceID)")
            }
            let first = now.addingTimeInterval(TimeInterval((sequence.steps.first?.delayMinutes ?? 0) * 60))
            try db.execute(sql: """
                INSERT INTO sequence_enrollments (id, tenant_id, sequence_id, lead_id, status, next_step, next_step_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'active', 0, ?, ?, ?)
                """, arguments: [id, tenantID, sequenceID, leadID, Timestamp.format(first), stamp, stamp])
            var detail = CanonicalJSON()
            detail.add("sequence_id", sequenceID)
            detail.add("enrollment_id", id)
            try Lead.record(db, leadID: leadID, "sequence_enrolled", moving: nil, detail: detail, actor: "api", at: stamp)
            return try Self.enrollment(db, id: id)
        }
    }

    /// Takes a lead out of a sequence: no further step runs.
    public func remove(tenantID: String, sequenceID: String, leadID: String) async throws {
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            _ = try Self.sequence(db, tenantID: tenantID, id: sequenceID)
            guard let id = try String.fetchOne(db, sql: """
                SELECT id FROM sequence_enrollments WHERE sequence_id = ? AND lead_id = ? AND tenant_id = ? AND status = 'active'
                """, arguments: [sequenceID, leadID, tenantID]) else {
                throw CoreError.notFound("lead \(leadID) in sequence \(sequenceID)")
            }
            try Self.end(db, id, .removed, reason: "removed by hand", at: stamp)
            var detail = CanonicalJSON()
            detail.add("sequence_id", sequenceID)
            try Lead.record(db, leadID: leadID, "sequence_removed", moving: nil, detail: detail, actor: "api", at: stamp)
        }
    }

    /// The sequence's enrollments, newest first, each with its sends.
    public func enrollments(tenantID: String, sequenceID: String, limit: Int) throws -> [(Enrollment, [StepSend])] {
        try store.read { db in
            _ = try Self.sequence(db, tenantID: tenantID, id: sequenceID)
            return try Row.fetchAll(db, sql: """
                SELECT * FROM sequence_enrollments WHERE sequence_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [sequenceID, limit]).map { row in
                let enrollment = Enrollment(row: row)
                return (enrollment, try Self.sends(db, enrollmentID: enrollment.id))
            }
        }
    }

    /// The sequences a lead of the tenant was enrolled in, newest first, each with the sequence's name and its sends.
    public func enrollments(tenantID: String, leadID: String) throws -> [(Enrollment, sequenceName: String, [StepSend])] {
        try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.*, s.name AS sequence_name FROM sequence_enrollments e JOIN sequences s ON s.id = e.sequence_id
                WHERE e.lead_id = ? AND e.tenant_id = ? ORDER BY e.created_at DESC, e.id DESC
                """, arguments: [leadID, tenantID]).map { row in
                let enrollment = Enrollment(row: row)
                return (enrollment, row["sequence_name"], try Self.sends(db, enrollmentID: enrollment.id))
            }
        }
    }

    static func sends(_ db: GRDB.Database, enrollmentID: String) throws -> [StepSend] {
        try Row.fetchAll(db, sql: "SELECT * FROM sequence_sends WHERE enrollment_id = ? ORDER BY step", arguments: [enrollmentID]).map(StepSend.init)
    }

    static func enrollment(_ db: GRDB.Database, id: String) throws -> Enrollment {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sequence_enrollments WHERE id = ?", arguments: [id]) else {
            throw CoreError.notFound("enrollment \(id)")
        }
        return Enrollment(row: row)
    }

    /// Ends every sequence a lead is in (it opted out, or was put on the do-not-call list): no further step runs.
    static func stopAll(_ db: GRDB.Database, leadID: String, reason: String, at stamp: String) throws {
        try db.execute(sql: """
            UPDATE sequence_enrollments SET status = 'stopped', reason = ?, next_step_at = NULL, updated_at = ?
            WHERE lead_id = ? AND status = 'active'
            """, arguments: [reason, stamp, leadID])
    }

    static func end(_ db: GRDB.Database, _ enrollmentID: String, _ status: Enrollment.Status, reason: String, at stamp: String) throws {
        try db.execute(sql: """
            UPDATE sequence_enrollments SET status = ?, reason = ?, next_step_at = NULL, updated_at = ? WHERE id = ? AND status = 'active'
            """, arguments: [status.rawValue, reason, stamp, enrollmentID])
    }
}
