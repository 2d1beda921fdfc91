import Foundation

extension Exchange {
    /// A stored auction run again as a dry run: its profile offered to the tenant's buyers as they are now (their
    /// filters, hours, caps and budget), live buyers pinged as a test ping pings them (nothing stored, reserved or
    /// shown to another buyer), fixed buyers at their price, all held to the auction's own floor; and who would win.
    public struct Replay: Sendable {
        public struct Entry: Sendable {
            public let buyerID: String
            public let buyerName: String
            /// `bid`, `excluded`, `no bid`, `timed out`, `unreadable`, `failed`, `below the floor` or `above its max`.
            public let outcome: String
            public let bidCents: Int?
            public let detail: String?
            public let milliseconds: Int?
            public let live: Bool
            public fileprivate(set) var wins = false
        }

        public let pingID: String
        public let floorPriceCents: Int
        /// Bids first, best first (the earlier-made buyer first on a tie); then the others in the tenant's order.
        public let entries: [Entry]

        public var winner: Entry? { entries.first(where: \.wins) }
    }

    public func replay(tenantID: String, pingID: String) async throws -> Replay {
        let record = try report(tenantID: tenantID, pingID: pingID).record
        let floor = record.floorPriceCents
        let matches = try buyers.match(tenantID: tenantID, record.profile.matching)
        let entries = await withTaskGroup(of: (Int, Replay.Entry).self) { group in
            for (index, match) in matches.enumerated() {
                group.addTask { [self] in (index, await replayEntry(match, tenantID: tenantID, profile: record.profile, floor: floor)) }
            }
            var found: [(Int, Replay.Entry)] = []
            for await entry in group { found.append(entry) }
            return found
        }
        var ordered = entries.sorted { a, b in
            let (x, y) = (a.1.outcome == "bid" ? a.1.bidCents ?? 0 : -1, b.1.outcome == "bid" ? b.1.bidCents ?? 0 : -1)
            return x != y ? x > y : a.0 < b.0
        }.map(\.1)
        if let first = ordered.first, first.outcome == "bid" { ordered[0].wins = true }
        return Replay(pingID: pingID, floorPriceCents: floor, entries: ordered)
    }

    private func replayEntry(_ match: Buyers.Match, tenantID: String, profile: PingInput.Profile, floor: Int) async -> Replay.Entry {
        let buyer = match.buyer, settings = buyer.settings
        func entry(_ outcome: String, bid: Int? = nil, detail: String? = nil, ms: Int? = nil) -> Replay.Entry {
            Replay.Entry(buyerID: buyer.id, buyerName: buyer.name, outcome: outcome, bidCents: bid, detail: detail, milliseconds: ms, live: settings.bidsLive)
        }
        func priced(_ cents: Int, ms: Int? = nil, detail: String? = nil) -> Replay.Entry {
            if cents < floor { return entry("below the floor", bid: cents, detail: "bid \(cents) cents under the floor of \(floor)", ms: ms) }
            if let max = settings.maxPriceCents, cents > max { return entry("above its max", bid: cents, detail: "bid \(cents) cents over its max of \(max)", ms: ms) }
            return entry("bid", bid: cents, detail: detail, ms: ms)
        }
        switch match.verdict {
        case .excluded(_, let detail):
            return entry("excluded", detail: detail)
        case .eligible(let fixed?):
            return priced(fixed)
        case .eligible(nil):
            do {
                let sent = try await testPing(tenantID: tenantID, buyerID: buyer.id, profile: profile)
                guard sent.verdict == "bid" else { return entry(sent.verdict, detail: sent.detail, ms: sent.milliseconds) }
                guard let cents = sent.priceCents ?? settings.bidCents else {
                    return entry("unreadable", detail: "it bid without a price, and has no fixed bid to fall back on", ms: sent.milliseconds)
                }
                return priced(cents, ms: sent.milliseconds, detail: sent.detail)
            } catch {
                return entry("failed", detail: "\(error)")
            }
        }
    }
}
