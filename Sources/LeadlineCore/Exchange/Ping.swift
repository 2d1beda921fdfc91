import Foundation
import GRDB
import LeadlineCrypto

/// A ping as a publisher sends it: what buyers may know about a lead before they buy it. It carries no PII; a
/// publisher that wants the same person never auctioned twice at once sends `phone_hash`, the SHA-256 (hex) of the
/// phone in E.164.
public struct PingInput: Sendable {
    public var campaignType: String?
    public var state: String?
    public var zipCode: String?
    public var source: String?
    public var campaignID: String?
    public var phoneHash: String?
    /// PII fields the caller sent anyway: named in the refusal.
    public var personalFields: [String]

    public init(campaignType: String?, state: String?, zipCode: String?, source: String?, campaignID: String?,
                phoneHash: String?, personalFields: [String] = []) {
        self.campaignType = campaignType
        self.state = state
        self.zipCode = zipCode
        self.source = source
        self.campaignID = campaignID
        self.phoneHash = phoneHash
        self.personalFields = personalFields
    }

    /// What is stored with the ping and shown to buyers (their ping body), with the API's names.
    public struct Profile: Codable, Sendable, Equatable {
        public var campaign_type: String?
        public var state: String?
        public var zip_code: String?
        public var source: String?
        public var phone_hash: String?

        public init(campaign_type: String? = nil, state: String? = nil, zip_code: String? = nil, source: String? = nil,
                    phone_hash: String? = nil) {
            self.campaign_type = campaign_type; self.state = state; self.zip_code = zip_code; self.source = source
            self.phone_hash = phone_hash
        }

        var matching: LeadProfile { LeadProfile(campaignType: campaign_type, state: state, zipCode: zip_code) }
    }

    func validated() throws(CoreError) -> Profile {
        var checks = FieldChecks()
        for field in personalFields {
            checks.fail(field, "must not be sent in a ping: a ping carries no personal data (send it in the post; phone_hash lets buyers dedup)")
        }
        let campaignType = checks.text(campaignType, "campaign_type", max: 64)
        if let campaignType, !campaignType.isCampaignType { checks.fail("campaign_type", "may use letters, digits, _ and - only") }
        if campaignType == nil && campaignID == nil { checks.fail("campaign_type", "is required (or campaign_id)") }
        let state = checks.text(state, "state", max: 2)?.uppercased()
        if let state, !USStates.codes.contains(state) { checks.fail("state", "must be a US state or DC code such as NV") }
        let zip = checks.text(zipCode, "zip_code", max: 10)
        if let zip, !LeadInput.isZip(zip) { checks.fail("zip_code", "must be 5 digits or 5+4 (12345 or 12345-6789)") }
        let hash = checks.text(phoneHash, "phone_hash", max: 64)?.lowercased()
        if let hash, hash.count != 64 || !hash.allSatisfy(\.isHexDigit) {
            checks.fail("phone_hash", "must be the SHA-256 of the phone in E.164, as 64 hex digits")
        }
        let source = checks.text(source, "source", max: 200)
        if !checks.problems.isEmpty { throw .invalid(checks.problems) }
        return Profile(campaign_type: campaignType, state: state, zip_code: zip, source: source, phone_hash: hash)
    }

    /// The hash a ping names for a phone: SHA-256 of its E.164 form, lowercase hex.
    public static func phoneHash(_ e164: String) -> String { Digest.sha256(e164).hex }
}

/// One buyer's part in one auction: its bid, or why it made none. Stored with the ping (the auction's replay) and
/// the source of "why you lost".
public struct BidOutcome: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A bid at or above the floor: it stands until the ping expires.
        case bid
        /// Left out before bidding: its filters, hours, caps or budget (the code is in `reason`).
        case excluded
        /// It answered no, or its answer could not be read or came too late or not at all.
        case declined, unreadable, timedOut = "timed_out", failed
        /// Its bid was under the floor, or above its own max_price_cents.
        case belowFloor = "below_floor", aboveMax = "above_max"
        /// Its cap or budget filled while it was bidding (another ping took the last place).
        case capped
    }

    public var buyer_id: String
    public var buyer_name: String
    public var outcome: Kind
    /// For `excluded`: paused, campaign_type, state, zip_code, outside_hours, capped, over_budget.
    public var reason: String?
    public var detail: String?
    public var bid_cents: Int?
    public var exclusivity: String
    public var bidding: String
    /// How long a live bid took.
    public var ms: Int?
    /// Whether the bid holds a place under the buyer's caps or budget.
    public var held: Bool?
    /// A live ping's answer, as received (the first 2 KB).
    public var response_status: Int?
    public var response_body: String?

    init(_ buyer: Buyer, _ outcome: Kind, bidCents: Int? = nil) {
        buyer_id = buyer.id
        buyer_name = buyer.name
        self.outcome = outcome
        bid_cents = bidCents
        exclusivity = buyer.settings.exclusivity.rawValue
        bidding = buyer.settings.bidsLive ? "live" : "fixed"
    }
}

extension BidOutcome {
    /// The stored form, written by hand: an auction stores one of these per buyer per ping, and Foundation's encoder
    /// was most of a ping's cost. Keys sorted, absent values left out, as JSONEncoder would write it.
    var canonical: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("bid_cents", bid_cents)
        json.add("bidding", bidding)
        json.add("buyer_id", buyer_id)
        json.add("buyer_name", buyer_name)
        json.add("detail", detail)
        json.add("exclusivity", exclusivity)
        json.add("held", held)
        json.add("ms", ms)
        json.add("outcome", outcome.rawValue)
        json.add("reason", reason)
        json.add("response_body", response_body)
        json.add("response_status", response_status)
        return json
    }

    static func stored(_ outcomes: [BidOutcome]) -> String { CanonicalJSON.array(outcomes.map(\.canonical)) }
}

extension PingInput.Profile {
    var canonical: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("campaign_type", campaign_type)
        json.add("phone_hash", phone_hash)
        json.add("source", source)
        json.add("state", state)
        json.add("zip_code", zip_code)
        return json
    }
}

/// A stored auction.
public struct PingRecord: Sendable {
    public enum Status: String, Sendable { case open, posting, sold, unsold }

    public let id: String
    public let tenantID: String
    public let campaignID: String?
    public let profile: PingInput.Profile
    public let floorPriceCents: Int
    public let deadlineMs: Int
    public let tookMs: Int
    /// Bids first, best first; then every other buyer.
    public let outcomes: [BidOutcome]
    public let status: Status
    public let leadID: String?
    public let createdAt: String
    public let expiresAt: String

    public var bids: [BidOutcome] { outcomes.filter { $0.outcome == .bid } }
}

/// What a ping answers.
public struct PingResult: Sendable {
    public let record: PingRecord
}

extension PingRecord {
    /// `stored` is the stored form of `outcomes` when it was written before the transaction.
    func insert(_ db: GRDB.Database, outcomes stored: String? = nil) throws {
        try db.cachedStatement(sql: """
            INSERT INTO pings (id, tenant_id, campaign_id, profile, floor_price_cents, deadline_ms, took_ms, outcomes, bids, status,
                               lead_id, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, tenantID, campaignID, profile.canonical.string, floorPriceCents, deadlineMs, tookMs,
                             stored ?? BidOutcome.stored(outcomes), bids.count, status.rawValue, leadID, createdAt, expiresAt])
    }

    init(row: Row) throws {
        let decoder = JSONDecoder()
        id = row["id"]
        tenantID = row["tenant_id"]
        campaignID = row["campaign_id"]
        profile = try decoder.decode(PingInput.Profile.self, from: Data((row["profile"] as String).utf8))
        floorPriceCents = row["floor_price_cents"]
        deadlineMs = row["deadline_ms"]
        tookMs = row["took_ms"]
        outcomes = try decoder.decode([BidOutcome].self, from: Data((row["outcomes"] as String).utf8))
        status = Status(rawValue: row["status"]) ?? .unsold
        leadID = row["lead_id"]
        createdAt = row["created_at"]
        expiresAt = row["expires_at"]
    }

    /// Marks an open ping as being posted for `leadID`; refused when another post claimed it first.
    static func claimForPost(_ db: GRDB.Database, pingID: String, leadID: String) throws {
        try db.cachedStatement(sql: "UPDATE pings SET status = 'posting', lead_id = ? WHERE id = ? AND status = 'open'")
            .execute(arguments: [leadID, pingID])
        guard db.changesCount == 1 else { throw CoreError.refused(code: "post_in_progress", "another post for ping \(pingID) came first") }
    }

    /// Marks a posted ping whose bidders all declined (or could not take the lead).
    static func markUnsold(_ db: GRDB.Database, pingID: String) throws {
        try db.execute(sql: "UPDATE pings SET status = 'unsold' WHERE id = ?", arguments: [pingID])
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, pingID: String) throws -> PingRecord {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM pings WHERE id = ? AND tenant_id = ?"),
                                         arguments: [pingID, tenantID]) else {
            throw CoreError.notFound("ping \(pingID)")
        }
        return try PingRecord(row: row)
    }
}
