import Foundation
import GRDB
import OutboundHTTP
import Store

/// Campaigns: what a tenant sells, with metrics computed from its sales.
public struct Campaigns: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    let policy: AddressPolicy
    let secrets: WebhookSecrets

    public init(store: SQLiteStore, clock: any Clock, policy: AddressPolicy, secrets: StoredSecrets) {
        self.store = store
        self.clock = clock
        self.policy = policy
        self.secrets = WebhookSecrets(secrets: secrets, table: "campaigns")
    }

    public func create(tenantID: String, _ input: CampaignInput) async throws -> Campaign {
        let now = Timestamp.format(clock.now)
        var campaign = Campaign(id: Identifier.make("camp"), tenantID: tenantID, createdAt: now)
        let problems = Self.problems(input, applyingTo: &campaign, creating: true, policy: policy)
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        let sealed = input.webhookSecret.given.map { secrets.seal($0, id: campaign.id) }
        campaign.hasWebhookSecret = sealed != nil
        let created = campaign, settings = try Self.encode(campaign.settings)
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO campaigns (id, tenant_id, name, campaign_type, status, settings, webhook_secret, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [created.id, tenantID, created.name, created.campaignType, created.status.rawValue, settings, sealed, now, now])
        }
        return created
    }

    public func update(tenantID: String, campaignID: String, _ input: CampaignInput) async throws -> Campaign {
        let policy = self.policy, secrets = self.secrets, now = Timestamp.format(clock.now)
        return try await store.write { db in
            var campaign = try Self.fetch(db, tenantID: tenantID, campaignID: campaignID)
            let problems = Self.problems(input, applyingTo: &campaign, creating: false, policy: policy)
            if !problems.isEmpty { throw CoreError.invalid(problems) }
            campaign.updatedAt = now
            try db.execute(sql: "UPDATE campaigns SET name = ?, campaign_type = ?, status = ?, settings = ?, updated_at = ? WHERE id = ?",
                           arguments: [campaign.name, campaign.campaignType, campaign.status.rawValue, try Self.encode(campaign.settings), now, campaign.id])
            if let has = try secrets.store(input.webhookSecret, id: campaign.id, db) { campaign.hasWebhookSecret = has }
            return campaign
        }
    }

    /// Deletes a campaign that never sold or routed a lead; one with history is refused (pause it).
    public func delete(tenantID: String, campaignID: String) async throws {
        try await store.write { db in
            try UnusedRows.delete(db, table: "campaigns", id: campaignID, tenantID: tenantID,
                                  unenforced: [("sale_daily", "campaign_id"), ("call_attempts", "campaign_id")],
                                  what: "campaign")
        }
    }

    /// What `create` (no `campaignID`) or `update` would refuse in `input`, without storing anything.
    public func problems(tenantID: String, campaignID: String?, _ input: CampaignInput) throws -> [CoreError.FieldProblem] {
        var campaign = try campaignID.map { try self.campaign(tenantID: tenantID, campaignID: $0) } ?? Campaign(id: "", tenantID: tenantID, createdAt: "")
        return Self.problems(input, applyingTo: &campaign, creating: campaignID == nil, policy: policy)
    }

    private static func problems(_ input: CampaignInput, applyingTo campaign: inout Campaign, creating: Bool,
                                 policy: AddressPolicy) -> [CoreError.FieldProblem] {
        var problems = input.apply(to: &campaign, policy: policy)
        guard creating else { return problems }
        if input.name.given == nil && !problems.contains(where: { $0.field == "name" }) { problems.append(.init("name", "is required")) }
        if input.campaignType.isAbsent { problems.append(.init("campaign_type", "is required, e.g. legal_pi")) }
        return problems
    }

    public func campaign(tenantID: String, campaignID: String) throws -> Campaign {
        try store.read { db in try Self.fetch(db, tenantID: tenantID, campaignID: campaignID) }
    }

    public func all(tenantID: String) throws -> [Campaign] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM campaigns WHERE tenant_id = ? ORDER BY created_at, id", arguments: [tenantID]).map(Campaign.init)
        }
    }

    /// The campaign's webhook secret, opened; nil when it has none.
    public func webhookSecret(tenantID: String, campaignID: String) throws -> String? {
        try store.read { db in try secrets.secret(id: campaignID, tenantID: tenantID, db) }
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, campaignID: String) throws -> Campaign {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE id = ? AND tenant_id = ?", arguments: [campaignID, tenantID]) else {
            throw CoreError.notFound("campaign \(campaignID)")
        }
        return try Campaign(row: row)
    }

    static func encode(_ settings: Campaign.Settings) throws -> String {
        try StoredJSON.text(settings)
    }

    public func metrics(_ campaigns: [Campaign]) throws -> [String: CampaignMetrics] {
        let now = clock.now
        return try store.read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT count(*) FILTER (WHERE status IN ('delivered', 'accepted', 'returned')),
                       count(*) FILTER (WHERE status IN ('accepted', 'returned')),
                       count(*) FILTER (WHERE status = 'returned'),
                       count(*) FILTER (WHERE status IN ('accepted', 'rejected', 'returned')),
                       avg(price_cents) FILTER (WHERE status IN ('delivered', 'accepted', 'returned')),
                       coalesce(sum(price_cents) FILTER (WHERE status IN ('delivered', 'accepted')), 0),
                       count(*) FILTER (WHERE status IN ('delivered', 'accepted', 'returned') AND created_at >= ?)
                FROM lead_sales WHERE tenant_id = ? AND campaign_id = ?
                """)
            var out: [String: CampaignMetrics] = [:]
            for campaign in campaigns {
                let today = Timestamp.format(CapWindows(at: now, zone: campaign.settings.timezone).day)
                let row = try Row.fetchOne(statement, arguments: [today, campaign.tenantID, campaign.id])!
                let decided: Int = row[3], accepted: Int = row[1]
                let average: Double? = row[4]
                out[campaign.id] = CampaignMetrics(leadsDelivered: row[0], leadsAccepted: accepted, leadsReturned: row[2],
                                                   acceptanceRate: decided == 0 ? nil : (Double(accepted) / Double(decided) * 1000).rounded() / 1000,
                                                   avgCostCents: average.map { Int($0.rounded()) }, soldCents: row[5], soldToday: row[6])
            }
            return out
        }
    }
}
