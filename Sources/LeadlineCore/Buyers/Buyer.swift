import Foundation
import GRDB

/// A buyer of leads: who it is, whether it is buying, and its settings.
public struct Buyer: Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case active, paused }

    public let id: String
    public let tenantID: String
    public var name: String
    public var status: Status
    /// Why a paused buyer was paused, when Leadline paused it (deliveries failing); nil when a person did.
    public var pausedReason: String?
    public var settings: BuyerSettings
    public var hasWebhookSecret: Bool
    public let createdAt: String
    public var updatedAt: String

    init(id: String, tenantID: String, name: String, createdAt: String) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        status = .active
        settings = BuyerSettings()
        hasWebhookSecret = false
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    init(row: Row) throws {
        id = row["id"]
        tenantID = row["tenant_id"]
        name = row["name"]
        status = Status(rawValue: row["status"]) ?? .paused
        pausedReason = row["paused_reason"]
        settings = try JSONDecoder().decode(BuyerSettings.self, from: Data((row["settings"] as String).utf8))
        hasWebhookSecret = !((row["webhook_secret"] as DatabaseValue).isNull)
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }

    static func encode(_ settings: BuyerSettings) throws -> String {
        try StoredJSON.text(settings)
    }
}

/// What a buyer has done: the numbers `GET /api/v1/buyers/{id}` shows.
public struct BuyerPerformance: Sendable, Equatable {
    public var leadsPurchased: Int
    public var leadsAccepted: Int
    public var leadsReturned: Int
    /// Accepted over decided (accepted + rejected); nil before any decision.
    public var acceptanceRate: Double?
    public var avgResponseTimeMs: Int?
    public var totalSpentCents: Int
}

/// A lead's profile as matching sees it (no PII: a ping carries only this).
public struct LeadProfile: Sendable, Equatable {
    public var campaignType: String?
    public var state: String?
    public var zipCode: String?

    public init(campaignType: String?, state: String?, zipCode: String?) {
        self.campaignType = campaignType
        self.state = state
        self.zipCode = zipCode
    }
}
