import Foundation
import Histogram

/// The end of a rehearsal: what was sent and what came of it, buyer by buyer, the calls and postbacks, latency
/// percentiles, errors, and the invariants. Everything but the timings is the same for the same seed.
public struct ScenarioReport: Sendable {
    /// What only the server's database knows (a started server; a targeted one leaves these empty).
    public struct ServerFacts: Sendable {
        public var callStatuses: [String: Int] = [:]
        public var transferStatuses: [String: Int] = [:]
        public var transferRevenueCents = 0
        public var postbacksMatched = 0
        public var postbacksUnmatched = 0
        public var breaches: [String] = []
        public var checked: [String: Int] = [:]
        public init() {}
    }

    public let scenario: Scenario
    public let stats: RunStats.Snapshot
    public let facts: ServerFacts?
    public let runSeconds: Double
    public let wallSeconds: Double

    public init(scenario: Scenario, stats: RunStats.Snapshot, facts: ServerFacts?, runSeconds: Double, wallSeconds: Double) {
        self.scenario = scenario
        self.stats = stats
        self.facts = facts
        self.runSeconds = runSeconds
        self.wallSeconds = wallSeconds
    }

    /// Non-zero when an invariant broke or a request failed (a 5xx or no answer).
    public var exitCode: Int32 { (facts?.breaches.isEmpty ?? true) && stats[count: "errors"] == 0 ? 0 : 1 }

    public var text: String {
        var out: [String] = []
        func line(_ label: String, _ text: String) { out.append(label.padding(toLength: 16, withPad: " ", startingAt: 0) + text) }
        func counts(_ prefix: String) -> String {
            stats.counts.filter { $0.key.hasPrefix(prefix + ".") && !$0.key.dropFirst(prefix.count + 1).contains(".") }
                .sorted { $0.key < $1.key }.map { "\($0.key.dropFirst(prefix.count + 1)) \($0.value)" }.joined(separator: ", ")
        }
        out.append("Scenario \(scenario.name) (seed \(scenario.seed)): \(Rehearsal.clockText(runSeconds)) of run time in "
                   + "\(Rehearsal.clockText(wallSeconds)) (clock x\(Self.number(scenario.clock.speed)))")
        line("Leads", "sent \(stats[count: "leads"]): " + ["good", "bad", "duplicate", "unconsented"].map { "\($0) \(stats[count: "leads.\($0)"])" }.joined(separator: ", "))
        line("  inbound", counts("inbound"))
        line("  ping", counts("ping"))
        line("  post", counts("post"))
        line("  lead2inbound", counts("lead2inbound"))
        line("Sold", "\(stats[count: "sold"]) leads for \(Self.dollars(stats[count: "revenue_cents"])); accepted \(stats[count: "accepted"]), returned \(stats[count: "returned"])")
        out.append("Buyers")
        let names = Set(stats.buyerBids.keys).union(stats.buyerWins.keys).sorted()
        out.append("  " + "buyer".padding(toLength: 28, withPad: " ", startingAt: 0) + "ping bids  ping win rate   leads won   revenue")
        for name in names {
            let bids = stats.buyerBids[name] ?? 0, pingWins = stats.buyerPingWins[name] ?? 0, wins = stats.buyerWins[name] ?? 0
            let rate = bids > 0 ? String(format: "%5.1f%%", Double(pingWins) / Double(bids) * 100) : "    -"
            out.append("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
                       + String(format: "%9d         %@   %9d   %@", bids, rate, wins, Self.dollars(stats.buyerRevenueCents[name] ?? 0)))
        }
        if let facts {
            line("Calls", facts.callStatuses.isEmpty ? "none" : facts.callStatuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            line("Transfers", (facts.transferStatuses.isEmpty ? "none" : facts.transferStatuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                 + "; revenue from postbacks \(Self.dollars(facts.transferRevenueCents))")
            line("Postbacks", "sent: \(counts("postbacks")); stored: matched \(facts.postbacksMatched), unmatched \(facts.postbacksUnmatched)")
        } else {
            line("Postbacks", "sent: \(counts("postbacks"))")
        }
        out.append("Latency ms     requests      p50      p90      p99      max")
        for (operation, histogram) in stats.latency.sorted(by: { $0.key < $1.key }) {
            func ms(_ micros: UInt64) -> String { String(format: "%8.1f", Double(micros) / 1000) }
            out.append("  " + operation.padding(toLength: 12, withPad: " ", startingAt: 0)
                       + String(format: "%9d", histogram.totalCount) + " " + ms(histogram.valueAtPercentile(50)) + " "
                       + ms(histogram.valueAtPercentile(90)) + " " + ms(histogram.valueAtPercentile(99)) + " " + ms(histogram.max))
        }
        line("Errors", stats.errors.isEmpty ? "none" : "\(stats[count: "errors"]): " + stats.errors.prefix(5).joined(separator: "; "))
        if let facts {
            let checked = "ledger (\(facts.checked["transactions"] ?? 0) transactions), caps (\(facts.checked["sales"] ?? 0) sales), calling hours (\(facts.checked["calls"] ?? 0) calls)"
            line("Invariants", facts.breaches.isEmpty ? "all hold: \(checked)" : "\(facts.breaches.count) BROKEN: " + facts.breaches.prefix(10).joined(separator: "; "))
        } else {
            line("Invariants", "not checked: a targeted server's database is not read (run without --target to check them)")
        }
        return out.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public var json: [String: Any] {
        var latency: [String: Any] = [:]
        for (operation, histogram) in stats.latency {
            latency[operation] = ["requests": histogram.totalCount, "p50_ms": Double(histogram.valueAtPercentile(50)) / 1000,
                                  "p90_ms": Double(histogram.valueAtPercentile(90)) / 1000,
                                  "p99_ms": Double(histogram.valueAtPercentile(99)) / 1000, "max_ms": Double(histogram.max) / 1000]
        }
        var buyers: [String: Any] = [:]
        for name in Set(stats.buyerBids.keys).union(stats.buyerWins.keys) {
            buyers[name] = ["ping_bids": stats.buyerBids[name] ?? 0, "ping_wins": stats.buyerPingWins[name] ?? 0,
                            "leads_won": stats.buyerWins[name] ?? 0, "revenue_cents": stats.buyerRevenueCents[name] ?? 0]
        }
        var report: [String: Any] = ["scenario": scenario.name, "seed": scenario.seed, "run_seconds": Int(runSeconds),
                                     "wall_seconds": Int(wallSeconds), "counts": stats.counts, "buyers": buyers, "latency": latency,
                                     "errors": stats.errors, "ok": exitCode == 0]
        if let facts {
            report["calls"] = facts.callStatuses
            report["transfers"] = facts.transferStatuses
            report["transfer_revenue_cents"] = facts.transferRevenueCents
            report["postbacks_stored"] = ["matched": facts.postbacksMatched, "unmatched": facts.postbacksUnmatched]
            report["invariants"] = ["breaches": facts.breaches, "checked": facts.checked]
        }
        return report
    }

    static func dollars(_ cents: Int) -> String { String(format: "$%d.%02d", cents / 100, abs(cents % 100)) }
    public static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
