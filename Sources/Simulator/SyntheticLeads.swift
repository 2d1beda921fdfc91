import Foundation
import LeadlineCore

/// Made-up consumers for rehearsals: consented leads spread across states, with a share of bad ones (numbers that
/// cannot be dialled), duplicates (a number sent before) and unconsented ones, drawn from a seeded generator so a run
/// repeats exactly. Numbers use real area codes of the lead's state, so the compliance gate judges them as it would
/// a real lead's.
public struct SyntheticLeads: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case good, bad, duplicate, unconsented
    }

    public struct Lead: @unchecked Sendable {
        public let kind: Kind
        public let campaignType: String
        public let firstName: String, lastName: String, email: String, phone: String, state: String, zipCode: String
        /// The consent block in the EZLeeds spelling; nil for an unconsented lead.
        public let consent: [String: Any]?

        /// The body of `POST /api/v1/leads/inbound`.
        public var ezleeds: [String: Any] {
            var body: [String: Any] = ["first_name": firstName, "last_name": lastName, "email": email, "phone": phone, "state": state,
                                       "zip_code": zipCode, "campaign_type": campaignType, "source": "simulator"]
            body["consent"] = consent
            return body
        }

        /// The body of lead2inbound's `POST /v1/leads`: the quickstart's fields, no campaign type (the lead is called,
        /// not auctioned).
        public var lead2Inbound: [String: Any] {
            var body: [String: Any] = ["first_name": firstName, "last_name": lastName, "email": email, "phone": phone, "state": state,
                                       "zip_code": zipCode, "source": "simulator"]
            if let consent {
                body["consent"] = ["consent_timestamp": consent["consented_at"] ?? "", "consent_text_version": "sim-v1",
                                   "source_url": consent["page_url"] ?? ""]
            }
            return body
        }

        /// A ping: the profile without personal data, plus the SHA-256-free fields a ping may carry.
        public var ping: [String: Any] { ["campaign_type": campaignType, "state": state, "zip_code": zipCode, "source": "simulator"] }

        /// The post's lead block.
        public var postLead: [String: Any] {
            ["first_name": firstName, "last_name": lastName, "phone": phone, "email": email, "state": state, "zip_code": zipCode]
        }
    }

    /// Shares of each kind (the rest are good), and the campaign types with their weights.
    public struct Mix: Sendable {
        public var bad = 0.0, duplicate = 0.0, unconsented = 0.0
        public var campaignTypes: [(String, Double)] = [("auto_insurance", 1)]
        public init(bad: Double = 0, duplicate: Double = 0, unconsented: Double = 0, campaignTypes: [(String, Double)] = [("auto_insurance", 1)]) {
            self.bad = bad; self.duplicate = duplicate; self.unconsented = unconsented; self.campaignTypes = campaignTypes
        }
    }

    var random: SplitMix64
    let mix: Mix
    /// Numbers already sent, for duplicates.
    var sent: [Lead] = []
    var serial = 0

    public init(seed: UInt64, mix: Mix) {
        random = SplitMix64(seed: seed)
        self.mix = mix
    }

    /// The next lead; `consentedAt` is the consent time written on it (the server's clock, in a rehearsal).
    public mutating func next(consentedAt: Date) -> Lead {
        serial += 1
        let draw = random.unit()
        if draw < mix.duplicate, !sent.isEmpty {
            let earlier = sent[Int(random.unit() * Double(sent.count))]
            return Lead(kind: .duplicate, campaignType: earlier.campaignType, firstName: earlier.firstName, lastName: earlier.lastName,
                        email: earlier.email, phone: earlier.phone, state: earlier.state, zipCode: earlier.zipCode,
                        consent: earlier.consent)
        }
        let kind: Kind = draw < mix.duplicate + mix.bad ? .bad : draw < mix.duplicate + mix.bad + mix.unconsented ? .unconsented : .good
        let (state, areaCodes, zipPrefix) = Self.states[pick(Self.states.count)]
        let first = Self.firstNames[pick(Self.firstNames.count)], last = Self.lastNames[pick(Self.lastNames.count)]
        var line = 1000 + pick(9000)
        if [100, 200, 300, 400, 500, 600, 900].contains(line % 10_000) { line += 1 }   // the voice simulator's test numbers
        let exchange = 200 + pick(800)
        let phone = kind == .bad ? Self.badPhones[pick(Self.badPhones.count)]
                                 : "\(areaCodes[pick(areaCodes.count)])\(exchange)\(String(format: "%04d", line))"
        let zip = zipPrefix + String(format: "%02d", pick(100))
        let email = "\(first.lowercased()).\(last.lowercased())\(serial)@example.com"
        let consent: [String: Any]? = kind == .unconsented ? nil : [
            "consent_type": "tcpa_express_written",
            "consent_text": "By clicking Get my quote I agree to be contacted by phone, text and email, including by automated means.",
            "ip_address": "203.0.113.\(1 + pick(250))", "page_url": "https://quotes.example.com/start",
            "consented_at": Timestamp.format(consentedAt.addingTimeInterval(-Double(5 + pick(120)))),
        ]
        let lead = Lead(kind: kind, campaignType: campaignType(), firstName: first, lastName: last, email: email, phone: phone,
                        state: state, zipCode: zip, consent: consent)
        if kind == .good || kind == .unconsented {
            // Duplicates are drawn from the latest 10,000, so a long run's memory stays flat.
            if sent.count == 10_000 { sent.removeFirst(5_000) }
            sent.append(lead)
        }
        return lead
    }

    /// A draw in [0, 1) from the same generator, for the caller's own choices.
    public mutating func unit() -> Double { random.unit() }

    mutating func pick(_ count: Int) -> Int { min(count - 1, Int(random.unit() * Double(count))) }

    mutating func campaignType() -> String {
        let total = mix.campaignTypes.reduce(0) { $0 + $1.1 }
        var draw = random.unit() * total
        for (type, weight) in mix.campaignTypes {
            if draw < weight { return type }
            draw -= weight
        }
        return mix.campaignTypes.last?.0 ?? "auto_insurance"
    }

    /// States with some of their area codes and a zip prefix.
    static let states: [(String, [Int], String)] = [
        ("TX", [512, 214, 713, 210], "787"), ("CA", [415, 213, 916, 619], "941"), ("FL", [305, 407, 813], "331"),
        ("NY", [212, 518, 716], "100"), ("AZ", [602, 480, 520], "850"), ("NV", [702, 775], "891"), ("GA", [404, 770], "303"),
        ("IL", [312, 217], "606"), ("OH", [614, 216], "432"), ("PA", [215, 412], "191"), ("NC", [919, 704], "276"),
        ("WA", [206, 509], "981"), ("CO", [303, 719], "802"), ("MI", [313, 616], "482"), ("NJ", [201, 609], "071"),
    ]
    static let badPhones = ["123", "555123456789", "0005551234", "(111) 555-0199", "call me", "+44 20 7946 0958"]
    static let firstNames = ["Ava", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jamal", "Kim", "Luis", "Maya",
                             "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara"]
    static let lastNames = ["Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Brown", "Kim", "Lopez", "Walker", "Young", "Chen",
                            "Diaz", "Evans", "Fischer", "Hughes"]
}
