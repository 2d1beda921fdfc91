import Foundation
import GRDB
import HTTPServer
import Store

/// The one path to outreach. Every dial, text and email asks `check` first; it decides under the state rules,
/// the called party's local time in every zone they may be in, consent, the do-not-call lists and the per-24-hour
/// caps, and records the attempt with its decision in the same transaction that counted the earlier attempts, so
/// two concurrent dials cannot both take the last call a cap allows.
public final class ComplianceGate: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    public let dnc: DNCRegistry
    public let blackouts: Blackouts
    let times: LocalTimes

    public init(store: SQLiteStore, clock: any Clock, dnc: DNCRegistry, blackouts: Blackouts, times: LocalTimes = .shared) {
        self.store = store
        self.clock = clock
        self.dnc = dnc
        self.blackouts = blackouts
        self.times = times
    }

    /// Decides without recording anything (a pre-flight look).
    public func evaluate(_ outreach: Outreach) throws -> ComplianceDecision {
        let lists = try dnc.lists(tenantID: outreach.tenantID)
        let blackouts = try blackouts.current(tenantID: outreach.tenantID)
        return try decide(outreach, at: clock.now, lists: lists, blackouts: blackouts, facts: StoreFacts(store: store))
    }

    /// The first instant from `start` on (on a 10-minute grid) at which the outreach would be allowed, looking at most
    /// `horizon` ahead; nil when there is none. Consent and do-not-call failures do not pass with time: when the
    /// decision at `start` fails one of those, the answer is nil at once.
    public func nextAllowed(_ outreach: Outreach, from start: Date, horizon: TimeInterval = 8 * 86_400) throws -> Date? {
        let lists = try dnc.lists(tenantID: outreach.tenantID)
        let blackouts = try blackouts.current(tenantID: outreach.tenantID)
        // The lead and its certificate do not change from one instant to the next: read once, not once per step.
        let facts = RememberedFacts(StoreFacts(store: store))
        let step: TimeInterval = 600
        var instant = start
        while instant <= start.addingTimeInterval(horizon) {
            let decision = try decide(outreach, at: instant, lists: lists, blackouts: blackouts, facts: facts)
            if decision.allowed { return instant }
            if !decision.passed(.consentValid) || !decision.passed(.dncClear) { return nil }
            instant = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / step).rounded(.down) * step + step)
        }
        return nil
    }

    public struct Authorization: Sendable {
        public let decision: ComplianceDecision
        public let attemptID: String
    }

    /// Decides and records the attempt with its decision. An allowed call or text counts toward the caps.
    public func check(_ outreach: Outreach, actor: String) async throws -> Authorization {
        let lists = try dnc.lists(tenantID: outreach.tenantID)
        let blackouts = try blackouts.current(tenantID: outreach.tenantID)
        return try await store.write { [self] db in
            let now = clock.now
            let decision = try decide(outreach, at: now, lists: lists, blackouts: blackouts, facts: DatabaseFacts(db: db))
            let id = Identifier.sortable("att", at: now)
            let counted = decision.allowed && outreach.channel.isTelephone
            try db.execute(sql: """
                INSERT INTO outreach_attempts (id, tenant_id, phone, lead_id, channel, subject, allowed, counted, artificial_voice, decision,
                    rules_version, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, outreach.tenantID, outreach.phone, outreach.leadID, outreach.channel.rawValue, outreach.subject,
                                 decision.allowed, counted, outreach.channel.isArtificialVoice, String(decoding: try JSON.encode(decision), as: UTF8.self),
                                 decision.rulesVersion, actor, Timestamp.format(decision.decidedAt)])
            return Authorization(decision: decision, attemptID: id)
        }
    }

    func decide(_ outreach: Outreach, at now: Date, lists: DNCRegistry.Lists, blackouts: [Blackout],
                facts: some ComplianceFacts) throws -> ComplianceDecision {
        var decision = ComplianceDecision()
        decision.decidedAt = now
        var state = outreach.state
        var certificateID = outreach.certificateID

        if let leadID = outreach.leadID {
            guard let lead = try facts.lead(tenantID: outreach.tenantID, id: leadID) else { throw CoreError.notFound("lead \(leadID)") }
            state = state ?? lead.state
            certificateID = certificateID ?? lead.consentCertificateID
            if !lead.status.isEligible {
                decision.fail(.consentValid, "the lead is \(lead.status.rawValue)\(lead.ineligibleReason.map { " (\($0))" } ?? "")")
            }
        }

        // Consent.
        if let certificateID {
            if let certificate = try facts.certificate(tenantID: outreach.tenantID, id: certificateID) {
                if !certificate.isActive {
                    decision.fail(.consentValid, "consent certificate \(certificateID) was revoked")
                } else if outreach.channel.isArtificialVoice && certificate.consentType != "tcpa_express_written" {
                    decision.fail(.consentValid, "AI and prerecorded calls need prior express written consent (FCC 24-17); certificate \(certificateID) records \(certificate.consentType)")
                }
            } else {
                decision.fail(.consentValid, "consent certificate \(certificateID) not found")
            }
        } else if outreach.hasConsent == true {
            decision.warnings.append("consent is asserted by the caller, not backed by a consent certificate")
        } else {
            decision.fail(.consentValid, "no consent on record for this contact")
        }

        // Do-not-call lists: the tenant's own list (opt-outs) for every channel, the registries for calls and texts.
        let party = CalledParty(phone: outreach.phone, state: state)
        decision.states = party.states
        decision.warnings.append(contentsOf: party.notes)
        if let digits = DNCNumbers.digits(outreach.phone) {
            decision.dnc.internal = lists.internal.contains(digits)
            if outreach.channel.isTelephone {
                decision.dnc.federal = lists.federal.contains(digits)
                if !lists.states.isEmpty { decision.dnc.state = party.states.filter { lists.states[$0]?.contains(digits) ?? false } }
            }
        }
        if decision.dnc.internal { decision.fail(.dncClear, "the number opted out (internal do-not-call list)") }
        if decision.dnc.federal { decision.fail(.dncClear, "the number is on the National Do Not Call Registry") }
        for code in decision.dnc.state { decision.fail(.dncClear, "the number is on \(code)'s do-not-call list") }

        guard outreach.channel.isTelephone else { return decision }

        if let imported = lists.importedAt["federal"] {
            let days = Int(now.timeIntervalSince(imported) / 86_400)
            if days > 31 { decision.warnings.append("the federal do-not-call list was last imported \(days) days ago; the safe harbor needs 31 at most") }
        } else {
            decision.warnings.append("no federal do-not-call list has been imported")
        }

        // Where and when.
        guard party.isLocated else {
            decision.fail(.stateRules, "the called party cannot be located: no state given and area code \(PhoneNumber.areaCode(outreach.phone)) is not a US geographic one")
            return decision
        }
        CallingTime.check(party, channel: outreach.channel, at: now, blackouts: blackouts, times: times, into: &decision)

        for code in party.states {
            guard let rule = StateRules.rule(code) else { continue }
            if rule.stateDNC && lists.states[code] == nil {
                decision.warnings.append(rule.missingListWarning)
            }
            if rule.allPartyRecording && outreach.channel != .sms {
                decision.warnings.append(rule.recordingWarning)
            }
            for cap in rule.caps where !cap.artificialVoiceOnly || outreach.channel.isArtificialVoice {
                let since = Timestamp.format(now.addingTimeInterval(-Double(cap.hours) * 3600))
                let made = try facts.attempts(tenantID: outreach.tenantID, phone: outreach.phone, subject: outreach.subject, since: since,
                                              artificialVoiceOnly: cap.artificialVoiceOnly)
                if made >= cap.limit {
                    let what = cap.artificialVoiceOnly ? "artificial-voice calls" : "calls or texts"
                    let about = outreach.subject.map { " about \($0)" } ?? ""
                    decision.fail(.stateRules, "\(code): \(made) \(what)\(about) to this number in the last \(cap.hours) hours; the limit is \(cap.limit)")
                }
            }
        }
        return decision
    }
}

/// What a decision needs from the database: read inside the write that records the attempt (`check`), or statement by statement (`evaluate`).
protocol ComplianceFacts {
    func lead(tenantID: String, id: String) throws -> Lead?
    func certificate(tenantID: String, id: String) throws -> ConsentCertificate?
    /// Counted attempts to the number after `since`, on `subject` when one is given (on any subject otherwise).
    func attempts(tenantID: String, phone: String, subject: String?, since: String, artificialVoiceOnly: Bool) throws -> Int
}

struct DatabaseFacts: ComplianceFacts {
    let db: GRDB.Database

    func lead(tenantID: String, id: String) throws -> Lead? {
        try Lead.find(db, id: id, tenantID: tenantID)
    }

    func certificate(tenantID: String, id: String) throws -> ConsentCertificate? {
        try ConsentCertificate.find(db, id: id, tenantID: tenantID)
    }

    func attempts(tenantID: String, phone: String, subject: String?, since: String, artificialVoiceOnly: Bool) throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM outreach_attempts WHERE tenant_id = ? AND phone = ? AND created_at > ? AND counted = 1
              AND (? IS NULL OR subject IS NULL OR subject = ?) AND (? = 0 OR artificial_voice = 1)
            """), arguments: [tenantID, phone, since, subject, subject, artificialVoiceOnly]) ?? 0
    }
}

struct StoreFacts: ComplianceFacts {
    let store: SQLiteStore

    func lead(tenantID: String, id: String) throws -> Lead? { try store.lookup { try DatabaseFacts(db: $0).lead(tenantID: tenantID, id: id) } }

    func certificate(tenantID: String, id: String) throws -> ConsentCertificate? {
        try store.lookup { try DatabaseFacts(db: $0).certificate(tenantID: tenantID, id: id) }
    }

    func attempts(tenantID: String, phone: String, subject: String?, since: String, artificialVoiceOnly: Bool) throws -> Int {
        try store.lookup { try DatabaseFacts(db: $0).attempts(tenantID: tenantID, phone: phone, subject: subject, since: since,
                                                             artificialVoiceOnly: artificialVoiceOnly) }
    }
}

/// The lead and its certificate read once and remembered, for many decisions about one outreach at different instants
/// (`nextAllowed`). Counts of earlier attempts are asked every time: their window moves with the instant.
final class RememberedFacts<Facts: ComplianceFacts>: ComplianceFacts {
    let facts: Facts
    private var leads: [String: Lead?] = [:]
    private var certificates: [String: ConsentCertificate?] = [:]

    init(_ facts: Facts) { self.facts = facts }

    func lead(tenantID: String, id: String) throws -> Lead? {
        if let known = leads[id] { return known }
        let lead = try facts.lead(tenantID: tenantID, id: id)
        leads[id] = .some(lead)
        return lead
    }

    func certificate(tenantID: String, id: String) throws -> ConsentCertificate? {
        if let known = certificates[id] { return known }
        let certificate = try facts.certificate(tenantID: tenantID, id: id)
        certificates[id] = .some(certificate)
        return certificate
    }

    func attempts(tenantID: String, phone: String, subject: String?, since: String, artificialVoiceOnly: Bool) throws -> Int {
        try facts.attempts(tenantID: tenantID, phone: phone, subject: subject, since: since, artificialVoiceOnly: artificialVoiceOnly)
    }
}
