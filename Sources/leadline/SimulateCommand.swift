import ArgumentParser
import Foundation
import Simulator

/// `leadline simulate`: rehearse a scenario end to end and get its report, or run the simulator's mock buyers alone.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Rehearse ping-post and call traffic against a Leadline server and print a report (`leadline simulate quick`).",
        subcommands: [RunScenario.self, Buyers.self], defaultSubcommand: RunScenario.self)

    struct Buyers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start mock buyers that answer pings and posts; print one JSON line per buyer (its URLs and response_parsing), run until stopped.")
        @Option(help: "How many buyers.") var count = 10
        @Option(name: .customLong("bid-cents"), help: "Bids are drawn from this range, e.g. 1500-4000 or 2500.") var bidCents = "1000-5000"
        @Option(name: .customLong("latency-ms"), help: "How long each answer takes (up to 1 ms more: answers due together go out together).") var latencyMs = 20
        @Option(name: .customLong("jitter-ms"), help: "Up to this much more, at random.") var jitterMs = 0
        @Option(name: .customLong("timeout-rate"), help: "Share of pings answered only after 30 s (0–1).") var timeoutRate = 0.0
        @Option(name: .customLong("decline-rate"), help: "Share of pings answered with no bid (0–1).") var declineRate = 0.0
        @Option(name: .customLong("reject-rate"), help: "Share of posts rejected (0–1).") var rejectRate = 0.0
        @Option(help: "Answer format: json, xml or text.") var format = "json"
        @Option(help: "Seed for the buyers' random choices.") var seed: UInt64 = 1

        func validate() throws {
            if count < 1 || count > 200 { throw ValidationError("--count must be 1 to 200") }
            if range == nil { throw ValidationError("--bid-cents takes CENTS or LOW-HIGH, e.g. 1500-4000") }
            if MockBuyer.Behavior.Format(rawValue: format) == nil { throw ValidationError("--format must be json, xml or text") }
            for (name, rate) in [("--timeout-rate", timeoutRate), ("--decline-rate", declineRate), ("--reject-rate", rejectRate)]
            where !(0...1).contains(rate) {
                throw ValidationError("\(name) must be from 0 to 1")
            }
        }

        var range: ClosedRange<Int>? { Scenario.range(bidCents) }

        func run() throws {
            let signals = TerminationSignals()
            OpenFileLimit.raise()  // a buyer that hangs holds a connection for every ping it lets time out

            let behavior = MockBuyer.Behavior(bidCents: range!, latency: .milliseconds(latencyMs), jitter: .milliseconds(jitterMs),
                                              timeoutRate: timeoutRate, hang: .seconds(30), declineRate: declineRate, rejectRate: rejectRate,
                                              format: MockBuyer.Behavior.Format(rawValue: format)!)
            var buyers: [MockBuyer] = []
            for index in 0..<count {
                let buyer = try MockBuyer(behavior, seed: seed &+ UInt64(index))
                buyers.append(buyer)
                var line: [String: Any] = ["name": "mock-\(index + 1)", "ping_url": buyer.pingURL, "post_url": buyer.postURL]
                if let rule = behavior.responseParsing { line["response_parsing"] = rule }
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
            fflush(nil)
            _ = signals.wait()
            for buyer in buyers { buyer.stop() }
        }
    }
}
