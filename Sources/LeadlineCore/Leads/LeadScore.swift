/// A deterministic 0–100 score from explainable rules; every reason and its points are stored with the lead.
public struct LeadScore: Sendable, Equatable {
    public struct Reason: Codable, Sendable, Equatable {
        public var rule: String
        public var points: Int
        public var detail: String
    }

    public var value: Int
    public var reasons: [Reason]

    /// The reasons as stored with the lead: `[{"detail":…,"points":…,"rule":…}]`.
    var reasonsJSON: String {
        CanonicalJSON.array(reasons, capacity: 64 * reasons.count + 2) { object, reason in
            object.add("detail", reason.detail)
            object.add("points", reason.points)
            object.add("rule", reason.rule)
        }
    }

    /// What the score looks at.
    public struct Facts: Sendable {
        public var phoneValid: Bool
        public var email: String?
        public var hasName: Bool
        public var state: String?
        public var zip: String?
        /// Seconds between the consumer's consent and intake; nil without consent.
        public var consentAge: Double?
        /// Earlier submissions of the same person to this tenant (outside the dedup window).
        public var earlierSubmissions: Int
    }

    public static func compute(_ facts: Facts) -> LeadScore {
        var reasons: [Reason] = []
        func add(_ rule: String, _ points: Int, _ detail: String) { reasons.append(Reason(rule: rule, points: points, detail: detail)) }

        add("phone", facts.phoneValid ? 25 : 0, facts.phoneValid ? "dialable US number" : "no dialable number")
        add("email", facts.email != nil ? 15 : 0, facts.email != nil ? "valid email given" : "no email")
        add("name", facts.hasName ? 10 : 0, facts.hasName ? "first or last name given" : "no name")
        add("state", facts.state != nil ? 10 : 0, facts.state.map { "state \($0)" } ?? "no state: calling hours come from the area code")
        add("zip", facts.zip != nil ? 5 : 0, facts.zip != nil ? "zip code given" : "no zip code")
        switch facts.consentAge {
        case nil: add("consent", 0, "no consent: the lead cannot be called or sold")
        case let age? where age <= 15 * 60: add("consent", 35, "consent given within 15 minutes")
        case let age? where age <= 24 * 3600: add("consent", 30, "consent given within a day")
        case let age? where age <= 30 * 86400: add("consent", 20, "consent given within 30 days")
        default: add("consent", 5, "consent older than 30 days")
        }
        if facts.earlierSubmissions > 0 {
            add("history", -min(20, 5 * facts.earlierSubmissions), "submitted \(facts.earlierSubmissions) time(s) before")
        }
        let total = reasons.reduce(0) { $0 + $1.points }
        return LeadScore(value: max(0, min(100, total)), reasons: reasons)
    }
}
