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

    @Test func emailsAreJudgedAlikeByBytesAndByCharacters() {
        let good = ["p1@example.com", "jane.doe+quotes@mail.example.co.uk", "a@b.co", "x@xn--bcher-kva.example",
                    String(repeating: "l", count: 64) + "@example.com", "o'brien@example.com", "a@" + String(repeating: "d", count: 63) + ".com"]
        let bad = ["a@b", "@example.com", "a@@example.com", "a@b@example.com", "a b@example.com", "a@example..com", "a@.example.com",
                   "a@example.com.", "a@example.c", "a@exa_mple.com", "a;b@example.com", "<a@example.com>", "\"a\"@example.com",
                   String(repeating: "l", count: 65) + "@example.com", "a@" + String(repeating: "d", count: 64) + ".com", "plain"]
        for email in good { #expect(LeadInput.looksLikeEmail(email), "\(email)") }
        for email in bad { #expect(!LeadInput.looksLikeEmail(email), "\(email)") }
        // Outside printable ASCII the characters decide: a letter of any script in the domain, a CRLF counted once.
        #expect(LeadInput.looksLikeEmail("jane@bücher.example"))
        #expect(!LeadInput.looksLikeEmail("jane@exa\u{7}mple.com"))
    }
}

@Suite struct TimestampTests {
    @Test func theUsualFormIsReadAsFoundationReadsIt() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_102_444_800, using: &generator)))
            let whole = String(Timestamp.format(date).prefix(19)) + "Z"
            for text in [whole, Timestamp.format(date.addingTimeInterval(0.123)), String(whole.dropLast()) + ".5Z",
                         String(whole.dropLast()) + ".123456Z"] {
                let fast = try #require(Timestamp.parseUTC(text.utf8), "\(text)")
                let foundation = try #require((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                                              ?? (try? Date.ISO8601FormatStyle().parse(text)))
                #expect(abs(fast.timeIntervalSince1970 - foundation.timeIntervalSince1970) < 0.000_01, "\(text)")
            }
            // Exact in binary, so written back alike (a fraction such as .123 is not, and either reading may be written
            // back a millisecond short: `format` truncates).
            for text in [whole, String(whole.dropLast()) + ".5Z"] {
                #expect(Timestamp.parseUTC(text.utf8).map(Timestamp.format) == Timestamp.format(try #require(Timestamp.parse(text))))
                #expect(Timestamp.format(try #require(Timestamp.parseUTC(text.utf8))).hasPrefix(String(text.prefix(19))))
            }
        }
        #expect(Timestamp.parseUTC("2024-02-29T23:59:59Z".utf8) == Date(timeIntervalSince1970: 1_709_251_199))
    }

    @Test func timesAreWrittenAsFoundationWritesThem() {
        let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        // Random times to the microsecond across the whole range, the edges of days, leap days and milliseconds.
        var intervals = (0..<3_000).map { _ in Double(Int.random(in: 0...253_402_300_799_999_999, using: &generator)) / 1_000_000 }
        intervals += [0, 0.0005, 0.0015, 0.9995, 0.9999, 1.0004, 86_399.999, 86_400, 951_782_400, 1_709_251_199.999_9,
                      4_107_542_400, 253_402_300_799.999]
        for interval in intervals {
            let date = Date(timeIntervalSince1970: interval)
            #expect(Timestamp.formatUTC(date) == date.formatted(foundation), "\(interval)")
        }
        // Outside 1970-9999 Foundation writes it.
        #expect(Timestamp.formatUTC(Date(timeIntervalSince1970: -1)) == nil)
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
    }

    @Test func otherFormsAreLeftToFoundation() {
        for text in ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z",
                     "2026-01-01T00:00:00+02:00", "2026-01-01T00:00:00.Z", "1969-12-31T23:59:59Z", "yesterday", ""] {
            #expect(Timestamp.parseUTC(text.utf8) == nil, "\(text)")
        }
        #expect(Timestamp.parse("2026-01-01T02:00:00+02:00") == Timestamp.parse("2026-01-01T00:00:00Z"))
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

    /// Every combination of facts is explained rule by rule, in the wording the API shows, and stored in a few bytes.
    @Test func everyCombinationOfFactsIsExplained() {
        var seen = 0
        for phone in [true, false] {
            for email in [nil, "a@b.co"] as [String?] {
                for name in [true, false] {
                    for state in [nil, "TX", "DC"] as [String?] {
                        for zip in [nil, "75001"] as [String?] {
                            for age in [nil, 60, 7200, 5 * 86400, 40 * 86400] as [Double?] {
                                for earlier in [0, 1, 3, 9] {
                                    let score = LeadScore.compute(.init(phoneValid: phone, email: email, hasName: name, state: state,
                                                                        zip: zip, consentAge: age, earlierSubmissions: earlier))
                                    let consent: (Int, String) = switch age {
                                    case nil: (0, "no consent: the lead cannot be called or sold")
                                    case 60: (35, "consent given within 15 minutes")
                                    case 7200: (30, "consent given within a day")
                                    case 5 * 86400: (20, "consent given within 30 days")
                                    default: (5, "consent older than 30 days")
                                    }
                                    var expected = [
                                        LeadScore.Reason(rule: "phone", points: phone ? 25 : 0, detail: phone ? "dialable US number" : "no dialable number"),
                                        LeadScore.Reason(rule: "email", points: email != nil ? 15 : 0, detail: email != nil ? "valid email given" : "no email"),
                                        LeadScore.Reason(rule: "name", points: name ? 10 : 0, detail: name ? "first or last name given" : "no name"),
                                        LeadScore.Reason(rule: "state", points: state != nil ? 10 : 0,
                                                         detail: state.map { "state \($0)" } ?? "no state: calling hours come from the area code"),
                                        LeadScore.Reason(rule: "zip", points: zip != nil ? 5 : 0, detail: zip != nil ? "zip code given" : "no zip code"),
                                        LeadScore.Reason(rule: "consent", points: consent.0, detail: consent.1),
                                    ]
                                    if earlier > 0 {
                                        expected.append(LeadScore.Reason(rule: "history", points: -min(20, 5 * earlier),
                                                                         detail: "submitted \(earlier) time(s) before"))
                                    }
                                    #expect(score.reasons == expected, "\(score.stored)")
                                    #expect(score.value == max(0, min(100, expected.reduce(0) { $0 + $1.points })))
                                    #expect(score.stored.utf8.count <= 60)
                                    seen += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(seen == 960)
    }

    /// Stored reasons outlive the version that wrote them: codes keep their meaning, and the JSON of earlier versions
    /// still reads.
    @Test func storedFormsOfEveryVersionRead() {
        let expected = [
            LeadScore.Reason(rule: "phone", points: 25, detail: "dialable US number"),
            LeadScore.Reason(rule: "email", points: 0, detail: "no email"),
            LeadScore.Reason(rule: "name", points: 10, detail: "first or last name given"),
            LeadScore.Reason(rule: "state", points: 10, detail: "state TX"),
            LeadScore.Reason(rule: "zip", points: 5, detail: "zip code given"),
            LeadScore.Reason(rule: "consent", points: 20, detail: "consent given within 30 days"),
            LeadScore.Reason(rule: "history", points: -10, detail: "submitted 2 time(s) before"),
        ]
        #expect(LeadScore.Stored.reasons("pv:25;ex:0;nv:10;sv:10:TX;zv:5;cw:20;hv:-10:2") == expected)
        let json = """
            [{"detail":"dialable US number","points":25,"rule":"phone"},{"detail":"no email","points":0,"rule":"email"},\
            {"detail":"first or last name given","points":10,"rule":"name"},{"detail":"state TX","points":10,"rule":"state"},\
            {"detail":"zip code given","points":5,"rule":"zip"},{"detail":"consent given within 30 days","points":20,"rule":"consent"},\
            {"detail":"submitted 2 time(s) before","points":-10,"rule":"history"}]
            """
        #expect(LeadScore.Stored.reasons(json) == expected)
        #expect(LeadScore.Stored.reasons("[]").isEmpty)
        for unreadable in ["pv:25;qq:3", "pv", "pv:x", "[{", ""] {
            #expect(LeadScore.Stored.reasons(unreadable).isEmpty, "\(unreadable)")
        }
    }
}

@Suite struct IdentifierTests {
    @Test func uuidV7IsAUUIDOrderedByTime() {
        let earlier = Identifier.uuidV7s(1, at: Date(timeIntervalSince1970: 1_785_000_000))[0]
        let later = Identifier.uuidV7s(1, at: Date(timeIntervalSince1970: 1_785_000_000.002))[0]
        #expect(UUID(uuidString: earlier) != nil)
        #expect(earlier.count == 36)
        #expect(Array(earlier)[14] == "7", "version 7")
        #expect("89ab".contains(Array(earlier)[19]), "RFC variant")
        #expect(earlier < later)
        #expect(Identifier.uuidV7s(1, at: Date(timeIntervalSince1970: 1_785_000_000))[0] != earlier, "random after the time")
    }

    /// Ids made in this process only ever increase: within one millisecond they count on (and a run of more than the
    /// 4,096 a millisecond has carries into the next), and an earlier time (a clock set back) does not take them back.
    @Test func uuidV7sIncreaseAcrossCallsMillisecondsAndThreads() async {
        let at = Date(timeIntervalSince1970: 1_785_000_100)
        let run = Identifier.uuidV7s(5000, at: at)
        #expect(run.count == 5000 && zip(run, run.dropFirst()).allSatisfy { $0 < $1 })
        #expect(run.allSatisfy { UUID(uuidString: $0) != nil && Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) })
        let back = Identifier.uuidV7s(1, at: at.addingTimeInterval(-60))[0]
        #expect(back > run.last!, "a clock set back does not take ids back")
        #expect(Identifier.uuidV7s(0, at: at).isEmpty)

        // Blocks taken at once by many tasks: every id distinct, every block increasing and not overlapping another.
        let blocks = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { Identifier.uuidV7s(500, at: Date()) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(blocks.joined()).count == 4000)
        for block in blocks {
            #expect(zip(block, block.dropFirst()).allSatisfy { $0 < $1 })
            #expect(blocks.allSatisfy { other in other == block || other.last! < block.first! || other.first! > block.last! })
        }
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
        // Numbers are written digit by digit: the edges as Swift writes them.
        for value in [0, 7, 9, 10, 99, 100, 101, -1, -10, 1_000_000, Int.max, Int.min] {
            var one = CanonicalJSON()
            one.add("n", value)
            #expect(one.string == #"{"n":\#(value)}"#)
        }
    }
}
