import Foundation

/// A deterministic 0–100 score from explainable rules; every reason and its points are stored with the lead.
public struct LeadScore: Sendable, Equatable {
    public struct Reason: Codable, Sendable, Equatable {
        public var rule: String
        public var points: Int
        public var detail: String
    }

    public var value: Int
    /// The reasons as stored with the lead (`Stored`).
    let stored: String
    /// Each rule's points and why, read from the stored form.
    public var reasons: [Reason] { Stored.reasons(stored) }

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
        var total = 0
        var stored = Stored.Writer()
        func add(_ wording: Wording, _ points: Int, _ argument: String? = nil) {
            total += points
            stored.add(wording, points, argument)
        }

        add(facts.phoneValid ? .phone : .noPhone, facts.phoneValid ? 25 : 0)
        add(facts.email != nil ? .email : .noEmail, facts.email != nil ? 15 : 0)
        add(facts.hasName ? .name : .noName, facts.hasName ? 10 : 0)
        if let state = facts.state { add(.state, 10, state) } else { add(.noState, 0) }
        add(facts.zip != nil ? .zip : .noZip, facts.zip != nil ? 5 : 0)
        switch facts.consentAge {
        case nil: add(.noConsent, 0)
        case let age? where age <= 15 * 60: add(.consentWithin15Minutes, 35)
        case let age? where age <= 24 * 3600: add(.consentWithinADay, 30)
        case let age? where age <= 30 * 86400: add(.consentWithin30Days, 20)
        default: add(.consentOlder, 5)
        }
        if facts.earlierSubmissions > 0 {
            add(.history, -min(20, 5 * facts.earlierSubmissions), String(facts.earlierSubmissions))
        }
        return LeadScore(value: max(0, min(100, total)), stored: stored.text)
    }

    /// What a reason says, each with the short code that stands for it where reasons are stored. A code keeps its
    /// meaning for good: a new wording is a new case with a new code, and the old one stays to read older leads.
    enum Wording: String, CaseIterable {
        case phone = "pv", noPhone = "px"
        case email = "ev", noEmail = "ex"
        case name = "nv", noName = "nx"
        case state = "sv", noState = "sx"
        case zip = "zv", noZip = "zx"
        case noConsent = "cx", consentWithin15Minutes = "cm", consentWithinADay = "cd", consentWithin30Days = "cw", consentOlder = "co"
        case history = "hv"

        var rule: String {
            switch self {
            case .phone, .noPhone: "phone"
            case .email, .noEmail: "email"
            case .name, .noName: "name"
            case .state, .noState: "state"
            case .zip, .noZip: "zip"
            case .noConsent, .consentWithin15Minutes, .consentWithinADay, .consentWithin30Days, .consentOlder: "consent"
            case .history: "history"
            }
        }

        /// The detail, with the reason's argument where the wording has one (the state; how many times).
        func detail(_ argument: String?) -> String {
            switch self {
            case .phone: "dialable US number"
            case .noPhone: "no dialable number"
            case .email: "valid email given"
            case .noEmail: "no email"
            case .name: "first or last name given"
            case .noName: "no name"
            case .state: "state \(argument ?? "")"
            case .noState: "no state: calling hours come from the area code"
            case .zip: "zip code given"
            case .noZip: "no zip code"
            case .noConsent: "no consent: the lead cannot be called or sold"
            case .consentWithin15Minutes: "consent given within 15 minutes"
            case .consentWithinADay: "consent given within a day"
            case .consentWithin30Days: "consent given within 30 days"
            case .consentOlder: "consent older than 30 days"
            case .history: "submitted \(argument ?? "0") time(s) before"
            }
        }
    }

    /// The reasons as the lead row keeps them: `code:points[:argument]` joined by `;`, such as
    /// `pv:25;ev:15;nv:10;sv:10:TX;zv:5;cw:20` (40 bytes, where the same reasons as JSON took 354 of a lead row's
    /// 570; every byte a lead adds is written twice, to the WAL and then to the database file). Leads stored by
    /// earlier versions hold a JSON array of `{"rule","points","detail"}`, read as such.
    enum Stored {
        struct Writer {
            private(set) var text = ""

            init() { text.reserveCapacity(64) }

            mutating func add(_ wording: Wording, _ points: Int, _ argument: String?) {
                if !text.isEmpty { text.append(";") }
                text.append(wording.rawValue)
                text.append(":")
                text.append(String(points))
                // Arguments are state codes and counts: they never hold a separator.
                if let argument { text.append(":"); text.append(argument) }
            }
        }

        /// The reasons of a stored text; none when it cannot be read (a code from a newer version, a damaged row).
        static func reasons(_ text: String) -> [Reason] {
            if text.utf8.first == UInt8(ascii: "[") {
                return (try? JSONDecoder().decode([Reason].self, from: Data(text.utf8))) ?? []
            }
            var reasons: [Reason] = []
            for part in text.split(separator: ";") {
                let fields = part.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count >= 2, let wording = Wording(rawValue: String(fields[0])), let points = Int(fields[1]) else { return [] }
                reasons.append(Reason(rule: wording.rule, points: points, detail: wording.detail(fields.count > 2 ? String(fields[2]) : nil)))
            }
            return reasons
        }
    }
}
