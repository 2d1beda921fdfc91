import Foundation
import GRDB
import Logging
import Store

/// Runs sequence steps as they fall due, each through the compliance gate, and each at most once: the step's send is
/// claimed (a unique row per enrollment and step) and the enrollment moved on in one transaction before anything
/// leaves, so neither a second runner nor a restart sends it again. A step the gate refuses for the hour, the day or
/// a cap waits for the next legal time; one refused for consent or do-not-call ends the lead's enrollment. A lead
/// that converted (transferred or sold) leaves the sequence instead of receiving its next step.
public final class SequenceRunner: Sendable {
    static let actor = "sequence"
    static let batch = 100

    let store: SQLiteStore
    let clock: any Clock
    let gate: ComplianceGate
    let sender: any MessageSender
    let loop: BackgroundLoop
    let logger = Logger(label: "leadline.sequences")

    public init(store: SQLiteStore, clock: any Clock, gate: ComplianceGate, sender: any MessageSender, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.clock = clock
        self.gate = gate
        self.sender = sender
        loop = BackgroundLoop(pollInterval: pollInterval)
    }

    public func start() { loop.start { [self] in await runDue() > 0 } }
    public func stop() { loop.stop() }

    struct Due: Sendable {
        let enrollmentID: String, tenantID: String, sequenceID: String, leadID: String, step: Int
    }

    /// Runs the steps due now; answers how many it looked at.
    @discardableResult
    public func runDue() async -> Int {
        let stamp = Timestamp.format(clock.now)
        let due: [Due]
        do {
            due = try store.read { db in
                try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT e.id, e.tenant_id, e.sequence_id, e.lead_id, e.next_step FROM sequence_enrollments e
                    JOIN sequences s ON s.id = e.sequence_id
                    WHERE e.status = 'active' AND e.next_step_at <= ? AND s.status = 'active'
                    ORDER BY e.next_step_at LIMIT ?
                    """), arguments: [stamp, Self.batch]).map {
                    Due(enrollmentID: $0[0], tenantID: $0[1], sequenceID: $0[2], leadID: $0[3], step: $0[4])
                }
            }
        } catch {
            logger.error("the sequence runner could not read its due steps", metadata: ["error": "\(error)"])
            return 0
        }
        for entry in due {
            do {
                try await run(entry)
            } catch {
                logger.error("a sequence step failed", metadata: ["enrollment_id": "\(entry.enrollmentID)", "error": "\(error)"])
                let retry = Timestamp.format(clock.now.addingTimeInterval(600))
                _ = try? await store.write { db in
                    try db.execute(sql: "UPDATE sequence_enrollments SET next_step_at = ?, reason = ? WHERE id = ? AND status = 'active'",
                                   arguments: [retry, "error: \(error)", entry.enrollmentID])
                }
            }
        }
        return due.count
    }

    /// The message a step sends to a lead, or why it cannot be sent.
    enum Prepared {
        case message(OutboundMessage)
        case call
        case unsendable(String)
    }

    private func run(_ entry: Due) async throws {
        let now = clock.now, stamp = Timestamp.format(now)
        let (sequence, lead, step) = try store.read { db -> (OutreachSequence, Lead, (SequenceStep, Prepared)?) in
            let sequence = try Sequences.sequence(db, tenantID: entry.tenantID, id: entry.sequenceID)
            guard let lead = try Lead.find(db, id: entry.leadID) else { throw CoreError.notFound("lead \(entry.leadID)") }
            guard entry.step < sequence.steps.count else { return (sequence, lead, nil) }
            let step = sequence.steps[entry.step]
            return (sequence, lead, (step, try Self.prepare(step, lead: lead, db)))
        }
        guard let (step, prepared) = step else {
            try await store.write { db in try Sequences.end(db, entry.enrollmentID, .completed, reason: "every step ran", at: stamp) }
            return
        }
        if [.transferred, .delivered, .accepted].contains(lead.status) {
            try await store.write { db in try Sequences.end(db, entry.enrollmentID, .converted, reason: "the lead was \(lead.status.rawValue)", at: stamp) }
            return
        }
        guard lead.status.isEligible else {
            try await store.write { db in try Sequences.end(db, entry.enrollmentID, .stopped, reason: "the lead is \(lead.status.rawValue)", at: stamp) }
            return
        }

        // Texts and emails ask the gate here; a call step's call is asked about by the dialer before it dials.
        var attemptID: String?
        if step.channel != .call {
            let outreach = Outreach(tenantID: lead.tenantID, phone: lead.phone, state: lead.state, channel: step.channel.outreach,
                                    subject: lead.campaignType ?? "sequence", leadID: lead.id)
            let look = try gate.evaluate(outreach)
            var decision = look
            if look.allowed {
                let authorization = try await gate.check(outreach, actor: Self.actor)
                decision = authorization.decision
                attemptID = authorization.attemptID
            }
            if !decision.allowed {
                let reasons = decision.failures.map(\.reason).joined(separator: "; ")
                if decision.passed(.consentValid), decision.passed(.dncClear), let next = try gate.nextAllowed(outreach, from: now) {
                    try await store.write { db in
                        try db.execute(sql: "UPDATE sequence_enrollments SET next_step_at = ?, reason = ?, updated_at = ? WHERE id = ? AND status = 'active'",
                                       arguments: [Timestamp.format(next), "deferred: \(reasons)", stamp, entry.enrollmentID])
                    }
                } else {
                    try await store.write { db in
                        try Sequences.end(db, entry.enrollmentID, .stopped, reason: "blocked: \(reasons)", at: stamp)
                        var detail = CanonicalJSON()
                        detail.add("sequence_id", sequence.id)
                        detail.add("reasons", reasons)
                        try Lead.record(db, leadID: lead.id, "sequence_stopped", moving: nil, detail: detail, actor: Self.actor, at: stamp)
                    }
                }
                return
            }
        }

        // Claim the step and move the enrollment on, before anything leaves.
        let message: OutboundMessage? = if case .message(let message) = prepared { message } else { nil }
        let outreachAttemptID = attemptID
        let claimed = try await store.write { db -> Bool in
            try db.execute(sql: """
                UPDATE sequence_enrollments SET next_step = next_step + 1, updated_at = ?, reason = NULL,
                       next_step_at = ?, status = CASE WHEN ? THEN 'completed' ELSE status END
                WHERE id = ? AND status = 'active' AND next_step = ?
                """, arguments: [stamp, entry.step + 1 < sequence.steps.count
                                    ? Timestamp.format(now.addingTimeInterval(TimeInterval(sequence.steps[entry.step + 1].delayMinutes * 60))) : nil,
                                 entry.step + 1 >= sequence.steps.count, entry.enrollmentID, entry.step])
            guard db.changesCount == 1 else { return false }
            let status: String, error: String?
            switch prepared {
            case .message: (status, error) = ("sending", nil)
            case .call: (status, error) = ("queued", nil)
            case .unsendable(let why): (status, error) = ("failed", why)
            }
            try db.execute(sql: """
                INSERT INTO sequence_sends (enrollment_id, step, channel, status, recipient, subject, body, outreach_attempt_id, error, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.enrollmentID, entry.step, step.channel.rawValue, status, message?.to, message?.subject, message?.text,
                                 outreachAttemptID, error, stamp])
            if case .call = prepared {
                try CallQueue.requeue(db, lead: lead, reason: "sequence \(sequence.id) step \(entry.step + 1)", at: stamp)
            }
            var detail = CanonicalJSON()
            detail.add("sequence_id", sequence.id)
            detail.add("step", entry.step + 1)
            detail.add("channel", step.channel.rawValue)
            detail.add("status", status)
            try Lead.record(db, leadID: lead.id, "sequence_step", moving: nil, detail: detail, actor: Self.actor, at: stamp)
            return true
        }
        guard claimed, let message else { return }

        let providerID: String?, failure: String?
        do { (providerID, failure) = (try await sender.send(message), nil) } catch { (providerID, failure) = (nil, "\(error)") }
        try await store.write { db in
            try db.execute(sql: """
                UPDATE sequence_sends SET status = ?, provider_message_id = ?, error = ? WHERE enrollment_id = ? AND step = ?
                """, arguments: [failure == nil ? "sent" : "failed", providerID, failure, entry.enrollmentID, entry.step])
        }
    }

    /// The step's message for this lead, rendered from its template.
    static func prepare(_ step: SequenceStep, lead: Lead, _ db: GRDB.Database) throws -> Prepared {
        if step.channel == .call { return .call }
        var body = step.template, subject = step.subject
        if let id = step.templateID {
            guard let template = try? Sequences.template(db, tenantID: lead.tenantID, id: id) else {
                return .unsendable("template \(id) was deleted")
            }
            body = template.body
            subject = template.subject ?? subject
        }
        guard let body else { return .unsendable("the step has no template") }
        switch step.channel {
        case .sms:
            return .message(OutboundMessage(channel: .sms, tenantID: lead.tenantID, leadID: lead.id, to: lead.phone,
                                            text: MessageTemplate.render(body, lead: lead)))
        case .email:
            guard let email = lead.email else { return .unsendable("the lead has no email address") }
            return .message(OutboundMessage(channel: .email, tenantID: lead.tenantID, leadID: lead.id, to: email,
                                            subject: MessageTemplate.render(subject ?? "A message for {{first_name}}", lead: lead),
                                            text: MessageTemplate.render(body, lead: lead),
                                            html: MessageTemplate.render(body, lead: lead, html: true)))
        case .call:
            return .call
        }
    }

    /// Sends claimed by a server that stopped before it learned how they went: they are never sent again.
    public func recover() throws {
        try store.writeNow { db in
            try db.execute(sql: "UPDATE sequence_sends SET status = 'unknown', error = 'the server stopped while sending' WHERE status = 'sending'")
        }
    }
}
