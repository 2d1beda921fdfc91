import Foundation
import GRDB
import LeadlineCrypto
import Store

/// A record of what a consumer was shown and agreed to, and where. Its hash covers its content and the previous
/// certificate's hash, so editing any certificate breaks the chain from there on.
public struct ConsentCertificate: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consent_certificates"
    public static let genesisHash = String(repeating: "0", count: 64)

    public var id: String
    public var tenantID: String
    public var sequence: Int
    public var leadID: String?
    public var consentType: String
    public var channel: String
    public var mechanism: String?
    public var consentText: String?
    public var consentTextVersion: String?
    public var pageURL: String?
    public var ipAddress: String?
    public var userAgent: String?
    public var consentedAt: String
    public var createdAt: String
    public var previousHash: String
    public var hash: String
    public var revokedAt: String?
    public var revokedReason: String?

    enum CodingKeys: String, CodingKey {
        case id, sequence, channel, mechanism, hash
        case tenantID = "tenant_id", leadID = "lead_id", consentType = "consent_type", consentText = "consent_text"
        case consentTextVersion = "consent_text_version", pageURL = "page_url", ipAddress = "ip_address"
        case userAgent = "user_agent", consentedAt = "consented_at", createdAt = "created_at"
        case previousHash = "previous_hash", revokedAt = "revoked_at", revokedReason = "revoked_reason"
    }

    /// The SHA-256 of the content, as sorted-key JSON: everything that proves the consent, never its place in the
    /// chain or its revocation state. Computed before the certificate reaches the single writer.
    public var contentDigest: String {
        var content = CanonicalJSON(capacity: 512)
        content.add("channel", channel)
        content.add("consent_text", consentText)
        content.add("consent_text_version", consentTextVersion)
        content.add("consent_type", consentType)
        content.add("consented_at", consentedAt)
        content.add("created_at", createdAt)
        content.add("id", id)
        content.add("ip_address", ipAddress)
        content.add("lead_id", leadID)
        content.add("mechanism", mechanism)
        content.add("page_url", pageURL)
        content.add("tenant_id", tenantID)
        content.add("user_agent", userAgent)
        return Digest.sha256(content.finished()).hex
    }

    /// The link: the content's digest, the place in the chain and the previous link's hash.
    static func chainHash(contentDigest: String, sequence: Int, previousHash: String) -> String {
        Digest.sha256("\(contentDigest)|\(sequence)|\(previousHash)").hex
    }

    public var computedHash: String { Self.chainHash(contentDigest: contentDigest, sequence: sequence, previousHash: previousHash) }

    /// The columns `bind` gives, in its order.
    static let insertRow = RowInsert(into: "consent_certificates", [
        "id", "tenant_id", "sequence", "lead_id", "consent_type", "channel", "mechanism", "consent_text", "consent_text_version",
        "page_url", "ip_address", "user_agent", "consented_at", "created_at", "previous_hash", "hash",
    ])

    func bind(_ row: inout Bindings) {
        row.add(id); row.add(tenantID); row.add(sequence); row.add(leadID); row.add(consentType); row.add(channel)
        row.add(mechanism); row.add(consentText); row.add(consentTextVersion); row.add(pageURL); row.add(ipAddress)
        row.add(userAgent); row.add(consentedAt); row.add(createdAt); row.add(previousHash); row.add(hash)
    }

    public var isActive: Bool { revokedAt == nil }

    /// The tenant's certificate with this id (a cached statement: the gate reads one before every call).
    static func find(_ db: GRDB.Database, id: String, tenantID: String) throws -> ConsentCertificate? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM consent_certificates WHERE id = ? AND tenant_id = ?"), arguments: [id, tenantID])
    }
}
