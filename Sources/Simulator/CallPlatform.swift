import Foundation
import OutboundHTTP
import Synchronization

/// A mock call platform (Ringba, Retreaver and the like): it watches the transfers Leadline makes and, a while after
/// each ends, fires the revenue postback to the tenant's postback URL, in the scenario's parameter names. Some are
/// sent twice, and some first with a wrong token, as real platforms misconfigured or retrying do.
public final class CallPlatform: Sendable {
    struct Pending {
        let due: Double
        let fields: [(String, String)]
    }

    struct State {
        var random: SplitMix64
        var seen: Set<String> = []
        var pending: [Pending] = []
    }

    let client: LeadlineClient
    let plan: Scenario.Postbacks
    let postbackURL: String
    let stats: RunStats
    let clock: RunClock
    private let state: Mutex<State>

    public init(client: LeadlineClient, plan: Scenario.Postbacks, postbackURL: String, stats: RunStats, clock: RunClock, seed: UInt64) {
        self.client = client
        self.plan = plan
        self.postbackURL = postbackURL
        self.stats = stats
        self.clock = clock
        state = Mutex(State(random: SplitMix64(seed: seed &* 131 &+ 17)))
    }

    /// Looks for ended transfers every `every` run-seconds and sends the postbacks that are due, until cancelled.
    public func run(every: Double = 5) async {
        var tick = 0.0
        while !Task.isCancelled {
            await poll()
            await sendDue(upTo: clock.runSeconds)
            tick += every
            await clock.sleep(untilRunSecond: tick)
        }
    }

    /// Sends every postback still owed, whatever its delay (the end of a run).
    public func flush() async {
        await poll()
        await sendDue(upTo: .infinity)
    }

    func poll() async {
        let answer = await client.send("GET", "/api/v1/transfers?limit=200")
        guard answer.ok else { stats.error("transfers: HTTP \(answer.status) \(answer.failure ?? "")"); return }
        let delays = Scenario.range(plan.delaySeconds) ?? 5...60, payouts = Scenario.range(plan.payout) ?? 20...60
        for transfer in answer.items.reversed() {
            guard let id = transfer["id"] as? String, transfer["status"] as? String == "ended",
                  let seconds = transfer["duration_seconds"] as? Int, seconds > 0 else { continue }
            state.withLock { state in
                guard state.seen.insert(id).inserted else { return }
                let delay = Double(delays.lowerBound) + state.random.unit() * Double(delays.count)
                let dollars = Double(payouts.lowerBound) + state.random.unit() * Double(payouts.count - 1)
                let fields = Self.fields(style: plan.style, callerID: transfer["caller_id"] as? String ?? "", seconds: seconds,
                                         buyer: transfer["buyer_id"] as? String ?? "", dollars: dollars, callID: "plat-\(id.suffix(10))")
                state.pending.append(Pending(due: clock.runSeconds + delay, fields: fields))
            }
        }
    }

    func sendDue(upTo now: Double) async {
        let (due, draws): ([Pending], [(Double, Double)]) = state.withLock { state in
            let due = state.pending.filter { $0.due <= now }
            state.pending.removeAll { $0.due <= now }
            return (due, due.map { _ in (state.random.unit(), state.random.unit()) })
        }
        for (postback, (badDraw, duplicateDraw)) in zip(due, draws) {
            if badDraw < plan.badTokenRate { await send(postback.fields, token: "not-the-token") }
            await send(postback.fields, token: nil)
            if duplicateDraw < plan.duplicateRate { await send(postback.fields, token: nil) }
        }
    }

    /// One postback, as a GET with the fields in the query (the quickstart's form); `token` replaces the URL's own.
    func send(_ fields: [(String, String)], token: String?) async {
        guard var components = URLComponents(string: postbackURL) else { return }
        var query = components.queryItems ?? []
        if let token { query = query.map { $0.name == "token" ? URLQueryItem(name: "token", value: token) : $0 } }
        query += fields.map { URLQueryItem(name: $0.0, value: $0.1) }
        components.queryItems = query
        guard let url = components.url?.absoluteString else { return }
        let answer = await client.raw(OutboundRequest(method: "GET", url: url, timeout: .seconds(30), policy: AddressPolicy(allowPrivate: true)))
        stats.latency("postback", milliseconds: answer.milliseconds)
        switch answer.status {
        case 200:
            stats.count("postbacks.\(answer["status"] as? String ?? "?")")
        case 401:
            stats.count("postbacks.bad_token")
        case 0, 500...:
            stats.error("postback: \(answer.status == 0 ? answer.failure ?? "no answer" : "HTTP \(answer.status)")")
        default:
            stats.count("postbacks.refused")
        }
    }

    /// The fields of a postback in a platform's spelling.
    static func fields(style: String, callerID: String, seconds: Int, buyer: String, dollars: Double, callID: String) -> [(String, String)] {
        let payout = String(format: "%.2f", dollars)
        switch style {
        case "ringba":
            return [("ani", callerID), ("call_duration", String(seconds)), ("target", buyer), ("revenue", payout), ("callid", callID)]
        case "retreaver":
            return [("caller_number", callerID), ("billable_seconds", String(seconds)), ("buyer_name", buyer),
                    ("call_revenue", payout), ("call_uuid", callID)]
        default:
            return [("caller_id", callerID), ("duration", String(seconds)), ("buyer", buyer), ("payout", payout), ("call_id", callID)]
        }
    }
}
