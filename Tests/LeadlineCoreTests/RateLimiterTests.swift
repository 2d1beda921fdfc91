import Foundation
import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct RateLimiterTests {
    // 2026-07-26T00:00:00Z, on a minute boundary.
    let start = Date(timeIntervalSince1970: 1_785_024_000)

    @Test func allowsExactlyTheLimitThenRefusesUntilTheWindowResets() {
        let clock = ManualClock(start.addingTimeInterval(15))
        let limiter = RateLimiter(clock: clock)
        for i in 0..<5 {
            let decision = limiter.admit(key: "k", limit: 5)
            #expect(decision.allowed)
            #expect(decision.remaining == 4 - i)
            #expect(decision.reset == Int64(start.timeIntervalSince1970) + 60)
        }
        let refused = limiter.admit(key: "k", limit: 5)
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        #expect(refused.retryAfter == 45)

        clock.advance(by: 44.5)
        #expect(limiter.admit(key: "k", limit: 5).retryAfter == 1)
        clock.advance(by: 0.5)  // the next minute
        let fresh = limiter.admit(key: "k", limit: 5)
        #expect(fresh.allowed)
        #expect(fresh.remaining == 4)
        #expect(fresh.reset == Int64(start.timeIntervalSince1970) + 120)
    }

    @Test func keysAreCountedSeparatelyAndZeroIsUnlimited() {
        let limiter = RateLimiter(clock: ManualClock(start))
        #expect(limiter.admit(key: "a", limit: 1).allowed)
        #expect(!limiter.admit(key: "a", limit: 1).allowed)
        #expect(limiter.admit(key: "b", limit: 1).allowed)
        for _ in 0..<1000 { #expect(limiter.admit(key: "c", limit: 0).allowed) }
    }

    @Test func exactUnderConcurrency() async {
        let limiter = RateLimiter(clock: ManualClock(start))
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var n = 0
                    for _ in 0..<500 where limiter.admit(key: "shared", limit: 1234).allowed { n += 1 }
                    return n
                }
            }
            var total = 0
            for await n in group { total += n }
            return total
        }
        #expect(allowed == 1234)
    }
}
