import Foundation
import OutboundHTTP

/// One run of a scenario against a server, over its API: set up, send the traffic for the scenario's duration while
/// the call platform reports transfers, then let calls under way finish and send the postbacks still owed.
public struct Rehearsal: Sendable {
    public let scenario: Scenario
    public let client: LeadlineClient
    public let clock: RunClock
    public let stats: RunStats

    public init(scenario: Scenario, base: String, key: String, outbound: OutboundClient, clock: RunClock, stats: RunStats = RunStats()) {
        self.scenario = scenario
        client = LeadlineClient(base: base, key: key, outbound: outbound)
        self.clock = clock
        self.stats = stats
    }

    /// Runs the scenario. After the traffic stops it waits for transfers under way to end: up to 30 minutes of the
    /// run's clock, and at most two real minutes.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let settleRunSeconds = min(1800, 120 * scenario.clock.speed)
        let setup = try await ScenarioSetup(client: client, scenario: scenario).run()
        progress("set up \(setup.campaignIDs.count) campaigns, \(setup.buyers.count) buyers (\(setup.buyers.filter { $0.mock != nil }.count) live), \(setup.destinationIDs.count) destinations")
        defer { for buyer in setup.buyers { buyer.mock?.stop() } }
        let duration = Scenario.seconds(scenario.duration) ?? 600
        let traffic = LeadTraffic(client: client, scenario: scenario, setup: setup, stats: stats, clock: clock)
        let platform = CallPlatform(client: client, plan: scenario.postbacks, postbackURL: setup.postbackURL, stats: stats, clock: clock,
                                    seed: scenario.seed)
        let watcher = Task { await platform.run() }
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                if Task.isCancelled { break }
                let seen = stats.snapshot
                progress("run time \(Self.clockText(clock.runSeconds)): \(seen[count: "leads"]) leads, \(seen[count: "sold"]) sold")
            }
        }
        await traffic.run(runSeconds: duration)
        if !scenario.destinations.isEmpty {
            progress("traffic done at run time \(Self.clockText(clock.runSeconds)); letting calls and transfers under way finish")
            await settle(limit: clock.runSeconds + settleRunSeconds)
        }
        watcher.cancel()
        _ = await watcher.value
        reporter.cancel()
        await platform.flush()
    }

    /// Waits (on the run's clock) until no transfer is ringing or bridged, or until `limit`.
    func settle(limit: Double) async {
        var quiet = 0
        while clock.runSeconds < limit && quiet < 2 && !Task.isCancelled {
            await clock.sleep(untilRunSecond: clock.runSeconds + 10)
            let transfers = await client.send("GET", "/api/v1/transfers?limit=500")
            let live = transfers.items.filter { ["ringing", "bridged"].contains($0["status"] as? String ?? "") }.count
            quiet = live == 0 ? quiet + 1 : 0
        }
    }

    static func clockText(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%dh%02dm%02ds", total / 3600, total % 3600 / 60, total % 60)
    }
}
