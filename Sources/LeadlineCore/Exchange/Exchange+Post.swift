import Foundation
import GRDB
import OutboundHTTP

/// A post: the full lead for a ping's bid.
public struct PostInput: Sendable {
    public var pingID: String?
    public var buyerID: String?
    public var lead: LeadInput

    public init(pingID: String?, buyerID: String?, lead: LeadInput) {
        self.pingID = pingID
        self.buyerID = buyerID
        self.lead = lead
    }
}

/// One buyer a post offered the lead to, and what it said.
public struct PostAttempt: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Its `post_url` took the lead.
        case delivered
        /// Sold; the lead goes to its webhook through the outbox.
        case queued
        /// Sold; the buyer has no URL to deliver to (it reads its leads from Leadline).
        case recorded
        /// It said no, its answer could not be read, or the request failed.
        case rejected, failed
        /// Not offered: the buyer was paused or its cap filled since the ping.
        case skipped
    }

    public let buyerID: String
    public let priceCents: Int
    public let status: Status
    public let reason: String?
    public let milliseconds: Int?

    public var sold: Bool { status == .delivered || status == .queued || status == .recorded }
}

public struct PostResult: Sendable {
    /// The buyer that bought the lead (the one posted to, or a later bid when it said no), or the one posted to.
    public let buyerID: String
    public let priceCents: Int
    public let lead: Lead
    public let attempts: [PostAttempt]

    public var accepted: Bool { attempts.last?.sold ?? false }
    /// What happened to the lead: the last attempt's status.
    public var deliveryStatus: String { attempts.last?.status.rawValue ?? PostAttempt.Status.skipped.rawValue }
}

extension Exchange {
    public func post(tenantID: String, _ input: PostInput, actor: String) async throws -> PostResult {
        var problems: [CoreError.FieldProblem] = []
        if (input.pingID ?? "").isEmpty { problems.append(.init("ping_id", "is required: the ping_id the ping answered")) }
        if (input.buyerID ?? "").isEmpty { problems.append(.init("buyer_id", "is required: the buyer_id of the bid you accept")) }
        if input.lead.consent == nil { problems.append(.init("consent", "is required: a lead is sold only with the consumer's consent")) }
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        let pingID = input.pingID!, buyerID = input.buyerID!
        let now = clock.now

        let (ping, rules, campaign) = try store.read { db in
            let ping = try PingRecord.fetch(db, tenantID: tenantID, pingID: pingID)
            return (ping, try Tenants.ExchangeRules.fetch(db, tenantID: tenantID),
                    try ping.campaignID.map { try Campaigns.fetch(db, tenantID: tenantID, campaignID: $0) })
        }
        switch ping.status {
        case .open: break
        case .posting: throw CoreError.refused(code: "post_in_progress", "a post for ping \(pingID) is under way")
        case .sold: throw CoreError.refused(code: "already_sold", "ping \(pingID) was already sold (lead \(ping.leadID ?? "?"))")
        case .unsold: throw CoreError.refused(code: "ping_closed", "ping \(pingID) was posted and no bidder took the lead")
        }
        if let expires = Timestamp.parse(ping.expiresAt), now >= expires {
            throw CoreError.gone(code: "ping_expired", "ping \(pingID) expired at \(ping.expiresAt); ping again for fresh bids")
        }
        guard let chosen = ping.bids.first(where: { $0.buyer_id == buyerID }) else {
            let why = ping.outcomes.first { $0.buyer_id == buyerID }.map { ": \($0.outcome.rawValue)" + ($0.detail.map { " (\($0))" } ?? "") } ?? ""
            throw CoreError.refused(code: "no_bid", "buyer \(buyerID) has no bid on ping \(pingID)\(why)")
        }

        let lead = try await intake(input.lead, for: ping, tenantID: tenantID, actor: actor)
        let entries = try buyers.entries(tenantID: tenantID)
        let candidates = [chosen] + (rules.tryNextBid ? ping.bids.filter { $0.buyer_id != buyerID } : [])
        var attempts: [PostAttempt] = []
        for bid in candidates {
            guard let entry = entries.first(where: { $0.buyer.id == bid.buyer_id }) else { continue }
            let attempt = try await sell(lead, to: entry, bid: bid, ping: ping, campaign: campaign, actor: actor)
            attempts.append(attempt)
            if attempt.sold { break }
        }
        let sold = attempts.last?.sold == true
        if !sold {
            try await store.write { db in try PingRecord.markUnsold(db, pingID: pingID) }
        }
        reservations.release(pingID: pingID)
        let final = sold ? attempts.last! : (attempts.first ?? PostAttempt(buyerID: buyerID, priceCents: chosen.bid_cents ?? 0,
                                                                          status: .skipped, reason: "the buyer is gone", milliseconds: nil))
        let stored = try store.read { db in
            try Lead.find(db, id: lead.id, tenantID: tenantID)
        } ?? lead
        return PostResult(buyerID: final.buyerID, priceCents: final.priceCents, lead: stored, attempts: attempts)
    }

    /// The posted lead through the same intake as any other (validation, dedup, consent certificate), checked against
    /// what was pinged, and stored with the ping marked as being posted, in one transaction.
    private func intake(_ input: LeadInput, for ping: PingRecord, tenantID: String, actor: String) async throws -> Lead {
        var input = input
        var contradictions: [String] = []
        func compare(_ field: String, pinged: String?, posted: inout String?) {
            guard let pinged else { return }
            guard let given = posted?.trimmingSpaces, !given.isEmpty else { posted = pinged; return }
            let same = field == "zip_code" ? given.prefix(5) == pinged.prefix(5) : given.uppercased() == pinged.uppercased()
            if !same { contradictions.append("\(field) \(pinged) was pinged, \(given) is posted") }
        }
        compare("state", pinged: ping.profile.state, posted: &input.state)
        compare("zip_code", pinged: ping.profile.zip_code, posted: &input.zipCode)
        compare("campaign_type", pinged: ping.profile.campaign_type, posted: &input.campaignType)
        if input.source == nil { input.source = ping.profile.source }

        let batch = try leads.prepareBatch(tenantID: tenantID, [input], options: .init(actor: actor, routes: false))
        let prepared: Leads.PreparedLead
        switch batch.slots[0] {
        case .success(let lead): prepared = lead
        case .failure(.invalid(let problems)):
            throw CoreError.invalid(problems.map { $0.field.hasPrefix("consent") ? $0 : .init("lead.\($0.field)", $0.reason) })
        case .failure(let error): throw error
        }
        if let hash = ping.profile.phone_hash, PingInput.phoneHash(prepared.lead.phone) != hash {
            contradictions.append("the phone is not the one whose phone_hash was pinged")
        }
        if !contradictions.isEmpty {
            throw CoreError.refused(code: "contradicts_ping", "the post contradicts its ping: " + contradictions.joined(separator: "; "))
        }
        let pingID = ping.id
        let (outcomes, _) = try await leads.commitBatch(batch) { db, outcomes in
            guard case .success(.created(let lead)) = outcomes[0] else {
                if case .success(.duplicate(let earlier)) = outcomes[0] {
                    throw CoreError.refused(code: "duplicate", "this person is already lead \(earlier.id) (within the dedup window); it is not sold twice")
                }
                return
            }
            try PingRecord.claimForPost(db, pingID: pingID, leadID: lead.id)
        }
        return try outcomes[0].get().lead
    }

    /// Offers the lead to one bidder at its bid. A buyer with a `post_url` is asked and its answer read; any other
    /// is sold at once and (with a `webhook_url`) sent the lead through the outbox.
    func sell(_ lead: Lead, to entry: BuyerDirectory.Entry, bid: BidOutcome, ping: PingRecord, campaign: Campaign?,
              actor: String) async throws -> PostAttempt {
        let buyer = entry.buyer, price = bid.bid_cents ?? 0, now = clock.now
        guard buyer.status == .active else {
            return PostAttempt(buyerID: buyer.id, priceCents: price, status: .skipped, reason: buyer.pausedReason ?? "paused", milliseconds: nil)
        }
        let sale = Sale(id: Identifier.sortable("sale", at: now), tenantID: ping.tenantID, lead: lead, buyer: buyer, campaignID: ping.campaignID,
                        pingID: ping.id, priceCents: price, at: Timestamp.format(now))
        let soldAtOnce: PostAttempt.Status = buyer.settings.webhookUrl != nil ? .queued : .recorded
        let buyers = self.buyers, reservations = self.reservations, webhookURL = buyer.settings.webhookUrl
        let hasLimits = buyer.settings.hasLimits, hasPostURL = buyer.settings.postUrl != nil

        // The capacity the ping reserved; without it (it expired, or the server restarted) the caps are checked again.
        let capRefusal: String? = try await store.write { db in
            if hasLimits && !reservations.isHeld(pingID: ping.id, Reservations.buyer(buyer.id), now: now) {
                let usage = try buyers.usage(of: buyer, at: now, db: db)
                if case .excluded(_, let detail)? = Buyers.limitExclusion(buyer.settings, usage: usage, priceCents: price) { return detail }
            }
            if hasPostURL {
                try sale.insert(db, status: "posting")
            } else {
                try sale.insert(db, status: "delivered")
                try sale.complete(db, actor: actor, webhookURL: webhookURL, campaign: campaign, reservations: reservations)
            }
            return nil
        }
        if let capRefusal { return PostAttempt(buyerID: buyer.id, priceCents: price, status: .skipped, reason: capRefusal, milliseconds: nil) }
        guard let postURL = buyer.settings.postUrl else {
            return PostAttempt(buyerID: buyer.id, priceCents: price, status: soldAtOnce, reason: nil, milliseconds: nil)
        }

        let body = try StoredJSON.bytes(BuyerRequests.PostBody(ping_id: ping.id, price_cents: price, lead: DeliveredLead(lead, soldPriceCents: price)))
        let request = BuyerRequests.request(to: postURL, event: "lead.post", id: sale.id, body: body, secret: entry.secret, at: now,
                                            timeout: BuyerRequests.postTimeout, policy: buyers.policy)
        let answer = BuyerRequests.read(await outbound.send(request), rule: buyer.settings.responseParsing ?? .standard)
        let status: PostAttempt.Status = answer.kind == .yes ? .delivered : (answer.kind == .no ? .rejected : .failed)
        let reason = answer.kind == .yes ? nil : (answer.detail ?? (answer.kind == .no ? "declined" : "failed"))
        let response = try StoredJSON.text(SaleResponse(status: answer.status, body: answer.body, error: answer.kind == .failed || answer.kind == .timedOut ? answer.detail : nil))
        try await store.write { db in
            try db.cachedStatement(sql: "UPDATE lead_sales SET status = ?, reason = ?, response_ms = ?, response = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [status == .delivered ? "delivered" : status.rawValue, reason, answer.milliseconds, response,
                                       Timestamp.format(now), sale.id])
            if status == .delivered {
                try sale.complete(db, actor: actor, webhookURL: nil, campaign: campaign, reservations: reservations)
            }
        }
        return PostAttempt(buyerID: buyer.id, priceCents: price, status: status, reason: reason, milliseconds: answer.milliseconds)
    }
}

/// A buyer's answer to a post, kept with the sale.
struct SaleResponse: Encodable {
    let status: Int?
    let body: String?
    let error: String?
}

/// One sale of a lead to a buyer, as it is written.
struct Sale: Sendable {
    let id: String
    let tenantID: String
    let lead: Lead
    let buyer: Buyer
    let campaignID: String?
    let pingID: String?
    let priceCents: Int
    let at: String

    func insert(_ db: GRDB.Database, status: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO lead_sales (id, tenant_id, lead_id, buyer_id, campaign_id, ping_id, price_cents, exclusivity, status,
                                    created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, tenantID, lead.id, buyer.id, campaignID, pingID, priceCents, buyer.settings.exclusivity.rawValue,
                             status, at, at])
    }

    /// The sale stands: the lead becomes delivered to the buyer at the price, the ping is sold, webhooks are queued
    /// and the buyer's and campaign's counts take the sale.
    func complete(_ db: GRDB.Database, actor: String, webhookURL: String?, campaign: Campaign?, reservations: Reservations) throws {
        guard var stored = try Lead.find(db, id: lead.id) else { throw CoreError.notFound("lead \(lead.id)") }
        let from = stored.status
        if stored.status == .delivered && stored.buyerID != nil {
            // A shared lead's later sale: the first buyer stays its buyer; the price is what all its sales made.
            stored.soldPriceCents = (stored.soldPriceCents ?? 0) + priceCents
        } else {
            guard stored.status.canMove(to: .delivered) else {
                throw CoreError.refused(code: "lead_not_sellable", "lead \(lead.id) is \(stored.status.rawValue) and cannot be sold")
            }
            stored.status = .delivered
            stored.buyerID = buyer.id
            stored.soldPriceCents = priceCents
        }
        stored.updatedAt = at
        try stored.update(db)
        var detail = CanonicalJSON()
        detail.add("buyer_id", buyer.id)
        detail.add("price_cents", String(priceCents))
        detail.add("ping_id", pingID)
        detail.add("sale_id", id)
        try LeadEvent(id: nil, tenantID: tenantID, leadID: lead.id, at: at, actor: actor, kind: "sold",
                      fromStatus: from.rawValue, toStatus: LeadStatus.delivered.rawValue, detail: detail.string).append(db)
        if let pingID {
            try db.cachedStatement(sql: "UPDATE pings SET status = 'sold', lead_id = ? WHERE id = ?").execute(arguments: [lead.id, pingID])
        }
        try Ledger.charge(db, tenantID: tenantID, saleID: id, buyerID: buyer.id, leadID: lead.id, cents: priceCents, actor: actor, at: at)
        let date = Timestamp.parse(at) ?? Date()
        if let webhookURL {
            try Outbox.enqueue(db, tenantID: tenantID, owner: .buyer(buyer.id), url: webhookURL,
                               event: WebhookEvent(event: "lead.delivered", at: date, data: DeliveredLead(stored, soldPriceCents: priceCents)))
        }
        if let campaign, let url = campaign.settings.deliveryWebhook {
            try Outbox.enqueue(db, tenantID: tenantID, owner: .campaign(campaign.id), url: url,
                               event: WebhookEvent(event: "lead.delivered", at: date, data: DeliveredLead(stored, soldPriceCents: priceCents)))
        }
        reservations.settle(pingID: pingID, Reservations.buyer(buyer.id), cents: priceCents)
        if let campaignID { reservations.settle(pingID: pingID, Reservations.campaign(campaignID), cents: priceCents) }
    }
}
