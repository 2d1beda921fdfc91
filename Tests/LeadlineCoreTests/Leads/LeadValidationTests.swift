import Foundation
@testable import LeadlineCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: ["5551234567", "(555) 123-4567", "+1 555-123-4567", "1-555-123-4567", "555.123.4567", "+15551234567",
                      " 555 123 4567 ", "15551234567"])
    func acceptsTheUsualSpellings(_ text: String) throws {
        #expect(try PhoneNumber.normalize(text) == "+15551234567")
    }

    @Test func refusesWhatIsNotDialable() {
        #expect(throws: PhoneNumber.Problem.empty) { try PhoneNumber.normalize("  ") }
        #expect(throws: PhoneNumber.Problem.wrongLength(9)) { try PhoneNumber.normalize("555123456") }
        #expect(throws: PhoneNumber.Problem.wrongLength(12)) { try PhoneNumber.normalize("555123456789") }
        #expect(throws: PhoneNumber.Problem.wrongLength(11)) { try PhoneNumber.normalize("25551234567") }
        #expect(throws: PhoneNumber.Problem.notDigits) { try PhoneNumber.normalize("555-CALL-NOW") }
        #expect(throws: PhoneNumber.Problem.notDigits) { try PhoneNumber.normalize("555123456#") }
        #expect(throws: PhoneNumber.Problem.badAreaCode("055")) { try PhoneNumber.normalize("0551234567") }
        #expect(throws: PhoneNumber.Problem.badAreaCode("155")) { try PhoneNumber.normalize("+1 155 123 4567") }
        #expect(throws: PhoneNumber.Problem.notUS) { try PhoneNumber.normalize("+44 20 7946 0958") }
        #expect(PhoneNumber.areaCode("+17025551234") == "702")
    }
}

@Suite struct LeadInputTests {
    let now = Date(timeIntervalSince1970: 1_785_000_000)

    @Test func normalisesAndTidies() throws {
        let valid = try LeadInput(phone: "(702) 555-1234", email: " Jane@Example.COM ", firstName: " Jane ", state: "nv",
                                  zipCode: "89101-1234").validated(now: now)
        #expect(valid.phone == "+17025551234")
        #expect(valid.email == "jane@example.com")
        #expect(valid.firstName == "Jane")
        #expect(valid.state == "NV")
        #expect(valid.zipCode == "89101-1234")
        #expect(valid.consent == nil)
    }

    @Test func reportsEveryBadFieldByName() {
        let input = LeadInput(phone: "12", email: "a@b", firstName: String(repeating: "x", count: 101), state: "XX",
                              zipCode: "1234", campaignType: "bad type!",
                              consent: ConsentInput(pageURL: "javascript:alert(1)", ipAddress: "999.1.1.1", consentedAt: "yesterday"))
        do {
            _ = try input.validated(now: now)
            Issue.record("expected validation to fail")
        } catch {
            guard case .invalid(let problems) = error else { Issue.record("expected .invalid"); return }
            #expect(Set(problems.map(\.field)) == ["phone", "email", "first_name", "state", "zip_code", "campaign_type",
                                                    "consent.consent_text", "consent.page_url", "consent.ip_address",
                                                    "consent.consented_at"])
        }
    }

    @Test func consentTimesAreChecked() throws {
        let future = LeadInput(phone: "5551234567", consent: ConsentInput(textVersion: "v1", consentedAt: "2030-01-01T00:00:00Z"))
        #expect(throws: CoreError.invalid([.init("consent.consented_at", "is in the future")])) { try future.validated(now: now) }
        let given = try LeadInput(phone: "5551234567", consent: ConsentInput(textVersion: "v1", consentedAt: "2026-07-25T12:00:00Z"))
            .validated(now: now)
        #expect(given.consent?.consentedAt == Timestamp.parse("2026-07-25T12:00:00Z"))
        #expect(given.consent?.consentType == "tcpa_express_written")
    }
}

@Suite struct LeadStatusTests {
    @Test func finalStatesGoNowhereAndEveryMoveIsListed() {
        #expect(LeadStatus.ineligible.allowedNext.isEmpty)
        #expect(LeadStatus.returned.allowedNext.isEmpty)
        #expect(LeadStatus.new.canMove(to: .qualified))
        #expect(!LeadStatus.new.canMove(to: .accepted))
        #expect(!LeadStatus.accepted.canMove(to: .new))
        #expect(LeadStatus.delivered.canMove(to: .returned))
        for status in LeadStatus.allCases { #expect(!status.canMove(to: status), "\(status) cannot move to itself") }
    }
}

@Suite struct LeadScoreTests {
    @Test func isDeterministicBoundedAndExplained() {
        let facts = LeadScore.Facts(phoneValid: true, email: "a@b.co", hasName: true, state: "TX", zip: "75001",
                                    consentAge: 60, earlierSubmissions: 0)
        let score = LeadScore.compute(facts)
        #expect(score == LeadScore.compute(facts))
        #expect(score.value == 100)
        #expect(score.reasons.reduce(0) { $0 + $1.points } == 100)
        #expect(Set(score.reasons.map(\.rule)) == ["phone", "email", "name", "state", "zip", "consent"])

        let bare = LeadScore.compute(.init(phoneValid: true, email: nil, hasName: false, state: nil, zip: nil, consentAge: nil,
                                           earlierSubmissions: 9))
        #expect(bare.value == 5)
        #expect(bare.reasons.first { $0.rule == "history" }?.points == -20)
    }
}

@Suite struct IdentifierTests {
    @Test func uuidV7IsAUUIDOrderedByTime() {
        let earlier = Identifier.uuidV7(at: Date(timeIntervalSince1970: 1_785_000_000))
        let later = Identifier.uuidV7(at: Date(timeIntervalSince1970: 1_785_000_000.002))
        #expect(UUID(uuidString: earlier) != nil)
        #expect(earlier.count == 36)
        #expect(Array(earlier)[14] == "7", "version 7")
        #expect("89ab".contains(Array(earlier)[19]), "RFC variant")
        #expect(earlier < later)
        #expect(Identifier.uuidV7(at: Date(timeIntervalSince1970: 1_785_000_000)) != earlier, "random after the time")
    }

    @Test func sortableIdsKeepThePrefixAndFollowTime() {
        let a = Identifier.sortable("cert", at: Date(timeIntervalSince1970: 1_785_000_000))
        let b = Identifier.sortable("cert", at: Date(timeIntervalSince1970: 1_785_000_001))
        #expect(a.hasPrefix("cert_"))
        #expect(a.count == 5 + 9 + 12)
        #expect(a < b)
        #expect(a.dropFirst(5).allSatisfy { $0.isLowercase || $0.isNumber })
    }
}

@Suite struct CanonicalJSONTests {
    @Test func escapesLikeJSONEncoderAndReadsBack() throws {
        let awkward = ["b": "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 日本 😀", "a": "plain"]
        let written = CanonicalJSON(awkward).string
        #expect(try JSONDecoder().decode([String: String].self, from: Data(written.utf8)) == awkward)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(written == String(decoding: try encoder.encode(awkward), as: UTF8.self))
        var numbers = CanonicalJSON()
        numbers.add("points", -5)
        numbers.add("skipped", nil as String?)
        #expect(numbers.string == #"{"points":-5}"#)
    }
}
