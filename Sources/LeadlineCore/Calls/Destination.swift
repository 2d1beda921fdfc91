import Foundation
import GRDB

/// A buyer's phone line that qualified consumers are warm-transferred to: when it is open, how many transfers it
/// takes at once and per day, what it pays, and which campaigns and states it takes.
public struct Destination: Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case active, paused }

    public struct Settings: Codable, Sendable, Equatable {
        /// IANA zone its hours and daily cap are read in.
        public var timezone = "America/New_York"
        /// Days (`monday` …) with the hours it answers; nil: always.
        public var hoursOfOperation: [String: DailyHours]?
        /// Transfers ringing or connected at once; nil: no limit.
        public var maxConcurrentTransfers: Int?
        /// Transfers per day (its time zone); nil: no limit.
        public var maxTransfersPerDay: Int?
        /// What the line pays per transfer it takes: the best-paying open line is tried first.
        public var priceCents: Int?
        /// How long a connected call must last before the buyer pays (its billable buffer).
        public var minDurationSeconds: Int?
        /// Campaigns whose consumers it takes; empty: every campaign (and leads without one).
        public var campaignIDs: [String] = []
        /// States whose consumers it takes; empty: every state.
        public var states: [String] = []

        public init() {}

        enum CodingKeys: String, CodingKey {
            case timezone, hoursOfOperation = "hours_of_operation", maxConcurrentTransfers = "max_concurrent_transfers"
            case maxTransfersPerDay = "max_transfers_per_day", priceCents = "price_cents", minDurationSeconds = "min_duration_seconds"
            case campaignIDs = "campaign_ids", states
        }

        /// Whether a consumer of this campaign and state may be sent to the line.
        func takes(campaignID: String?, state: String?) -> Bool {
            if !campaignIDs.isEmpty { guard let campaignID, campaignIDs.contains(campaignID) else { return false } }
            if !states.isEmpty { guard let state, states.contains(state) else { return false } }
            return true
        }
    }

    public let id: String
    public let tenantID: String
    public var name: String
    /// E.164.
    public var phone: String
    public var buyerID: String?
    public var status: Status
    public var settings: Settings
    public let createdAt: String
    public var updatedAt: String

    init(id: String, tenantID: String, createdAt: String) {
        self.id = id
        self.tenantID = tenantID
        name = ""
        phone = ""
        status = .active
        settings = Settings()
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    init(row: Row) throws {
        id = row["id"]
        tenantID = row["tenant_id"]
        name = row["name"]
        phone = row["phone"]
        buyerID = row["buyer_id"]
        status = Status(rawValue: row["status"]) ?? .paused
        settings = try JSONDecoder().decode(Settings.self, from: Data((row["settings"] as String).utf8))
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// What a destination is doing now: for its API view and for choosing where to transfer.
public struct DestinationUsage: Sendable, Equatable {
    public init() {}

    /// Transfers ringing or connected now.
    public var live = 0
    /// Transfers started today in its time zone.
    public var today = 0
    public var transfers = 0
    public var revenueCents = 0

    init(live: Int, today: Int, transfers: Int, revenueCents: Int) {
        self.live = live; self.today = today; self.transfers = transfers; self.revenueCents = revenueCents
    }
}

/// A destination as a request describes it (`POST`) or the part of it a request changes (`PATCH`).
public struct DestinationInput: Decodable, Sendable {
    public var name: Patch<String> = .absent
    public var phone: Patch<String> = .absent
    public var buyerID: Patch<String> = .absent
    public var status: Patch<String> = .absent
    public var timezone: Patch<String> = .absent
    public var hoursOfOperation: Patch<[String: DailyHours]> = .absent
    public var maxConcurrentTransfers: Patch<Int> = .absent
    public var maxTransfersPerDay: Patch<Int> = .absent
    public var priceCents: Patch<Int> = .absent
    public var minDurationSeconds: Patch<Int> = .absent
    public var campaignIDs: Patch<[String]> = .absent
    public var states: Patch<[String]> = .absent

    public init() {}

    private enum Keys: String, CodingKey {
        case name, phone, buyerID = "buyer_id", status
    }

    public init(from decoder: any Decoder) throws {
        let own = try decoder.container(keyedBy: Keys.self)
        let c = try decoder.container(keyedBy: Destination.Settings.CodingKeys.self)
        name = try own.patch(String.self, .name)
        phone = try own.patch(String.self, .phone)
        buyerID = try own.patch(String.self, .buyerID)
        status = try own.patch(String.self, .status)
        timezone = try c.patch(String.self, .timezone)
        hoursOfOperation = try c.patch([String: DailyHours].self, .hoursOfOperation)
        maxConcurrentTransfers = try c.patch(Int.self, .maxConcurrentTransfers)
        maxTransfersPerDay = try c.patch(Int.self, .maxTransfersPerDay)
        priceCents = try c.patch(Int.self, .priceCents)
        minDurationSeconds = try c.patch(Int.self, .minDurationSeconds)
        campaignIDs = try c.patch([String].self, .campaignIDs)
        states = try c.patch([String].self, .states)
    }

    /// Applies the given fields; the problems found, each under its field's name. Whether `buyer_id` and the campaign
    /// ids exist in the tenant is checked by the caller, against the database.
    func apply(to destination: inout Destination) -> [CoreError.FieldProblem] {
        var checks = FieldChecks()
        var settings = destination.settings
        switch name {
        case .value(let text): if let tidy = checks.text(text, "name", max: 200) { destination.name = tidy } else { checks.fail("name", "must not be empty") }
        case .null: checks.fail("name", "must not be empty")
        case .absent: break
        }
        switch phone {
        case .value(let text):
            do throws(PhoneNumber.Problem) { destination.phone = try PhoneNumber.normalize(text) } catch { checks.fail("phone", error.description) }
        case .null: checks.fail("phone", "must not be empty")
        case .absent: break
        }
        switch buyerID {
        case .value(let id): destination.buyerID = id.trimmingSpaces.isEmpty ? nil : id.trimmingSpaces
        case .null: destination.buyerID = nil
        case .absent: break
        }
        if let given = status.given {
            if let known = Destination.Status(rawValue: given) { destination.status = known } else { checks.fail("status", "must be active or paused") }
        } else if case .null = status { checks.fail("status", "must be active or paused") }
        settings.timezone = checks.timezone(timezone, "timezone", current: settings.timezone, fallback: Destination.Settings().timezone)
        settings.hoursOfOperation = checks.openingHours(hoursOfOperation, "hours_of_operation", current: settings.hoursOfOperation)
        func number(_ patch: Patch<Int>, _ field: String, _ keyPath: WritableKeyPath<Destination.Settings, Int?>, _ range: ClosedRange<Int>) {
            switch patch {
            case .value(let value): settings[keyPath: keyPath] = checks.number(value, field, range)
            case .null: settings[keyPath: keyPath] = nil
            case .absent: break
            }
        }
        number(maxConcurrentTransfers, "max_concurrent_transfers", \.maxConcurrentTransfers, 1...1000)
        number(maxTransfersPerDay, "max_transfers_per_day", \.maxTransfersPerDay, 0...100_000)
        number(priceCents, "price_cents", \.priceCents, 0...BuyerInput.maxCents)
        number(minDurationSeconds, "min_duration_seconds", \.minDurationSeconds, 0...7200)
        if let ids = checks.list(campaignIDs, "campaign_ids", max: 100, { $0.hasPrefix("camp_") && $0.count <= 64 ? $0 : nil }) {
            settings.campaignIDs = ids
        }
        if let codes = checks.list(states, "states", max: 51, reason: "must be a US state or DC code", USStates.canonical) { settings.states = codes }
        destination.settings = settings
        return checks.problems
    }
}
