import Foundation
import GRDB
import HTTPServer
import Logging
import Store
import Synchronization

/// The calls engine: places a queued lead's call after asking the compliance gate, then follows the provider's
/// updates through the call's state machine, moving the lead along, choosing a destination for a qualified consumer,
/// and scheduling the next attempt. Every step is written with its event in one transaction.
public final class Calls: CallUpdateSink, Sendable {
    static let actor = "dialer"

    let store: SQLiteStore
    let clock: any Clock
    let gate: ComplianceGate
    /// nil: no provider is configured, and the dialer does not run.
    public let provider: (any VoiceProvider)?
    let logger = Logger(label: "leadline.calls")
    /// Calls placed and not yet ended, with those waiting for none to be left.
    private let live = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    public init(store: SQLiteStore, clock: any Clock, gate: ComplianceGate, provider: (any VoiceProvider)?) {
        self.store = store
        self.clock = clock
        self.gate = gate
        self.provider = provider
    }

    // MARK: Settings

    /// The tenant's calling settings (for leads without a calling campaign, and its pause switch).
    public func settings(tenantID: String) throws -> CallSettings {
        try store.read { db in try Self.tenantSettings(db, tenantID: tenantID) }
    }

    public func setSettings(tenantID: String, _ settings: CallSettings) async throws -> CallSettings {
        let checked = try settings.checked(field: "")
        let text = try StoredJSON.text(checked)
        try await store.write { db in
            try db.execute(sql: "UPDATE tenants SET call_settings = ? WHERE id = ?", arguments: [text, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("tenant \(tenantID)") }
        }
        return checked
    }

    static func tenantSettings(_ db: GRDB.Database, tenantID: String) throws -> CallSettings {
        StoredJSON.decode(CallSettings.self, try String.fetchOne(db, sql: "SELECT call_settings FROM tenants WHERE id = ?", arguments: [tenantID]))
            ?? CallSettings()
    }

    /// The settings a lead is called under: its campaign's calling settings, or the tenant's.
    static func settings(_ db: GRDB.Database, tenantID: String, campaignID: String?) throws -> CallSettings {
        if let campaignID, let calling = try Campaigns.fetch(db, tenantID: tenantID, campaignID: campaignID).settings.calling { return calling }
        return try tenantSettings(db, tenantID: tenantID)
    }

    // MARK: Placing a call

    /// What the look before a call decided for a lead the dialer took from the queue.
    enum Preflight: Sendable {
        /// The gate allows a call now (as far as a look can tell): place it.
        case call(CallQueue.Entry, Lead, CallSettings)
        /// Not now: the lead waits for the first legal time, or for a retry after an error.
        case wait(until: Date, reason: String)
        /// The dialer is done with the lead.
        case done(reason: String)
    }

    /// The reads and the compliance gate's look before a call, which record nothing: a lead the gate refuses for the
    /// hour, the day or a cap waits for the next legal time; one it refuses for consent or do-not-call is left to the
    /// gate's check, so that the refusal is stored as a blocked attempt. Synchronous and cheap, so the dialer looks at
    /// a whole batch in one pass (at night every lead taken waits, and a batch's waits are one write).
    func preflight(_ entry: CallQueue.Entry, at now: Date) -> Preflight {
        do {
            let (lead, settings) = try store.read { db in
                (try Lead.find(db, id: entry.leadID), try Self.settings(db, tenantID: entry.tenantID, campaignID: entry.campaignID))
            }
            guard let lead, [.new, .qualified, .contacted].contains(lead.status) else {
                return .done(reason: "lead is \(lead?.status.rawValue ?? "gone")")
            }
            guard entry.attempts < settings.maxAttempts else { return .done(reason: "attempt limit reached (\(settings.maxAttempts))") }
            let outreach = Self.outreach(lead)
            let look = try gate.evaluate(outreach)
            if !look.allowed, look.passed(.consentValid), look.passed(.dncClear) {
                let reason = look.failures.map(\.reason).joined(separator: "; ")
                guard let next = try gate.nextAllowed(outreach, from: now) else {
                    return .done(reason: "no legal calling time in the next 8 days: \(reason)")
                }
                return .wait(until: next, reason: "waiting: \(reason)")
            }
            return .call(entry, lead, settings)
        } catch {
            logger.error("looking before a call failed", metadata: ["lead_id": "\(entry.leadID)", "error": "\(error)"])
            return .wait(until: now.addingTimeInterval(600), reason: "error: \(error)")
        }
    }

    /// Stores what the looks decided for the leads that are not called now (one transaction for a batch).
    func park(_ decisions: [(leadID: String, preflight: Preflight)], at now: Date) async {
        let stamp = Timestamp.format(now)
        do {
            try await store.write { db in
                for (leadID, preflight) in decisions {
                    switch preflight {
                    case .call: continue
                    case .wait(let next, let reason): try CallQueue.wait(db, leadID: leadID, until: next, reason: reason, at: stamp)
                    case .done(let reason): try CallQueue.done(db, leadID: leadID, reason: reason, at: stamp)
                    }
                }
            }
        } catch {
            // The leads stay taken ('calling') until the server's next start returns them to the queue (`recover`).
            logger.error("the dialer could not put leads back to wait", metadata: ["leads": "\(decisions.count)", "error": "\(error)"])
        }
    }

    /// The outreach a call to the lead is.
    static func outreach(_ lead: Lead) -> Outreach {
        Outreach(tenantID: lead.tenantID, phone: lead.phone, state: lead.state, channel: .aiCall, subject: lead.campaignType ?? "calls",
                 leadID: lead.id)
    }

    /// Calls a lead the look allowed, if the gate's check (which records the attempt) allows it too.
    func place(_ entry: CallQueue.Entry, _ lead: Lead, _ settings: CallSettings) async {
        do {
            try await placeOrThrow(entry, lead, settings)
        } catch {
            logger.error("placing a call failed", metadata: ["lead_id": "\(entry.leadID)", "error": "\(error)"])
            let now = clock.now
            _ = try? await store.write { db in
                try CallQueue.wait(db, leadID: entry.leadID, until: now.addingTimeInterval(600), reason: "error: \(error)", at: Timestamp.format(now))
            }
        }
    }

    private func placeOrThrow(_ entry: CallQueue.Entry, _ lead: Lead, _ settings: CallSettings) async throws {
        guard let provider else { return }
        let now = clock.now, stamp = Timestamp.format(now)
        let outreach = Self.outreach(lead)
        // The gate's check records the attempt with its decision; only an allowed one is dialled.
        let authorization = try await gate.check(outreach, actor: Self.actor)
        let decision = authorization.decision
        let complianceJSON = String(decoding: try JSON.encode(decision), as: UTF8.self)
        let attemptID = Identifier.sortable("call", at: now)
        var disclosures = [CallScript.fill(settings.script.aiDisclosure, lead: lead)]
        if decision.states.contains(where: { StateRules.rule($0)?.allPartyRecording ?? false }) {
            disclosures.append(CallScript.fill(settings.script.recordingNotice, lead: lead))
        }
        let recorded = disclosures
        let attemptNo = entry.attempts + 1
        let from = settings.callerID
        // Refused at the check for the hour, day or a cap (the time moved on since the look): the lead waits again.
        let retryAt = decision.allowed || !decision.passed(.consentValid) || !decision.passed(.dncClear)
            ? nil : try gate.nextAllowed(outreach, from: now)
        let allowed = try await store.write { [provider] db -> Bool in
            try db.execute(sql: """
                INSERT INTO call_attempts (id, tenant_id, lead_id, campaign_id, attempt_no, provider, from_number, to_number, status, outcome,
                    lead_status_before, compliance, outreach_attempt_id, disclosures, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [attemptID, lead.tenantID, lead.id, entry.campaignID, attemptNo, provider.name, from, lead.phone,
                                 decision.allowed ? CallStatus.queued.rawValue : CallStatus.blocked.rawValue,
                                 decision.allowed ? nil : CallOutcome.blocked.rawValue, lead.status.rawValue, complianceJSON,
                                 authorization.attemptID, try StoredJSON.text(recorded), stamp, stamp])
            try Self.event(db, attemptID, decision.allowed ? "queued" : "blocked", at: stamp,
                           ["outreach_attempt_id": authorization.attemptID, "allowed": decision.allowed ? "true" : "false",
                            "reasons": decision.failures.map(\.reason).joined(separator: "; ")])
            guard decision.allowed else {
                var detail = CanonicalJSON()
                detail.add("call_id", attemptID)
                detail.add("reasons", decision.failures.map(\.reason).joined(separator: "; "))
                try Lead.record(db, leadID: lead.id, "call_blocked", moving: nil, detail: detail, actor: Self.actor, at: stamp)
                let reasons = decision.failures.map(\.reason).joined(separator: "; ")
                if let retryAt {
                    try CallQueue.wait(db, leadID: lead.id, until: retryAt, reason: "waiting: \(reasons)", at: stamp)
                } else {
                    try CallQueue.done(db, leadID: lead.id, reason: "blocked: " + reasons, at: stamp)
                }
                return false
            }
            try CallQueue.markCalling(db, leadID: lead.id, at: stamp)
            try Self.move(db, attemptID, to: .dialing, at: stamp)
            var detail = CanonicalJSON()
            detail.add("call_id", attemptID)
            detail.add("attempt", attemptNo)
            try Lead.record(db, leadID: lead.id, "call_started", moving: .dialing, detail: detail, actor: Self.actor, at: stamp)
            return true
        }
        guard allowed else { return }
        live.withLock { $0.count += 1 }
        var script = settings.script
        script.greeting = CallScript.fill(script.greeting, lead: lead)
        script.closing = CallScript.fill(script.closing, lead: lead)
        let request = CallRequest(attemptID: attemptID, to: lead.phone, from: from, script: script, disclosures: recorded, lead: lead)
        do {
            let providerID = try await provider.start(request, updates: self)
            try await store.write { db in
                try db.execute(sql: "UPDATE call_attempts SET provider_call_id = ? WHERE id = ?", arguments: [providerID, attemptID])
            }
        } catch {
            await receive(CallUpdate(attemptID: attemptID, kind: .failed, reason: "the provider did not start the call: \(error)"))
            await receive(CallUpdate(attemptID: attemptID, kind: .ended))
        }
    }

    // MARK: Following a call

    /// Applies one provider update. Updates for a call that is over, or that do not fit its state, are recorded as
    /// events and change nothing else.
    public func receive(_ update: CallUpdate) async {
        do {
            let follow = try await store.write { [self] db in try apply(update, db) }
            switch follow {
            case .none: break
            case .transfer(let request): await requestTransfer(request)
            case .hangUp(let attemptID, let providerID, let line):
                do { try await provider?.hangUp(attemptID: attemptID, providerCallID: providerID, saying: line, updates: self) } catch {
                    logger.warning("hanging up failed", metadata: ["call_id": "\(attemptID)", "error": "\(error)"])
                }
            case .optOut(let tenantID, let phone):
                try await gate.dnc.add(tenantID: tenantID, phone: phone, reason: "asked not to be called again (call \(update.attemptID))",
                                       channel: "call", actor: Self.actor)
            }
        } catch {
            logger.error("a call update could not be applied", metadata: ["call_id": "\(update.attemptID)", "kind": "\(update.kind.rawValue)",
                                                                           "error": "\(error)"])
        }
        if update.kind == .ended { callEnded() }
    }

    /// What to do after an update is stored.
    enum FollowUp: Sendable {
        case none
        case transfer(TransferRequest)
        case hangUp(attemptID: String, providerCallID: String, line: String)
        case optOut(tenantID: String, phone: String)
    }

    private func apply(_ received: CallUpdate, _ db: GRDB.Database) throws -> FollowUp {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM call_attempts WHERE id = ?", arguments: [received.attemptID]) else {
            throw CoreError.notFound("call \(received.attemptID)")
        }
        let attempt = CallAttempt(row: row)
        var update = received
        if update.kind == .answers {
            // The agent collected the answers; the script's questions decide.
            let verdict = try Self.settings(db, tenantID: attempt.tenantID, campaignID: attempt.campaignID).script.judge(update.answers ?? [:])
            update.kind = verdict.qualified ? .qualified : .notQualified
            update.reason = update.reason ?? verdict.reason
        }
        // A provider that does not echo Leadline's transfer id reports on the call's latest transfer.
        if [.transferBridged, .transferFailed, .transferEnded].contains(update.kind), update.transferID == nil {
            update.transferID = try String.fetchOne(db, sql: """
                SELECT id FROM transfers WHERE attempt_id = ? AND status IN ('ringing', 'bridged') ORDER BY started_at DESC, id DESC LIMIT 1
                """, arguments: [attempt.id])
        }
        let now = clock.now, stamp = Timestamp.format(now)
        var detail: [String: String] = [:]
        if let reason = update.reason { detail["reason"] = reason }
        if let transferID = update.transferID { detail["transfer_id"] = transferID }
        try Self.event(db, attempt.id, update.kind.rawValue, at: stamp, detail)
        try Self.keep(db, attempt.id, update)

        func leadEvent(_ kind: String, moving status: LeadStatus?, _ extra: [(String, String?)] = []) throws {
            var detail = CanonicalJSON()
            detail.add("call_id", attempt.id)
            for (key, value) in extra { detail.add(key, value) }
            try Lead.record(db, leadID: attempt.leadID, kind, moving: status, detail: detail, actor: Self.actor, at: stamp)
        }
        /// Moves the call on when its state allows; false (and nothing moved) when it does not.
        func move(_ status: CallStatus, outcome: CallOutcome? = nil) throws -> Bool {
            guard attempt.status.allowedNext.contains(status) else { return false }
            try Self.move(db, attempt.id, to: status, outcome: outcome, at: stamp)
            if !status.isLive { try finish(attempt, status: status, outcome: outcome, db, at: now) }
            return true
        }

        switch update.kind {
        case .ringing:
            _ = try move(.ringing)
        case .answered:
            if try move(.answered) {
                try db.execute(sql: "UPDATE call_attempts SET answered_at = ? WHERE id = ?", arguments: [stamp, attempt.id])
                try leadEvent("call_answered", moving: .contacted)
            }
        case .qualifying:
            _ = try move(.qualifying)
        case .analyzed, .answers:
            break
        case .noAnswer, .busy, .voicemail, .failed:
            let status: CallStatus = switch update.kind {
            case .noAnswer: .noAnswer
            case .busy: .busy
            case .voicemail: .voicemail
            default: .failed
            }
            if try move(status, outcome: CallOutcome(rawValue: status.rawValue)) {
                try leadEvent("call_\(status.rawValue)", moving: attempt.leadStatusBefore == .contacted ? .contacted : attempt.leadStatusBefore)
            }
        case .notQualified:
            if attempt.status == .answered { _ = try move(.qualifying) }
            if try Self.reload(db, attempt.id).status.allowedNext.contains(.notQualified) {
                try Self.move(db, attempt.id, to: .notQualified, outcome: .notQualified, at: stamp)
                try finish(attempt, status: .notQualified, outcome: .notQualified, db, at: now)
                try leadEvent("call_not_qualified", moving: nil, (update.answers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
        case .optOut:
            if try move(.optOut, outcome: .optOut) {
                try leadEvent("call_opt_out", moving: nil)
                return .optOut(tenantID: attempt.tenantID, phone: attempt.toNumber)
            }
        case .hungUp:
            if attempt.status.isLive, attempt.status != .transferred, try move(.ended, outcome: .hungUp) {
                try leadEvent("call_hung_up", moving: nil)
            }
        case .qualified:
            if attempt.status == .answered { _ = try move(.qualifying) }
            guard try Self.reload(db, attempt.id).status == .qualifying else { break }
            try leadEvent("call_qualified", moving: .qualified, (update.answers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            return try transferOrClose(attempt, tried: [], db, at: now)
        case .transferBridged:
            guard let transferID = update.transferID else { break }
            try db.execute(sql: "UPDATE transfers SET status = 'bridged', bridged_at = ? WHERE id = ? AND attempt_id = ? AND status = 'ringing'",
                           arguments: [stamp, transferID, attempt.id])
            if db.changesCount == 1, try move(.transferred) {
                try leadEvent("transferred", moving: .transferred, [("transfer_id", transferID)])
                try CallQueue.done(db, leadID: attempt.leadID, reason: "transferred", at: stamp)
            }
        case .transferFailed:
            guard let transferID = update.transferID else { break }
            try db.execute(sql: "UPDATE transfers SET status = 'failed', failure = ?, ended_at = ? WHERE id = ? AND attempt_id = ? AND status = 'ringing'",
                           arguments: [update.reason ?? "the line did not answer", stamp, transferID, attempt.id])
            guard db.changesCount == 1, attempt.status == .transferring else { break }
            let tried = Set(try String.fetchAll(db, sql: "SELECT destination_id FROM transfers WHERE attempt_id = ?", arguments: [attempt.id]))
            return try transferOrClose(attempt, tried: tried, db, at: now)
        case .transferEnded:
            guard let transferID = update.transferID else { break }
            // Without the provider's duration, the leg lasted from its bridge until now.
            try db.execute(sql: """
                UPDATE transfers SET status = 'ended', ended_at = ?,
                       duration_seconds = coalesce(?, CAST(round((julianday(?) - julianday(bridged_at)) * 86400) AS INTEGER))
                WHERE id = ? AND attempt_id = ? AND status = 'bridged'
                """, arguments: [stamp, update.transferSeconds, stamp, transferID, attempt.id])
        case .ended:
            try db.execute(sql: "UPDATE call_attempts SET ended_at = coalesce(ended_at, ?) WHERE id = ?", arguments: [stamp, attempt.id])
            let current = try Self.reload(db, attempt.id)
            if current.status.isLive {
                let outcome: CallOutcome = switch current.status {
                case .transferred: .transferred
                case .transferring: .transferFailed
                case .queued, .dialing, .ringing: .noAnswer
                default: .hungUp
                }
                let status: CallStatus = outcome == .noAnswer ? .noAnswer : .ended
                try Self.move(db, attempt.id, to: status, outcome: current.outcome ?? outcome, at: stamp)
                try finish(current, status: status, outcome: current.outcome ?? outcome, db, at: now)
                if outcome == .noAnswer { try leadEvent("call_no_answer", moving: attempt.leadStatusBefore) }
            }
        }
        return .none
    }

    /// Chooses a line for a qualified consumer and records the transfer, or, when none is open, ends the call politely.
    private func transferOrClose(_ attempt: CallAttempt, tried: Set<String>, _ db: GRDB.Database, at now: Date) throws -> FollowUp {
        let stamp = Timestamp.format(now)
        let settings = try Self.settings(db, tenantID: attempt.tenantID, campaignID: attempt.campaignID)
        let lead = try Lead.find(db, id: attempt.leadID)!
        guard let destination = try Destinations.choose(db, tenantID: attempt.tenantID, campaignID: attempt.campaignID, state: lead.state,
                                                        excluding: tried, at: now) else {
            let outcome: CallOutcome = tried.isEmpty ? .noDestination : .transferFailed
            try db.execute(sql: "UPDATE call_attempts SET outcome = ?, updated_at = ? WHERE id = ?", arguments: [outcome.rawValue, stamp, attempt.id])
            try Self.event(db, attempt.id, outcome.rawValue, at: stamp, ["tried": String(tried.count)])
            return .hangUp(attemptID: attempt.id, providerCallID: attempt.providerCallID ?? "", line: settings.script.noAgentLine)
        }
        let transferID = Identifier.sortable("xfer", at: now)
        try db.execute(sql: """
            INSERT INTO transfers (id, tenant_id, lead_id, attempt_id, destination_id, buyer_id, destination_phone, caller_id, status,
                                   price_cents, started_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ringing', ?, ?)
            """, arguments: [transferID, attempt.tenantID, attempt.leadID, attempt.id, destination.id, destination.buyerID, destination.phone,
                             lead.phone, destination.settings.priceCents, stamp])
        try Self.move(db, attempt.id, to: .transferring, at: stamp)
        try Self.event(db, attempt.id, "transfer_started", at: stamp, ["transfer_id": transferID, "destination_id": destination.id])
        let answers = StoredJSON.decode([String: String].self, try String.fetchOne(db, sql: "SELECT answers FROM call_attempts WHERE id = ?",
                                                                                   arguments: [attempt.id])) ?? [:]
        let whisper = "Live transfer: \(lead.firstName ?? "a consumer")\(lead.state.map { " in \($0)" } ?? ""), qualified: "
            + answers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return .transfer(TransferRequest(attemptID: attempt.id, providerCallID: attempt.providerCallID ?? "", transferID: transferID,
                                         to: destination.phone, callerID: lead.phone, line: settings.script.transferLine, whisper: whisper))
    }

    private func requestTransfer(_ request: TransferRequest) async {
        do { try await provider?.transfer(request, updates: self) } catch {
            await receive(CallUpdate(attemptID: request.attemptID, kind: .transferFailed, transferID: request.transferID,
                                     reason: "the provider could not transfer: \(error)"))
        }
    }

    /// A call reached a terminal state: the queue learns whether the lead is tried again.
    private func finish(_ attempt: CallAttempt, status: CallStatus, outcome: CallOutcome?, _ db: GRDB.Database, at now: Date) throws {
        let stamp = Timestamp.format(now)
        let settings = try Self.settings(db, tenantID: attempt.tenantID, campaignID: attempt.campaignID)
        let attempts = try CallQueue.attempts(db, leadID: attempt.leadID)
        if status.isRetried && attempts < settings.maxAttempts {
            let next = now.addingTimeInterval(settings.retryDelay(beforeAttempt: attempts + 1))
            try CallQueue.wait(db, leadID: attempt.leadID, until: next, reason: "retry after \(status.rawValue)", at: stamp)
        } else {
            let reason = status.isRetried ? "attempt limit reached after \(status.rawValue)" : (outcome ?? .hungUp).rawValue
            try CallQueue.done(db, leadID: attempt.leadID, reason: reason, at: stamp)
        }
    }

    // MARK: Storage

    static func event(_ db: GRDB.Database, _ attemptID: String, _ kind: String, at: String, _ detail: [String: String] = [:]) throws {
        try db.cachedStatement(sql: "INSERT INTO call_events (attempt_id, at, kind, detail) VALUES (?, ?, ?, ?)")
            .execute(arguments: [attemptID, at, kind, CanonicalJSON(detail).string])
    }

    static func move(_ db: GRDB.Database, _ attemptID: String, to status: CallStatus, outcome: CallOutcome? = nil, at: String) throws {
        try db.execute(sql: """
            UPDATE call_attempts SET status = ?, outcome = coalesce(?, outcome), updated_at = ?,
                   ended_at = CASE WHEN ? THEN coalesce(ended_at, ?) ELSE ended_at END
            WHERE id = ?
            """, arguments: [status.rawValue, outcome?.rawValue, at, !status.isLive, at, attemptID])
    }

    static func reload(_ db: GRDB.Database, _ attemptID: String) throws -> CallAttempt {
        CallAttempt(row: try Row.fetchOne(db, sql: "SELECT * FROM call_attempts WHERE id = ?", arguments: [attemptID])!)
    }

    /// Keeps what an update carries: durations, answers, transcript, the provider's reason.
    static func keep(_ db: GRDB.Database, _ attemptID: String, _ update: CallUpdate) throws {
        try db.execute(sql: """
            UPDATE call_attempts SET ring_seconds = coalesce(?, ring_seconds), talk_seconds = coalesce(?, talk_seconds),
                   answers = coalesce(?, answers), transcript = coalesce(?, transcript), end_reason = coalesce(?, end_reason)
            WHERE id = ?
            """, arguments: [update.ringSeconds, update.talkSeconds, try update.answers.map(StoredJSON.text),
                             try update.transcript.map(StoredJSON.text), update.kind == .ended || !(update.reason?.isEmpty ?? true) ? update.reason : nil,
                             attemptID])
    }

    // MARK: Waiting (tests, rehearsals, shutdown)

    private func callEnded() {
        let waiters = live.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count = max(0, state.count - 1)
            guard state.count == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no call this engine placed is under way.
    public func idle() async {
        await withCheckedContinuation { continuation in
            let now = live.withLock { state -> Bool in
                if state.count == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Calls left under way by a stopped server: the simulator's are gone with it, so they end as failed (and are
    /// retried); a hosted provider's keep their rows, since its webhooks still arrive. With any provider, a lead the
    /// dialer took and left without a call under way (the server stopped, or its write failed) waits again.
    public func recover() throws {
        guard let provider else { return }
        let stamp = Timestamp.format(clock.now)
        try store.writeNow { db in
            if !provider.callsOutliveServer {
                let stale = try String.fetchAll(db, sql: """
                    SELECT id FROM call_attempts WHERE provider = ? AND status IN ('queued', 'dialing', 'ringing', 'answered', 'qualifying', 'transferring', 'transferred')
                    """, arguments: [provider.name])
                for id in stale {
                    try Self.event(db, id, "failed", at: stamp, ["reason": "the server stopped during the call"])
                    try Self.move(db, id, to: .failed, outcome: .failed, at: stamp)
                    try db.execute(sql: "UPDATE transfers SET status = 'failed', failure = 'the server stopped', ended_at = ? WHERE attempt_id = ? AND status = 'ringing'",
                                   arguments: [stamp, id])
                }
            }
            try db.execute(sql: """
                UPDATE call_queue SET status = 'waiting', updated_at = ? WHERE status = 'calling'
                  AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.lead_id = call_queue.lead_id
                                  AND a.status IN ('queued', 'dialing', 'ringing', 'answered', 'qualifying', 'transferring', 'transferred'))
                """, arguments: [stamp])
        }
    }
}
