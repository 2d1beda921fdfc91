import Foundation
import GRDB
import HTTPServer
import Synchronization

extension Exchange {
    /// A lead that arrived directly (not through a ping) for an active campaign of its type: auctioned the same way (the
    /// auction is stored like any ping) and sold to the best bid, or, when the campaign sells shared, to up to
    /// `max_buyers_per_lead` shared bidders. An exclusive bid that wins takes the lead alone.
    /// Returns the attempts made (empty when no campaign takes the lead).
    @discardableResult
    public func route(_ lead: Lead, actor: String = "router") async throws -> [PostAttempt] {
        guard lead.status.isEligible, let type = lead.campaignType else { return [] }
        guard let campaign = try settings.settings(store, tenantID: lead.tenantID, campaignID: nil, type: type).1 else { return [] }
        // A calling campaign's leads went to the dialer at intake.
        guard !campaign.settings.calls else { return [] }
        let ping = try await self.ping(tenantID: lead.tenantID, PingInput(
            campaignType: type, state: lead.state, zipCode: lead.zipCode, source: lead.source, campaignID: campaign.id,
            phoneHash: PingInput.phoneHash(lead.phone)))
        defer { reservations.release(pingID: ping.id) }
        guard !ping.bids.isEmpty else {
            try await noteUnsold(lead, pingID: ping.id, reason: "no buyer bid at or above the floor", actor: actor)
            return []
        }
        let pingID = ping.id, leadID = lead.id
        try await store.write { db in try PingRecord.claimForPost(db, pingID: pingID, leadID: leadID) }
        let entries = try buyers.entries(tenantID: lead.tenantID)
        let limit = max(1, campaign.settings.maxBuyersPerLead)
        var attempts: [PostAttempt] = []
        var sold = 0
        for bid in ping.bids where sold < limit {
            let exclusive = bid.exclusivity == Exclusivity.exclusive.rawValue
            // Once shared buyers have it, an exclusive one cannot; the best bid decides which kind of sale it is.
            if exclusive && sold > 0 { continue }
            guard let entry = entries.first(where: { $0.buyer.id == bid.buyer_id }) else { continue }
            let attempt = try await sell(lead, to: entry, bid: bid, ping: ping, campaign: campaign, actor: actor)
            attempts.append(attempt)
            if attempt.sold {
                sold += 1
                if exclusive || limit == 1 { break }
            }
        }
        if sold == 0 {
            try await store.write { db in try PingRecord.markUnsold(db, pingID: pingID) }
            try await noteUnsold(lead, pingID: pingID, reason: "every buyer offered it said no", actor: actor)
        }
        return attempts
    }

    /// Puts on the lead's timeline that routing ended without a sale, and why (the auction has the detail).
    func noteUnsold(_ lead: Lead, pingID: String, reason: String, actor: String) async throws {
        var detail = CanonicalJSON()
        detail.add("ping_id", pingID)
        detail.add("reason", reason)
        let event = LeadEvent(id: nil, tenantID: lead.tenantID, leadID: lead.id, at: Timestamp.format(clock.now), actor: actor,
                              kind: "unsold", fromStatus: nil, toStatus: nil, detail: detail.string)
        try await store.write { db in try event.append(db) }
    }
}

/// Hands each eligible new lead to the exchange, in the background (the lead's own answer does not wait for the
/// auction). Set up before the exchange exists, since the exchange is built from the leads service it routes for.
public final class LeadRouter: Sendable {
    private let exchange = Mutex<Exchange?>(nil)

    public init() {}

    public func connect(_ exchange: Exchange) { self.exchange.withLock { $0 = exchange } }

    public func route(_ lead: Lead) {
        guard lead.campaignType != nil, let exchange = exchange.withLock({ $0 }) else { return }
        Task(executorPreference: HandlerExecutor.shared) {
            do { try await exchange.route(lead) } catch {
                exchange.logger.warning("a direct lead could not be routed", metadata: ["lead_id": "\(lead.id)", "error": "\(error)"])
            }
        }
    }
}
