import Foundation
import OutboundHTTP

/// Consent as a caller describes it, before it becomes a certificate. Field names in problems are the core's;
/// each dialect renames the ones it spells differently.
public struct ConsentInput: Sendable {
    public var consentType: String?
    public var channel: String?
    public var mechanism: String?
    public var text: String?
    public var textVersion: String?
    public var pageURL: String?
    public var ipAddress: String?
    public var userAgent: String?
    /// RFC 3339 text as given; nil means "now".
    public var consentedAt: String?

    public init(consentType: String? = nil, channel: String? = nil, mechanism: String? = nil, text: String? = nil,
                textVersion: String? = nil, pageURL: String? = nil, ipAddress: String? = nil, userAgent: String? = nil,
                consentedAt: String? = nil) {
        self.consentType = consentType
        self.channel = channel
        self.mechanism = mechanism
        self.text = text
        self.textVersion = textVersion
        self.pageURL = pageURL
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.consentedAt = consentedAt
    }

    /// Checked and tidied consent.
    public struct Valid: Sendable {
        public var consentType: String
        public var channel: String
        public var mechanism: String?
        public var text: String?
        public var textVersion: String?
        public var pageURL: String?
        public var ipAddress: String?
        public var userAgent: String?
        public var consentedAt: Date
    }

    static let consentTypes: Set<String> = ["tcpa_express_written", "tcpa_express", "prior_express_written", "opt_in", "other"]

    /// Validates against `now`; problems are reported under `prefix` (e.g. `consent.`).
    public func validated(now: Date, prefix: String = "consent.") -> (Valid?, [CoreError.FieldProblem]) {
        var checks = FieldChecks(prefix: prefix)
        func problem(_ field: String, _ reason: String) { checks.fail(field, reason) }
        func tidy(_ value: String?, _ field: String, max: Int) -> String? { checks.text(value, field, max: max) }
        let type = tidy(consentType, "consent_type", max: 64) ?? "tcpa_express_written"
        if !Self.consentTypes.contains(type) {
            problem("consent_type", "must be one of \(Self.consentTypes.sorted().joined(separator: ", "))")
        }
        let text = tidy(text, "consent_text", max: 10_000)
        let version = tidy(textVersion, "consent_text_version", max: 200)
        if text == nil && version == nil {
            problem("consent_text", "the consent language shown, or its version (consent_text_version), is required as proof")
        }
        let page = tidy(pageURL, "page_url", max: 2048)
        if let page, !(page.hasPrefix("https://") || page.hasPrefix("http://")) || URL(string: page)?.host == nil {
            problem("page_url", "must be an http(s) URL")
        }
        let ip = tidy(ipAddress, "ip_address", max: 64)
        if let ip, IPAddress(ip) == nil { problem("ip_address", "must be an IPv4 or IPv6 address") }
        var at = now
        if let given = consentedAt?.trimmingSpaces, !given.isEmpty {
            if let parsed = Timestamp.parse(given) {
                if parsed.timeIntervalSince(now) > 300 { problem("consented_at", "is in the future") }
                else if now.timeIntervalSince(parsed) > 5 * 365 * 86400 { problem("consented_at", "is more than 5 years old") }
                at = parsed
            } else {
                problem("consented_at", "must be an RFC 3339 time such as 2026-07-05T12:00:00Z")
            }
        }
        let valid = Valid(consentType: type, channel: tidy(channel, "channel", max: 32) ?? "web",
                          mechanism: tidy(mechanism, "mechanism", max: 64), text: text, textVersion: version,
                          pageURL: page, ipAddress: ip, userAgent: tidy(userAgent, "user_agent", max: 1000), consentedAt: at)
        return (checks.problems.isEmpty ? valid : nil, checks.problems)
    }
}
