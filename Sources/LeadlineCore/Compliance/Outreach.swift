import Foundation

/// How a consumer is about to be contacted.
public enum OutreachChannel: String, Sendable, CaseIterable, Codable {
    /// A live agent's call.
    case call
    /// A call by the AI voice agent: an "artificial voice" call under FCC 24-17.
    case aiCall = "ai_call"
    /// A prerecorded voicemail drop (a prerecorded call under the FTSA).
    case voicemail
    case sms
    case email

    /// AI and prerecorded calls: the stricter artificial-voice hours and consent apply.
    public var isArtificialVoice: Bool { self == .aiCall || self == .voicemail }
    /// Telephone outreach (calls and texts): calling hours, do-not-call lists and caps apply. Email is governed
    /// by consent and opt-outs only.
    public var isTelephone: Bool { self != .email }
}

/// One intended contact, as the dialer, a sequence or an API caller describes it to the gate.
public struct Outreach: Sendable {
    public var tenantID: String
    /// E.164.
    public var phone: String
    /// The lead's state, when known (a US state or DC code).
    public var state: String?
    public var channel: OutreachChannel
    /// What the contact is about (the campaign type): per-24-hour caps count attempts on the same subject.
    public var subject: String?
    /// The lead being contacted: its state and consent certificate are used when not given here.
    public var leadID: String?
    public var certificateID: String?
    /// The caller's own word that consent exists, when it has no certificate here (EZLeeds `has_consent`).
    public var hasConsent: Bool?

    public init(tenantID: String, phone: String, state: String? = nil, channel: OutreachChannel, subject: String? = nil,
                leadID: String? = nil, certificateID: String? = nil, hasConsent: Bool? = nil) {
        self.tenantID = tenantID
        self.phone = phone
        self.state = state
        self.channel = channel
        self.subject = subject
        self.leadID = leadID
        self.certificateID = certificateID
        self.hasConsent = hasConsent
    }
}

/// The gate's answer: allowed only when every check passed. Each failure names its check and why.
public struct ComplianceDecision: Sendable, Equatable, Encodable {
    public enum Check: String, Sendable, CaseIterable, Encodable {
        /// Day rules (Sunday, holiday, blackout bans), caps, a location the rules can be applied to.
        case stateRules = "state_rules"
        /// Local calling hours in every candidate zone.
        case timeWindow = "time_window"
        case consentValid = "consent_valid"
        case dncClear = "dnc_clear"
    }

    public struct Failure: Sendable, Equatable, Encodable {
        public let check: Check
        public let reason: String
    }

    public struct DNCHits: Sendable, Equatable, Encodable {
        public var federal = false
        /// The states whose lists hold the number.
        public var state: [String] = []
        public var `internal` = false
        public var any: Bool { federal || !state.isEmpty || self.internal }
    }

    public var allowed: Bool { failures.isEmpty }
    public var failures: [Failure] = []
    public var warnings: [String] = []
    /// The states whose rules were applied, and the zones the called party may be in, with the local time in each.
    public var states: [String] = []
    public var localTimes: [LocalTime] = []
    public var dnc = DNCHits()
    public var rulesVersion = StateRules.version
    public var decidedAt = Date(timeIntervalSince1970: 0)

    public func passed(_ check: Check) -> Bool { !failures.contains { $0.check == check } }

    mutating func fail(_ check: Check, _ reason: String) { failures.append(Failure(check: check, reason: reason)) }

    enum CodingKeys: String, CodingKey {
        case allowed, failures, warnings, states, dnc
        case localTimes = "local_times", rulesVersion = "rules_version", decidedAt = "decided_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(failures, forKey: .failures)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(states, forKey: .states)
        try container.encode(localTimes.map(\.description), forKey: .localTimes)
        try container.encode(dnc, forKey: .dnc)
        try container.encode(rulesVersion, forKey: .rulesVersion)
        try container.encode(Timestamp.format(decidedAt), forKey: .decidedAt)
    }
}
