import Foundation
import OutboundHTTP
import Synchronization

/// The living demo of `serve --demo`: the built-in `demo` scenario set up on the server through its API, then run
/// for as long as the server runs (a lead every ten seconds or so, bids from mock buyers on loopback, calls and
/// transfers by the voice simulator, postbacks from the mock call platform), so the console has something to show.
public final class DemoFlow: Sendable {
    let client: LeadlineClient
    let outbound = OutboundClient(userAgent: "Leadline demo")
    let stats = RunStats()
    private let running = Mutex<(tasks: [Task<Void, Never>], buyers: [MockBuyer])>(([], []))

    public init(base: String, key: String) {
        client = LeadlineClient(base: base, key: key, outbound: outbound)
    }

    /// Sets the demo up and starts its traffic; throws when the setup fails. `clockStart`: what the server's clock
    /// reads now (consent times are written from it).
    public func start(clockStart: Date = Date()) async throws {
        guard let scenario = BuiltInScenarios.named("demo") else { throw ScenarioError(reason: "the demo scenario does not parse") }
        let setup = try await ScenarioSetup(client: client, scenario: scenario).run()
        let clock = RunClock(start: clockStart, speed: 1)
        let traffic = LeadTraffic(client: client, scenario: scenario, setup: setup, stats: stats, clock: clock)
        let platform = CallPlatform(client: client, plan: scenario.postbacks, postbackURL: setup.postbackURL, stats: stats, clock: clock,
                                    seed: scenario.seed)
        let tasks = [Task { await traffic.run(runSeconds: nil) }, Task { await platform.run() }]
        running.withLock { $0 = (tasks, setup.buyers.compactMap(\.mock)) }
    }

    /// What the demo has sent so far.
    public var snapshot: RunStats.Snapshot { stats.snapshot }

    public func stop() {
        let (tasks, buyers) = running.withLock { running in
            defer { running = ([], []) }
            return running
        }
        for task in tasks { task.cancel() }
        for buyer in buyers { buyer.stop() }
        outbound.shutdown()
    }
}
