import Foundation
import GRDB
import Logging
import OutboundHTTP
import Store

/// The ping-post exchange: a ping collects bids for a lead's profile (fixed prices at once, live bids over HTTP in
/// parallel, all within one deadline) and reserves the bidders' capacity; a post sells the lead to a bidder at the
/// price its bid locked and delivers it. Every auction is stored with each buyer's outcome.
public struct Exchange: Sendable {
    /// How long bids stand.
    public static let bidLifetime: TimeInterval = 60

    /// The deadline is when the answer goes out, so bids are collected until a little before it, leaving time to
    /// reserve, store and answer: 10% of the deadline, 5 to 10 ms. Storing waits for a group commit's fsync, and under
    /// load the pings of a burst time out together and are finished one after another; with 5% (5 ms at a 100 ms
    /// deadline) the answer overshot the deadline by 6–18 ms at the 99th percentile under 32 concurrent pings.
    static func answerMargin(_ deadlineMs: Int) -> Duration { .milliseconds(min(max(deadlineMs / 10, 5), 10)) }

    let store: SQLiteStore
    let clock: any Clock
    let buyers: Buyers
    let leads: Leads
    let outbound: OutboundClient
    let logger = Logger(label: "leadline.exchange")
    let settings = AuctionSettings()
    var reservations: Reservations { buyers.reservations }

    public init(store: SQLiteStore, clock: any Clock, buyers: Buyers, leads: Leads, outbound: OutboundClient) {
        self.store = store
        self.clock = clock
        self.buyers = buyers
        self.leads = leads
        self.outbound = outbound
    }

    /// After a restart: posts that were under way when the server stopped are marked failed (their buyer's answer
    /// was never read), and the reservations of pings still open are made again.
    public func recover() throws {
        let now = clock.now, stamp = Timestamp.format(now)
        let open = try store.writeNow { db -> [PingRecord] in
            try db.execute(sql: """
                UPDATE lead_sales SET status = 'failed', reason = 'interrupted: the server stopped while the post was under way', updated_at = ?
                WHERE status = 'posting'
                """, arguments: [stamp])
            try db.execute(sql: "UPDATE pings SET status = 'unsold' WHERE status = 'posting'")
            return try Row.fetchAll(db, sql: "SELECT * FROM pings WHERE status = 'open' AND expires_at > ?", arguments: [stamp]).map(PingRecord.init)
        }
        for ping in open {
            let expiresAt = Timestamp.parse(ping.expiresAt) ?? now
            var holds = ping.bids.filter { $0.held == true }.map { (Reservations.buyer($0.buyer_id), $0.bid_cents ?? 0) }
            if let campaignID = ping.campaignID, let best = ping.bids.first?.bid_cents { holds.append((Reservations.campaign(campaignID), best)) }
            reservations.hold(pingID: ping.id, holds, expiresAt: expiresAt)
            if let hash = ping.profile.phone_hash {
                _ = reservations.claim(person: Reservations.person(tenantID: ping.tenantID, phoneHash: hash), pingID: ping.id,
                                       expiresAt: expiresAt, now: now)
            }
        }
    }

    // MARK: Ping

    public func ping(tenantID: String, _ input: PingInput) async throws -> PingRecord {
        let started = ContinuousClock.now
        var profile = try input.validated()
        let now = clock.now
        let (rules, campaign) = try settings.settings(store, tenantID: tenantID, campaignID: input.campaignID, type: profile.campaign_type)
        if let campaign {
            if let type = profile.campaign_type, type != campaign.campaignType {
                throw CoreError.invalid([.init("campaign_type", "does not match campaign \(campaign.id) (\(campaign.campaignType))")])
            }
            profile.campaign_type = campaign.campaignType
        }
        let floor = campaign?.settings.floorPriceCents ?? rules.floorPriceCents
        let pingID = Identifier.sortable("ping", at: now)
        let expiresAt = now.addingTimeInterval(Self.bidLifetime)

        if let hash = profile.phone_hash,
           let open = reservations.claim(person: Reservations.person(tenantID: tenantID, phoneHash: hash), pingID: pingID,
                                         expiresAt: expiresAt, now: now) {
            throw CoreError.refused(code: "duplicate_ping", "this person (phone_hash) is already in an open auction, \(open); post to it or wait until it expires")
        }
        do {
            var outcomes: [BidOutcome] = []
            var live: [BuyerDirectory.Entry] = []
            let entries = try buyers.entries(tenantID: tenantID)
            let closed = campaign.flatMap { Self.campaignRefusal($0, profile) }
            for entry in entries {
                let buyer = entry.buyer
                if let closed {
                    outcomes.append(.excluded(buyer, code: "campaign", detail: closed))
                } else if case .excluded(let code, let detail)? = Buyers.filterExclusion(buyer, profile.matching, at: now) {
                    outcomes.append(.excluded(buyer, code: code, detail: detail))
                } else if buyer.settings.hasLimits,
                          case .excluded(let code, let detail)? = Buyers.limitExclusion(buyer.settings, usage: try buyers.usage(of: buyer, at: now),
                                                                                       priceCents: buyer.settings.bidsLive ? 0 : buyer.settings.bidCents ?? 0) {
                    outcomes.append(.excluded(buyer, code: code, detail: detail))
                } else if buyer.settings.bidsLive {
                    live.append(entry)
                } else {
                    outcomes.append(BidOutcome(buyer, .bid, bidCents: buyer.settings.bidCents))
                }
            }
            let body = live.isEmpty ? [] : try StoredJSON.bytes(BuyerRequests.PingBody(
                ping_id: pingID, campaign_type: profile.campaign_type, state: profile.state, zip_code: profile.zip_code,
                source: profile.source, phone_hash: profile.phone_hash, floor_price_cents: floor, expires_at: Timestamp.format(expiresAt)))
            outcomes += await liveBids(live, body: body, pingID: pingID, now: now,
                                       deadline: started + .milliseconds(rules.auctionDeadlineMs) - Self.answerMargin(rules.auctionDeadlineMs))
            for index in outcomes.indices where outcomes[index].outcome == .bid {
                Self.applyPriceLimits(&outcomes[index], floor: floor, maxPrice: entries.first { $0.buyer.id == outcomes[index].buyer_id }?.buyer.settings.maxPriceCents)
            }
            let ranked = Self.ranked(outcomes)
            let record = try await reserveAndStore(tenantID: tenantID, pingID: pingID, campaign: campaign, profile: profile, floor: floor,
                                                   deadlineMs: rules.auctionDeadlineMs, outcomes: ranked, entries: entries, now: now,
                                                   expiresAt: expiresAt, tookMs: (ContinuousClock.now - started).wholeMilliseconds)
            return record
        } catch {
            reservations.release(pingID: pingID)
            throw error
        }
    }

    /// The campaign a ping is for: the one it names, or the tenant's first active campaign of its type (if any).
    static func campaign(_ db: GRDB.Database, tenantID: String, id: String?, type: String?) throws -> Campaign? {
        if let id {
            let campaign = try Campaigns.fetch(db, tenantID: tenantID, campaignID: id)
            guard campaign.status == .active else { throw CoreError.refused(code: "campaign_paused", "campaign \(id) is paused") }
            return campaign
        }
        guard let type else { return nil }
        return try Row.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM campaigns WHERE tenant_id = ? AND campaign_type = ? AND status = 'active' ORDER BY created_at, id LIMIT 1
            """), arguments: [tenantID, type]).map(Campaign.init)
    }

    /// Why a campaign sells nothing for this profile (its states); its limits are checked when bids are reserved.
    static func campaignRefusal(_ campaign: Campaign, _ profile: PingInput.Profile) -> String? {
        if !campaign.settings.states.isEmpty && !campaign.settings.states.contains(profile.state ?? "") {
            return "campaign \(campaign.id) does not sell in \(profile.state ?? "an unknown state")"
        }
        return nil
    }

    /// Asks every live bidder at once; each request's timeout ends by the deadline, so no answer can hold the ping
    /// past it.
    func liveBids(_ entries: [BuyerDirectory.Entry], body: [UInt8], pingID: String, now: Date,
                  deadline: ContinuousClock.Instant) async -> [BidOutcome] {
        var outcomes: [BidOutcome] = []
        var asked: [(buyer: Buyer, request: OutboundRequest)] = []
        for entry in entries {
            let buyer = entry.buyer
            let timeout = min(Duration.milliseconds(buyer.settings.timeoutMs), deadline - ContinuousClock.now)
            guard timeout >= .milliseconds(1), let url = buyer.settings.pingUrl else {
                var outcome = BidOutcome(buyer, .timedOut)
                outcome.detail = "no time was left before the auction's deadline"
                outcomes.append(outcome)
                continue
            }
            asked.append((buyer, BuyerRequests.request(to: url, event: "ping", id: pingID, body: body, secret: entry.secret, at: now,
                                                       timeout: timeout, policy: buyers.policy)))
        }
        let results = await outbound.sendAll(asked.map(\.request))
        for ((buyer, _), result) in zip(asked, results) {
            outcomes.append(BidOutcome(buyer, answer: BuyerRequests.read(result, rule: buyer.settings.responseParsing ?? .standard)))
        }
        return outcomes
    }

    /// Drops a bid above the buyer's own maximum or under the floor.
    static func applyPriceLimits(_ outcome: inout BidOutcome, floor: Int, maxPrice: Int?) {
        guard let bid = outcome.bid_cents else { return }
        if let maxPrice, bid > maxPrice {
            outcome.outcome = .aboveMax
            outcome.detail = "bid \(bid) is above its max_price_cents (\(maxPrice))"
        } else if bid < floor {
            outcome.outcome = .belowFloor
            outcome.detail = "bid \(bid) is under the floor (\(floor))"
        }
    }

    /// Bids first, highest first (ties: fixed bids before live ones, each in the order buyers were created); then the
    /// rest, in the same order.
    static func ranked(_ outcomes: [BidOutcome]) -> [BidOutcome] {
        // Sorted by small keys, then gathered: the outcomes themselves are large to move around.
        let keys = outcomes.enumerated().map { (bid: $1.outcome == .bid, cents: $1.outcome == .bid ? $1.bid_cents ?? 0 : 0, index: $0) }
        return keys.sorted { x, y in
            if x.bid != y.bid { return x.bid }
            if x.cents != y.cents { return x.cents > y.cents }
            return x.index < y.index
        }.map { outcomes[$0.index] }
    }

    /// On the writer: checks each bid against its buyer's caps and budget (and the campaign's) once more, now
    /// counting every other ping's reservations, reserves what fits and stores the auction, in one step.
    private func reserveAndStore(tenantID: String, pingID: String, campaign: Campaign?, profile: PingInput.Profile, floor: Int,
                                 deadlineMs: Int, outcomes: [BidOutcome], entries: [BuyerDirectory.Entry], now: Date,
                                 expiresAt: Date, tookMs: Int) async throws -> PingRecord {
        let buyers = self.buyers, reservations = self.reservations
        let byID = Dictionary(entries.map { ($0.buyer.id, $0.buyer) }, uniquingKeysWith: { a, _ in a })
        // Written here, off the single writer; written again there only if a cap changes an outcome.
        let written = BidOutcome.stored(outcomes)
        let original = outcomes
        do {
            return try await store.write { db in
                var outcomes = outcomes
                var holds: [(Reservations.Subject, Int)] = []
                for index in outcomes.indices where outcomes[index].outcome == .bid {
                    guard let buyer = byID[outcomes[index].buyer_id], buyer.settings.hasLimits, let bid = outcomes[index].bid_cents else { continue }
                    let usage = try buyers.usage(of: buyer, at: now, db: db)
                    if case .excluded(_, let detail)? = Buyers.limitExclusion(buyer.settings, usage: usage, priceCents: bid) {
                        outcomes[index].outcome = .capped
                        outcomes[index].detail = detail
                    } else {
                        outcomes[index].held = true
                        holds.append((Reservations.buyer(buyer.id), bid))
                    }
                }
                if let campaign, let best = outcomes.first(where: { $0.outcome == .bid })?.bid_cents,
                   campaign.settings.maxLeadsPerDay != nil || campaign.settings.budgetCents != nil {
                    let usage = try Self.usage(of: campaign, at: now, db: db, reservations: reservations)
                    if let refusal = Self.campaignLimit(campaign, usage: usage, priceCents: best) {
                        for index in outcomes.indices where outcomes[index].outcome == .bid {
                            outcomes[index].outcome = .capped
                            outcomes[index].detail = refusal
                            outcomes[index].held = nil
                        }
                        holds = []
                    } else {
                        holds.append((Reservations.campaign(campaign.id), best))
                    }
                }
                let record = PingRecord(id: pingID, tenantID: tenantID, campaignID: campaign?.id, profile: profile, floorPriceCents: floor,
                                        deadlineMs: deadlineMs, tookMs: tookMs, outcomes: outcomes, status: .open, leadID: nil,
                                        createdAt: Timestamp.format(now), expiresAt: Timestamp.format(expiresAt))
                try record.insert(db, outcomes: outcomes == original ? written : nil)
                reservations.hold(pingID: pingID, holds, expiresAt: expiresAt)
                return record
            }
        } catch {
            // Counts read inside a transaction that did not commit may include its writes.
            reservations.forgetCommitted()
            throw error
        }
    }

    /// A campaign's sales today and in total plus what open pings reserved.
    static func usage(of campaign: Campaign, at now: Date, db: GRDB.Database, reservations: Reservations) throws -> SalesUsage {
        let windows = CapWindows(at: now, zone: campaign.settings.timezone)
        return try reservations.usage(Reservations.campaign(campaign.id), windows: windows.key, now: now) {
            try SalesUsage.fetch(db, campaignID: campaign.id, windows: windows)
        }
    }

    /// Why one more sale at `priceCents` would break the campaign's daily limit or budget.
    static func campaignLimit(_ campaign: Campaign, usage: SalesUsage, priceCents: Int) -> String? {
        if let limit = campaign.settings.maxLeadsPerDay, usage.day >= limit {
            return "campaign \(campaign.id) reached its max_leads_per_day (\(limit))"
        }
        if let budget = campaign.settings.budgetCents, usage.spendCents + priceCents > budget {
            return "campaign \(campaign.id) would exceed its budget_cents (\(budget))"
        }
        return nil
    }
}

extension BidOutcome {
    static func excluded(_ buyer: Buyer, code: String, detail: String) -> BidOutcome {
        var outcome = BidOutcome(buyer, .excluded)
        outcome.reason = code
        outcome.detail = detail
        return outcome
    }

    /// A live bidder's outcome from its answer: a yes is a bid at the price it named (or its configured bid_cents).
    init(_ buyer: Buyer, answer: BuyerRequests.Answer) {
        switch answer.kind {
        case .yes:
            if let price = answer.priceCents ?? buyer.settings.bidCents {
                self.init(buyer, .bid, bidCents: price)
            } else {
                self.init(buyer, .unreadable)
                detail = "it accepted but named no price, and has no bid_cents to fall back on"
            }
        case .no:
            self.init(buyer, .declined)
            detail = answer.detail
        case .unreadable: self.init(buyer, .unreadable); detail = answer.detail
        case .timedOut: self.init(buyer, .timedOut); detail = answer.detail
        case .failed: self.init(buyer, .failed); detail = answer.detail
        }
        ms = answer.milliseconds
        response_status = answer.status
        response_body = answer.body
    }
}

/// A stored auction with the sales made from it: enough to tell each buyer why it won or lost.
public struct AuctionReport: Sendable {
    public struct Sale: Sendable {
        public let buyerID: String
        public let priceCents: Int
        public let status: String
        public let reason: String?
    }

    public let record: PingRecord
    public let sales: [Sale]
    let now: Date

    var winner: Sale? { sales.first { ["delivered", "accepted", "returned"].contains($0.status) } }

    /// One sentence: won, or why not (filtered out, capped, outside hours, timed out, below floor, outbid by X cents).
    public func explanation(for outcome: BidOutcome) -> String {
        let detail = outcome.detail.map { ": \($0)" } ?? ""
        switch outcome.outcome {
        case .bid:
            if let sale = sales.last(where: { $0.buyerID == outcome.buyer_id }) {
                switch sale.status {
                case "delivered", "accepted", "returned": return "won at \(sale.priceCents) cents"
                case "rejected": return "offered the lead and declined it" + (sale.reason.map { ": \($0)" } ?? "")
                default: return "offered the lead; the post \(sale.status)" + (sale.reason.map { ": \($0)" } ?? "")
                }
            }
            if let winner, let bid = outcome.bid_cents {
                if bid < winner.priceCents { return "outbid by \(winner.priceCents - bid) cents" }
                return "not chosen: the publisher posted to \(winner.buyerID)"
            }
            switch record.status {
            case .open, .posting:
                return (Timestamp.parse(record.expiresAt).map { now >= $0 } ?? true) ? "the bid expired without a post" : "the bid stands until \(record.expiresAt)"
            case .unsold, .sold: return "not offered the lead"
            }
        case .excluded: return "filtered out (\(outcome.reason ?? "rule"))\(detail)"
        case .timedOut: return "timed out" + (outcome.ms.map { " after \($0) ms" } ?? "") + detail
        case .belowFloor: return "below the floor\(detail)"
        case .aboveMax: return "above its own maximum\(detail)"
        case .capped: return "capped while bidding\(detail)"
        case .declined: return "declined to bid\(detail)"
        case .unreadable: return "its answer could not be read\(detail)"
        case .failed: return "its ping failed\(detail)"
        }
    }
}

extension Exchange {
    /// The tenant's latest auctions, newest first.
    /// The tenant's auctions, newest first, a page at a time by key (the console's ping-post log).
    public func auctions(tenantID: String, limit: Int, after cursor: TimeCursor?) throws -> (items: [PingRecord], next: TimeCursor?) {
        try store.read { db in
            try NewestFirst.page(db, table: "pings", tenantID: tenantID, after: cursor, limit: limit, read: PingRecord.init(row:),
                                 position: { TimeCursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func recent(tenantID: String, limit: Int) throws -> [PingRecord] {
        try store.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM pings WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"),
                             arguments: [tenantID, limit]).map(PingRecord.init)
        }
    }

    public func report(tenantID: String, pingID: String) throws -> AuctionReport {
        try store.read { db in
            let record = try PingRecord.fetch(db, tenantID: tenantID, pingID: pingID)
            let sales = try Row.fetchAll(db, sql: """
                SELECT buyer_id, price_cents, status, reason FROM lead_sales WHERE ping_id = ? AND tenant_id = ? ORDER BY created_at, id
                """, arguments: [pingID, tenantID]).map { AuctionReport.Sale(buyerID: $0[0], priceCents: $0[1], status: $0[2], reason: $0[3]) }
            return AuctionReport(record: record, sales: sales, now: clock.now)
        }
    }
}
