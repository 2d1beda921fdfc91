import Foundation

/// A lead as a caller sends it (any dialect, the console, a CSV row), before validation.
public struct LeadInput: Sendable {
    public var phone: String?
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var state: String?
    public var zipCode: String?
    public var source: String?
    public var campaignType: String?
    public var consent: ConsentInput?

    public init(phone: String? = nil, email: String? = nil, firstName: String? = nil, lastName: String? = nil,
                state: String? = nil, zipCode: String? = nil, source: String? = nil, campaignType: String? = nil,
                consent: ConsentInput? = nil) {
        self.phone = phone
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.state = state
        self.zipCode = zipCode
        self.source = source
        self.campaignType = campaignType
        self.consent = consent
    }

    /// A checked and normalised lead: phone in E.164, email lowercased, state upper-cased.
    public struct Valid: Sendable {
        public var phone: String
        public var email: String?
        public var firstName: String?
        public var lastName: String?
        public var state: String?
        public var zipCode: String?
        public var source: String?
        public var campaignType: String?
        public var consent: ConsentInput.Valid?
    }

    public func validated(now: Date) throws(CoreError) -> Valid {
        var checks = FieldChecks()
        func tidy(_ value: String?, _ field: String, max: Int) -> String? { checks.text(value, field, max: max) }
        var phoneE164 = ""
        do { phoneE164 = try PhoneNumber.normalize(phone ?? "") } catch { checks.fail("phone", error.description) }

        let email = tidy(email, "email", max: 254)?.lowercased()
        if let email, !Self.looksLikeEmail(email) { checks.fail("email", "must be an email address like name@example.com") }
        let state = tidy(state, "state", max: 2)?.uppercased()
        if let state, !USStates.codes.contains(state) { checks.fail("state", "must be a US state or DC code such as TX") }
        let zip = tidy(zipCode, "zip_code", max: 10)
        if let zip, !Self.isZip(zip) { checks.fail("zip_code", "must be 5 digits or 5+4 (12345 or 12345-6789)") }
        let campaignType = tidy(campaignType, "campaign_type", max: 64)
        if let campaignType, !campaignType.isCampaignType {
            checks.fail("campaign_type", "may use letters, digits, _ and - only")
        }
        var validConsent: ConsentInput.Valid?
        if let consent {
            let (valid, consentProblems) = consent.validated(now: now)
            validConsent = valid
            for problem in consentProblems { checks.fail(problem.field, problem.reason) }
        }
        let valid = Valid(phone: phoneE164, email: email, firstName: tidy(firstName, "first_name", max: 100),
                          lastName: tidy(lastName, "last_name", max: 100), state: state, zipCode: zip,
                          source: tidy(source, "source", max: 200), campaignType: campaignType, consent: validConsent)
        if !checks.problems.isEmpty { throw .invalid(checks.problems) }
        return valid
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        // Printable ASCII (nearly every address) is checked byte by byte; anything else by characters below.
        if let plain = looksLikeASCIIEmail(text.utf8) { return plain }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return false }
        guard !text.contains(where: { $0 == " " || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" || $0 == "\"" }) else { return false }
        return domain.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." } && labels.last!.count >= 2
    }

    /// The same rules as `looksLikeEmail` over bytes; nil when the text is not printable ASCII (where bytes and
    /// characters could count differently).
    private static func looksLikeASCIIEmail(_ text: String.UTF8View) -> Bool? {
        var at: String.UTF8View.Index?
        for index in text.indices {
            let byte = text[index]
            guard byte >= 0x20, byte < 0x7F else { return nil }
            switch byte {
            case UInt8(ascii: "@"):
                if at != nil { return false }
                at = index
            case UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""):
                return false
            default: break
            }
        }
        guard let at else { return false }
        let local = text.distance(from: text.startIndex, to: at)
        guard local > 0, local <= 64 else { return false }
        var labels = 0, label = 0
        for byte in text[text.index(after: at)...] {
            if byte == UInt8(ascii: ".") {
                guard label > 0, label <= 63 else { return false }
                labels += 1
                label = 0
                continue
            }
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard letter || digit || byte == UInt8(ascii: "-") else { return false }
            label += 1
        }
        // The last label: a top-level domain of two characters or more.
        return labels >= 1 && label >= 2 && label <= 63
    }

    /// `12345`, `12345-6789` or `123456789`.
    public static func isZip(_ text: String) -> Bool {
        let bytes = text.utf8
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        switch bytes.count {
        case 5, 9: return bytes.allSatisfy(isDigit)
        case 10:
            return bytes.enumerated().allSatisfy { index, byte in index == 5 ? byte == UInt8(ascii: "-") : isDigit(byte) }
        default: return false
        }
    }
}
