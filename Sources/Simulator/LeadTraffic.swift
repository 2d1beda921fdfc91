import Foundation
import Synchronization

/// The lead source of a rehearsal: synthetic leads at the scenario's rate, each sent the way the mix says (EZLeeds'
/// inbound, a ping then a post to the best bid, or lead2inbound's `/v1/leads`); each lead sold is then accepted by
/// its buyer, or returned by a buyer that returns a share of what it buys. Leads are made and sent one after another
/// (unless the scenario asks for concurrency), so the same seed gives the same run.
public final class LeadTraffic: Sendable {
    let client: LeadlineClient
    let scenario: Scenario
    let setup: ScenarioSetup.Result
    let stats: RunStats
    let clock: RunClock
    private let leads: Mutex<SyntheticLeads>
    private let buyerNames: [String: String]
    private let returnRates: [String: Double]
    /// Campaign types whose leads are called, not auctioned.
    private let callingTypes: Set<String>

    public init(client: LeadlineClient, scenario: Scenario, setup: ScenarioSetup.Result, stats: RunStats, clock: RunClock) {
        self.client = client
        self.scenario = scenario
        self.setup = setup
        self.stats = stats
        self.clock = clock
        let types = scenario.traffic.campaignTypes.map { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
            ?? Array(Set(scenario.campaigns.map(\.campaignType))).sorted().map { ($0, 1.0) }
        let traffic = scenario.traffic
        leads = Mutex(SyntheticLeads(seed: scenario.seed, mix: .init(bad: traffic.badRate, duplicate: traffic.duplicateRate,
                                                                    unconsented: traffic.unconsentedRate, campaignTypes: types)))
        buyerNames = Dictionary(setup.buyers.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        returnRates = Dictionary(setup.buyers.map { ($0.id, $0.plan.returnRate) }, uniquingKeysWith: { a, _ in a })
        callingTypes = Set(scenario.campaigns.filter(\.calling).map(\.campaignType))
    }

    /// Sends leads until `runSeconds` of the run's clock have passed (nil: until the task is cancelled).
    public func run(runSeconds: Int?) async {
        let interval = 60 / scenario.traffic.leadsPerMinute
        for _ in 0..<scenario.traffic.warmUp where !Task.isCancelled { await sendOne() }
        let parallel = scenario.traffic.concurrency
        await withTaskGroup(of: Void.self) { group in
            var sent = 0, inFlight = 0
            while !Task.isCancelled {
                let due = Double(sent) * interval
                if let runSeconds, due >= Double(runSeconds) { break }
                // A load run ends on time; the leads it could not send in time are counted, not sent late. (A
                // rehearsal, one lead at a time, sends every lead however long it takes, so its counts repeat.)
                if parallel > 1, let runSeconds, clock.runSeconds >= Double(runSeconds) {
                    stats.count("leads.not_sent_in_time", Int((Double(runSeconds) / interval).rounded()) - sent)
                    break
                }
                await clock.sleep(untilRunSecond: due)
                if Task.isCancelled { break }
                if parallel == 1 {
                    await sendOne()
                } else {
                    if inFlight >= parallel { await group.next(); inFlight -= 1 }
                    group.addTask { await self.sendOne() }
                    inFlight += 1
                }
                sent += 1
            }
            await group.waitForAll()
        }
    }

    func sendOne() async {
        let (lead, route, returnDraw) = leads.withLock { source -> (SyntheticLeads.Lead, Double, Double) in
            (source.next(consentedAt: clock.now), source.unit(), source.unit())
        }
        stats.count("leads")
        stats.count("leads.\(lead.kind.rawValue)")
        let traffic = scenario.traffic
        let total = traffic.inbound + traffic.pingPost + traffic.lead2Inbound
        let sale: (buyerID: String, leadID: String)?
        if route * total < traffic.inbound {
            sale = await inbound(lead)
        } else if route * total < traffic.inbound + traffic.pingPost {
            sale = await pingPost(lead)
        } else {
            await lead2Inbound(lead)
            sale = nil
        }
        // A buyer that keeps a lead accepts it (billing's accept); one that returns a share sends those back.
        if let sale {
            if returnDraw < returnRates[sale.buyerID] ?? 0 {
                await returnLead(sale.leadID, buyerID: sale.buyerID)
            } else {
                await accept(sale.leadID, buyerID: sale.buyerID)
            }
        }
    }

    func accept(_ leadID: String, buyerID: String) async {
        let answer = await client.send("POST", "/api/v1/leads/\(leadID)/accept", ["buyer_id": buyerID])
        stats.latency("accept", milliseconds: answer.milliseconds)
        if record(answer, "accept") { stats.count("accepted") }
    }

    /// EZLeeds' inbound: routed to buyers at once; who bought it is read back from the lead.
    func inbound(_ lead: SyntheticLeads.Lead) async -> (buyerID: String, leadID: String)? {
        let answer = await client.send("POST", "/api/v1/leads/inbound", lead.ezleeds)
        stats.latency("inbound", milliseconds: answer.milliseconds)
        guard record(answer, "inbound"), let id = answer["id"] as? String else { return nil }
        if answer["duplicate"] as? Bool == true { stats.count("inbound.duplicate"); return nil }
        let status = answer["status"] as? String ?? "?"
        guard status != "ineligible", !callingTypes.contains(lead.campaignType) else {
            stats.count("inbound.\(status == "ineligible" ? status : "to_calls")")
            return nil
        }
        // The auction runs after the answer: wait for its end on the lead's timeline (sold, or unsold and why), so
        // the next lead's auction never overlaps this one and the run stays the same for the same seed.
        var detail = await client.send("GET", "/api/v1/leads/\(id)")
        for _ in 0..<500 where detail.ok && !Self.routed(detail) {
            try? await Task.sleep(for: .milliseconds(10))
            detail = await client.send("GET", "/api/v1/leads/\(id)")
        }
        guard detail.ok, Self.routed(detail) else { stats.error("inbound: lead \(id) was not routed within 5 s"); return nil }
        guard let buyer = detail["buyer_id"] as? String else { stats.count("inbound.unsold"); return nil }
        stats.count("inbound.sold")
        let price = detail["sold_price_cents"] as? Int ?? 0
        stats.count("sold")
        stats.count("revenue_cents", price)
        stats.won(buyer: buyerNames[buyer] ?? buyer, priceCents: price, atPing: false)
        return (buyer, id)
    }

    /// Whether the lead's timeline shows the end of its auction.
    static func routed(_ detail: LeadlineClient.Answer) -> Bool {
        (detail["events"] as? [[String: Any]] ?? []).contains { ["sold", "unsold"].contains($0["kind"] as? String ?? "") }
    }

    /// A ping without personal data, then a post to the best bid.
    func pingPost(_ lead: SyntheticLeads.Lead) async -> (buyerID: String, leadID: String)? {
        let ping = await client.send("POST", "/api/v1/pingpost/ping", lead.ping)
        stats.latency("ping", milliseconds: ping.milliseconds)
        guard record(ping, "ping") else { return nil }
        let bids = ping["bids"] as? [[String: Any]] ?? []
        for bid in bids { if let buyer = bid["buyer_id"] as? String { stats.bid(buyer: buyerNames[buyer] ?? buyer) } }
        guard let best = bids.first, let buyer = best["buyer_id"] as? String, let pingID = ping["ping_id"] as? String else {
            stats.count("ping.no_bid")
            return nil
        }
        stats.count("ping.bids")
        var body: [String: Any] = ["ping_id": pingID, "buyer_id": buyer, "lead": lead.postLead]
        body["consent"] = lead.consent
        let post = await client.send("POST", "/api/v1/pingpost/post", body)
        stats.latency("post", milliseconds: post.milliseconds)
        guard record(post, "post") else { return nil }
        guard post["accepted"] as? Bool == true, let winner = post["buyer_id"] as? String, let id = post["lead_id"] as? String else {
            stats.count("post.rejected")
            return nil
        }
        let price = post["price_cents"] as? Int ?? 0
        stats.count("post.accepted")
        stats.count("sold")
        stats.count("revenue_cents", price)
        stats.won(buyer: buyerNames[winner] ?? winner, priceCents: price, atPing: true)
        return (winner, id)
    }

    func lead2Inbound(_ lead: SyntheticLeads.Lead) async {
        let answer = await client.send("POST", "/v1/leads", lead.lead2Inbound)
        stats.latency("lead2inbound", milliseconds: answer.milliseconds)
        guard record(answer, "lead2inbound") else { return }
        stats.count("lead2inbound.\(answer["outcome"] as? String ?? "?")")
    }

    func returnLead(_ leadID: String, buyerID: String) async {
        let answer = await client.send("POST", "/api/v1/leads/\(leadID)/return", ["reason": "wrong_person", "buyer_id": buyerID])
        stats.latency("return", milliseconds: answer.milliseconds)
        if record(answer, "return") { stats.count("returned") }
    }

    /// Counts an answer by its class; false unless it is a success. A 4xx is the server refusing what it should
    /// (a bad phone, a duplicate ping, an expired bid); a 5xx or no answer at all is an error of the run.
    func record(_ answer: LeadlineClient.Answer, _ operation: String) -> Bool {
        switch answer.status {
        case 200..<300: return true
        case 400..<500:
            let code = (answer["error"] as? [String: Any])?["code"] as? String ?? String(answer.status)
            stats.count("\(operation).refused")
            stats.count("\(operation).refused.\(code)")
            return false
        default:
            stats.error("\(operation): \(answer.status == 0 ? answer.failure ?? "no answer" : "HTTP \(answer.status)")")
            return false
        }
    }
}

/// The run's clock: seconds of the scenario's time against real time, at the scenario's speed. `now` is what the
/// server's clock reads (it was started at `start` with the same speed), so consent times look fresh to it.
public struct RunClock: Sendable {
    public let start: Date
    public let speed: Double
    let began: ContinuousClock.Instant

    public init(start: Date, speed: Double) {
        self.start = start
        self.speed = speed
        began = .now
    }

    public var runSeconds: Double {
        let elapsed = ContinuousClock.now - began
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * speed
    }

    public var now: Date { start.addingTimeInterval(runSeconds) }

    public func sleep(untilRunSecond second: Double) async {
        let wait = (second - runSeconds) / speed
        if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    }
}
