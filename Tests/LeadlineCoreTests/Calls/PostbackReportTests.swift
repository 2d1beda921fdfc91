import LeadlineCore
import Testing

@Suite struct PostbackReportTests {
    @Test func theCommonPlatformNamesAreRead() {
        let quickstart = PostbackReport(fields: [("caller_id", "+15551234567"), ("duration", "247"), ("buyer", "Acme"), ("payout", "38.50")])
        #expect(quickstart.callerID == "+15551234567")
        #expect(quickstart.durationSeconds == 247)
        #expect(quickstart.buyer == "Acme")
        #expect(quickstart.revenueCents == 3850)
        #expect(quickstart.problems.isEmpty)

        // Ringba/Retreaver-style spellings, any case, dollars with a sign, the platform's own call id.
        let ringba = PostbackReport(fields: [("ANI", "(555) 123-4567"), ("Call_Duration", "61.6"), ("target", "Acme Target"),
                                             ("call_revenue", "$1,038.5"), ("call_uuid", "RB-123")])
        #expect(ringba.callerID == "+15551234567")
        #expect(ringba.durationSeconds == 62)
        #expect(ringba.buyer == "Acme Target")
        #expect(ringba.revenueCents == 103_850)
        #expect(ringba.platformCallID == "RB-123")
        #expect(ringba.echoedID == nil)

        // Cents win over dollars; an id Leadline gave out is an echo, not the platform's id.
        let echoed = PostbackReport(fields: [("payout_cents", "1200"), ("payout", "99"), ("callid", "xfer_abc"), ("from", "15551234567")])
        #expect(echoed.revenueCents == 1200)
        #expect(echoed.echoedID == "xfer_abc")
        #expect(echoed.platformCallID == nil)
        #expect(echoed.callerID == "+15551234567")
    }

    @Test func unreadableValuesAreNamedNotGuessed() {
        let bad = PostbackReport(fields: [("payout", "[Call:ConversionPayout]"), ("duration", "long"), ("payout_cents", "")])
        #expect(bad.revenueCents == nil)
        #expect(bad.durationSeconds == nil)
        #expect(Set(bad.problems.map(\.field)) == ["payout", "duration"])
        let amounts: [String: Int?] = ["-5": nil, "1.234": nil, "1e3": nil, "12.": nil, "$": nil, ".5": 50, "0.07": 7, "$0": 0]
        for (text, cents) in amounts {
            #expect(PostbackReport(fields: [("payout", text)]).revenueCents == cents, "\(text)")
        }
        #expect(PostbackReport(fields: [("caller_id", "anonymous")]).callerID == "anonymous")
    }
}
