import Foundation
@testable import LeadlineCore
import Testing

@Suite struct ReservationsTests {
    let now = Date(timeIntervalSince1970: 1_785_000_000)

    @Test func holdsCountUntilReleasedOrExpired() throws {
        let book = Reservations()
        let buyer = Reservations.buyer("buyer_a")
        var loads = 0
        func usage(at date: Date) throws -> SalesUsage {
            try book.usage(buyer, windows: "w1", now: date) {
                loads += 1
                var committed = SalesUsage()
                committed.add(cents: 1000)
                return committed
            }
        }
        #expect(try usage(at: now).day == 1)
        book.hold(pingID: "ping_1", [(buyer, 500)], expiresAt: now.addingTimeInterval(60))
        book.hold(pingID: "ping_2", [(buyer, 700)], expiresAt: now.addingTimeInterval(30))
        let held = try usage(at: now)
        #expect(held.day == 3)
        #expect(held.spendCents == 2200)
        #expect(book.isHeld(pingID: "ping_1", buyer, now: now))

        // A sale settles its hold into the committed count; a release drops a ping's holds.
        book.settle(pingID: "ping_1", buyer, cents: 500)
        #expect(!book.isHeld(pingID: "ping_1", buyer, now: now))
        #expect(try usage(at: now).day == 3)
        book.release(pingID: "ping_2")
        #expect(try usage(at: now).day == 2)
        // Counted once per window: the loader ran once.
        #expect(loads == 1)
        #expect(try book.usage(buyer, windows: "w2", now: now) { SalesUsage() }.day == 0)

        // Expiry: a hold stops counting at its ping's expiry.
        book.hold(pingID: "ping_3", [(buyer, 100)], expiresAt: now.addingTimeInterval(10))
        #expect(try book.usage(buyer, windows: "w2", now: now) { SalesUsage() }.day == 1)
        #expect(try book.usage(buyer, windows: "w2", now: now.addingTimeInterval(11)) { SalesUsage() }.day == 0)
    }

    @Test func aPersonIsClaimedByOneOpenPingAtATime() {
        let book = Reservations()
        let expires = now.addingTimeInterval(60)
        #expect(book.claim(person: "t:abc", pingID: "ping_1", expiresAt: expires, now: now) == nil)
        #expect(book.claim(person: "t:abc", pingID: "ping_2", expiresAt: expires, now: now) == "ping_1")
        book.release(pingID: "ping_1")
        #expect(book.claim(person: "t:abc", pingID: "ping_2", expiresAt: expires, now: now) == nil)
        // An expired claim no longer stands.
        #expect(book.claim(person: "t:abc", pingID: "ping_3", expiresAt: expires, now: expires.addingTimeInterval(1)) == nil)
    }
}
