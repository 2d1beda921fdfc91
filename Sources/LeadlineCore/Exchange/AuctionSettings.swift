import Foundation
import GRDB
import Store
import Synchronization

/// What a ping needs to know before it collects bids: the tenant's auction rules and the campaign it is for. Read
/// from the database at most once a second per tenant and campaign (a change to either applies within a second),
/// because every ping needs them and a reader visit is a noticeable share of a fixed-price ping.
final class AuctionSettings: Sendable {
    static let lifetime = Duration.seconds(1)
    static let maxEntries = 1000

    struct Entry: Sendable {
        let rules: Tenants.ExchangeRules
        let campaign: Campaign?
        let readAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])

    func settings(_ store: SQLiteStore, tenantID: String, campaignID: String?, type: String?) throws -> (Tenants.ExchangeRules, Campaign?) {
        let key = "\(tenantID)|\(campaignID ?? "")|\(type ?? "")"
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.readAt < Self.lifetime { return (entry.rules, entry.campaign) }
        let (rules, campaign) = try store.read { db in
            (try Tenants.ExchangeRules.fetch(db, tenantID: tenantID),
             try Exchange.campaign(db, tenantID: tenantID, id: campaignID, type: type))
        }
        entries.withLock { entries in
            // Types are the caller's text: the table is emptied rather than allowed to grow without bound.
            if entries.count >= Self.maxEntries { entries.removeAll() }
            entries[key] = Entry(rules: rules, campaign: campaign, readAt: now)
        }
        return (rules, campaign)
    }
}
