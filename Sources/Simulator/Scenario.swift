import Foundation
import Yams

/// A rehearsal, as a JSON or YAML file: the campaigns, buyers and destinations to set up, the traffic to send and how the call
/// platform reports back. Every field has a default, so a scenario says only what it changes. The built-in ones
/// (`leadline simulate --list`) are written the same way, and `leadline simulate --show NAME` prints one to start from.
public struct Scenario: Decodable, Sendable {
    public var name = "scenario"
    public var description = ""
    /// Drives every random choice of the run (leads, bids, the voice simulator, the call platform).
    public var seed: UInt64 = 1
    /// How long traffic is sent, on the run's clock: `90s`, `30m`, `8h`, `1d`.
    public var duration = "10m"
    /// Where the run's clock starts (a started server only) and how much faster than real time it runs.
    public var clock = Clock()
    public var campaigns: [CampaignPlan] = [CampaignPlan()]
    public var buyers: [BuyerPlan] = [BuyerPlan()]
    public var destinations: [DestinationPlan] = []
    public var traffic = Traffic()
    public var postbacks = Postbacks()

    public struct Clock: Decodable, Sendable {
        /// RFC 3339; nil: now.
        public var start: String?
        public var speed: Double = 1

        enum CodingKeys: String, CodingKey, CaseIterable { case start, speed }
        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&start, .start); try c.fill(&speed, .speed)
        }
    }

    public struct CampaignPlan: Decodable, Sendable {
        public var name = "Auto insurance"
        public var campaignType = "auto_insurance"
        public var floorPriceCents: Int?
        public var maxBuyersPerLead = 1
        /// Leads of this campaign are called by the AI agent and transferred to its destinations instead of sold.
        public var calling = false
        public var returnWindowDays = 7

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, campaignType = "campaign_type", floorPriceCents = "floor_price_cents", maxBuyersPerLead = "max_buyers_per_lead"
            case calling, returnWindowDays = "return_window_days"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&name, .name); try c.fill(&campaignType, .campaignType); try c.fill(&floorPriceCents, .floorPriceCents)
            try c.fill(&maxBuyersPerLead, .maxBuyersPerLead); try c.fill(&calling, .calling); try c.fill(&returnWindowDays, .returnWindowDays)
        }
    }

    /// `count` buyers alike: live bidders (mock buyers on loopback ports) or fixed bids.
    public struct BuyerPlan: Decodable, Sendable {
        public var name = "Buyer"
        public var count = 3
        public var live = true
        /// `2500`, or a range `1500-4000` bids are drawn from.
        public var bidCents = "1500-4000"
        public var maxPriceCents: Int?
        public var campaignTypes: [String] = []
        public var states: [String] = []
        public var latencyMs = 40
        public var jitterMs = 60
        public var timeoutRate = 0.0
        public var declineRate = 0.1
        public var rejectRate = 0.05
        /// Share of sold leads the buyer returns.
        public var returnRate = 0.0
        /// `json`, `xml` or `text`.
        public var format = "json"
        public var maxLeadsPerHour: Int?
        public var maxLeadsPerDay: Int?
        public var exclusivity = "exclusive"
        public var timeoutMs = 800

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, count, live, bidCents = "bid_cents", maxPriceCents = "max_price_cents", campaignTypes = "campaign_types"
            case states, latencyMs = "latency_ms", jitterMs = "jitter_ms", timeoutRate = "timeout_rate", declineRate = "decline_rate"
            case rejectRate = "reject_rate", returnRate = "return_rate", format, maxLeadsPerHour = "max_leads_per_hour"
            case maxLeadsPerDay = "max_leads_per_day", exclusivity, timeoutMs = "timeout_ms"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&name, .name); try c.fill(&count, .count); try c.fill(&live, .live); try c.fill(&bidCents, .bidCents)
            try c.fill(&maxPriceCents, .maxPriceCents); try c.fill(&campaignTypes, .campaignTypes); try c.fill(&states, .states)
            try c.fill(&latencyMs, .latencyMs); try c.fill(&jitterMs, .jitterMs); try c.fill(&timeoutRate, .timeoutRate)
            try c.fill(&declineRate, .declineRate); try c.fill(&rejectRate, .rejectRate); try c.fill(&returnRate, .returnRate)
            try c.fill(&format, .format); try c.fill(&maxLeadsPerHour, .maxLeadsPerHour); try c.fill(&maxLeadsPerDay, .maxLeadsPerDay)
            try c.fill(&exclusivity, .exclusivity); try c.fill(&timeoutMs, .timeoutMs)
        }

        public var bidRange: ClosedRange<Int>? { Scenario.range(bidCents) }
    }

    /// A buyer's phone line that a calling campaign transfers to.
    public struct DestinationPlan: Decodable, Sendable {
        public var name = "Call center"
        /// Its number; one ending in 0900 never answers in the voice simulator.
        public var phone = "5125550142"
        public var campaign: String?
        public var priceCents = 3500
        public var maxConcurrentTransfers = 5

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, phone, campaign, priceCents = "price_cents", maxConcurrentTransfers = "max_concurrent_transfers"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&name, .name); try c.fill(&phone, .phone); try c.fill(&campaign, .campaign); try c.fill(&priceCents, .priceCents)
            try c.fill(&maxConcurrentTransfers, .maxConcurrentTransfers)
        }
    }

    public struct Traffic: Decodable, Sendable {
        public var leadsPerMinute = 60.0
        /// Leads sent back to back before the steady rate (the demo's first minute).
        public var warmUp = 0
        /// Leads in flight at once. 1 (the default) keeps a run the same for the same seed; more is a load test, whose
        /// auctions overlap in an order the machine decides.
        public var concurrency = 1
        /// How leads arrive: posted to EZLeeds' inbound (routed to buyers), pinged then posted, or lead2inbound's `/v1/leads`.
        public var inbound = 0.5
        public var pingPost = 0.4
        public var lead2Inbound = 0.1
        public var badRate = 0.03
        public var duplicateRate = 0.03
        public var unconsentedRate = 0.03
        /// Campaign types and their weights; default: the scenario's campaigns, evenly.
        public var campaignTypes: [String: Double]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case leadsPerMinute = "leads_per_minute", warmUp = "warm_up", concurrency, inbound, pingPost = "ping_post", lead2Inbound = "lead2inbound"
            case badRate = "bad_rate", duplicateRate = "duplicate_rate", unconsentedRate = "unconsented_rate"
            case campaignTypes = "campaign_types"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&leadsPerMinute, .leadsPerMinute); try c.fill(&warmUp, .warmUp); try c.fill(&concurrency, .concurrency)
            try c.fill(&inbound, .inbound)
            try c.fill(&pingPost, .pingPost)
            try c.fill(&lead2Inbound, .lead2Inbound); try c.fill(&badRate, .badRate); try c.fill(&duplicateRate, .duplicateRate)
            try c.fill(&unconsentedRate, .unconsentedRate); try c.fill(&campaignTypes, .campaignTypes)
        }
    }

    /// The call platform's revenue postbacks after transfers.
    public struct Postbacks: Decodable, Sendable {
        /// Seconds after a transfer ends, drawn evenly from this range.
        public var delaySeconds = "5-60"
        public var duplicateRate = 0.05
        public var badTokenRate = 0.02
        /// `leadline` (the quickstart's names), `ringba` or `retreaver` parameter names.
        public var style = "ringba"
        /// Dollars paid per transfer, drawn from this range.
        public var payout = "20-60"

        enum CodingKeys: String, CodingKey, CaseIterable {
            case delaySeconds = "delay_seconds", duplicateRate = "duplicate_rate", badTokenRate = "bad_token_rate", style, payout
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.checkedContainer(CodingKeys.self)
            try c.fill(&delaySeconds, .delaySeconds); try c.fill(&duplicateRate, .duplicateRate); try c.fill(&badTokenRate, .badTokenRate)
            try c.fill(&style, .style); try c.fill(&payout, .payout)
        }
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.checkedContainer(CodingKeys.self)
        try c.fill(&name, .name); try c.fill(&description, .description); try c.fill(&seed, .seed); try c.fill(&duration, .duration)
        try c.fill(&clock, .clock); try c.fill(&campaigns, .campaigns); try c.fill(&buyers, .buyers)
        try c.fill(&destinations, .destinations); try c.fill(&traffic, .traffic); try c.fill(&postbacks, .postbacks)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, seed, duration, clock, campaigns, buyers, destinations, traffic, postbacks
    }

    /// Reads a scenario file, JSON or (`yaml`) YAML; the problems name the field.
    public static func parse(_ data: Data, yaml: Bool = false) throws -> Scenario {
        do {
            if yaml { return try YAMLDecoder().decode(Scenario.self, from: data) }
            return try JSONDecoder().decode(Scenario.self, from: data)
        } catch let error as DecodingError {
            throw ScenarioError(reason: Self.describe(error))
        } catch {
            throw ScenarioError(reason: "not valid \(yaml ? "YAML" : "JSON"): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Checks what decoding cannot: ranges, rates, names that must match.
    public func validated() throws -> Scenario {
        var problems: [String] = []
        if Self.seconds(duration) == nil { problems.append("duration: must be like 90s, 30m, 8h or 1d") }
        if clock.speed <= 0 || clock.speed > 10_000 { problems.append("clock.speed: must be above 0 and at most 10000") }
        if let start = clock.start, ISO8601DateFormatter().date(from: start) == nil { problems.append("clock.start: must be an RFC 3339 time") }
        if campaigns.isEmpty { problems.append("campaigns: at least one") }
        for (index, buyer) in buyers.enumerated() {
            if buyer.bidRange == nil { problems.append("buyers[\(index)].bid_cents: CENTS or LOW-HIGH, e.g. 1500-4000") }
            if !(1...200).contains(buyer.count) { problems.append("buyers[\(index)].count: 1 to 200") }
            if MockBuyer.Behavior.Format(rawValue: buyer.format) == nil { problems.append("buyers[\(index)].format: json, xml or text") }
            for (field, rate) in [("timeout_rate", buyer.timeoutRate), ("decline_rate", buyer.declineRate), ("reject_rate", buyer.rejectRate),
                                  ("return_rate", buyer.returnRate)] where !(0...1).contains(rate) {
                problems.append("buyers[\(index)].\(field): from 0 to 1")
            }
        }
        for (index, destination) in destinations.enumerated() {
            if let campaign = destination.campaign, !campaigns.contains(where: { $0.name == campaign }) {
                problems.append("destinations[\(index)].campaign: no campaign is named \(campaign)")
            }
        }
        if traffic.leadsPerMinute <= 0 || traffic.leadsPerMinute > 100_000 { problems.append("traffic.leads_per_minute: above 0, at most 100000") }
        if !(0...10_000).contains(traffic.warmUp) { problems.append("traffic.warm_up: 0 to 10000 leads") }
        if !(1...1000).contains(traffic.concurrency) { problems.append("traffic.concurrency: 1 to 1000") }
        if traffic.inbound + traffic.pingPost + traffic.lead2Inbound <= 0 { problems.append("traffic: inbound, ping_post and lead2inbound cannot all be 0") }
        if Self.range(postbacks.delaySeconds) == nil { problems.append("postbacks.delay_seconds: SECONDS or LOW-HIGH") }
        if Self.range(postbacks.payout) == nil { problems.append("postbacks.payout: DOLLARS or LOW-HIGH") }
        if !["leadline", "ringba", "retreaver"].contains(postbacks.style) { problems.append("postbacks.style: leadline, ringba or retreaver") }
        if !problems.isEmpty { throw ScenarioError(reason: problems.joined(separator: "; ")) }
        return self
    }

    /// `90s`, `30m`, `8h`, `1d` as seconds.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "s": return amount
        case "m": return amount * 60
        case "h": return amount * 3600
        case "d": return amount * 86400
        default: return nil
        }
    }

    /// `5` or `5-60`.
    public static func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch parts.count {
        case 1 where parts[0] >= 0: return parts[0]...parts[0]
        case 2 where parts[0] >= 0 && parts[0] <= parts[1]: return parts[0]...parts[1]
        default: return nil
        }
    }
}

extension Decoder {
    /// The object's container, after checking that it has no key `Keys` does not name: a misspelt field in a scenario
    /// file is an error, not a default silently used.
    func checkedContainer<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let known = Set(Keys.allCases.map(\.stringValue))
        let given = try container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = given.first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [AnyKey(stringValue: unknown)],
                                                    debugDescription: "unknown field; known: \(known.sorted().joined(separator: ", "))"))
        }
        return try container(keyedBy: Keys.self)
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` with the field's when the field is there.
    func fill<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let given = try decodeIfPresent(T.self, forKey: key) { value = given }
    }
}

struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

public struct ScenarioError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
