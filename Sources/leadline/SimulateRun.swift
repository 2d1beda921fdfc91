import ArgumentParser
import Foundation
import LeadlineAPI
import LeadlineCore
import OutboundHTTP
import Simulator

extension SimulateCommand {
    /// `leadline simulate [SCENARIO]`: starts a server on a temporary database (or targets one), sets the scenario up
    /// through the API, sends its traffic on an accelerated clock, and prints the report; exits 1 when an invariant
    /// breaks or a request fails.
    struct RunScenario: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a scenario (built in, or a JSON or YAML file) and print its report; exit 1 when an invariant breaks or a request fails.")

        @Argument(help: "A built-in scenario (see --list) or a scenario file (JSON, or YAML when it ends in .yaml or .yml).") var scenario: String?
        @Flag(help: "List the built-in scenarios.") var list = false
        @Option(help: "Print a built-in scenario's JSON, to copy and change.") var show: String?
        @Option(help: "Seed every random choice of the run (default: the scenario's).") var seed: UInt64?
        @Option(help: "How long traffic runs on the run's clock, e.g. 30m or 8h (default: the scenario's).") var duration: String?
        @Option(help: "How many times faster than real time the run's clock goes (default: the scenario's).") var speed: Double?
        @Option(help: "Run against this server (its base URL) instead of starting one; needs --key. Invariants are then not checked.")
        var target: String?
        @Option(help: "An API key of the targeted server, all scopes.") var key: String?
        @Option(help: "Keep the started server's database in this file (default: a temporary one, deleted).") var db: String?
        @Flag(help: "Print the report as one JSON object.") var json = false
        @Flag(help: "No progress lines, only the report.") var quiet = false

        func validate() throws {
            if list || show != nil { return }
            guard scenario != nil else { throw ValidationError("name a scenario (see --list) or a scenario file") }
            if target != nil && key == nil { throw ValidationError("--target needs --key") }
            if let speed, !(speed > 0 && speed <= 10_000) { throw ValidationError("--speed must be above 0 and at most 10000") }
            if let duration, Scenario.seconds(duration) == nil { throw ValidationError("--duration must be like 90s, 30m, 8h or 1d") }
            if let db, FileManager.default.fileExists(atPath: db) { throw ValidationError("--db \(db) exists; give a new file") }
        }

        func run() throws {
            OpenFileLimit.raise()  // its own server, its mock buyers and the connections between them
            if list {
                for (name, _) in BuiltInScenarios.all {
                    let described = BuiltInScenarios.named(name)
                    print("\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(described?.duration ?? "") at x\(described.map { Int($0.clock.speed) } ?? 1)  \(described?.description ?? "")")
                }
                return
            }
            if let show {
                guard let found = BuiltInScenarios.all.first(where: { $0.name == show }) else {
                    throw ValidationError("no built-in scenario is named \(show); see --list")
                }
                print(found.json)
                return
            }
            var plan = try loadScenario()
            if let seed { plan.seed = seed }
            if let duration { plan.duration = duration }
            if let speed { plan.clock.speed = speed }
            do { plan = try plan.validated() } catch let error as ScenarioError {
                throw ValidationError("\(scenario ?? "the scenario"): \(error.reason)")
            }
            let chosen = plan
            let report = try runBlocking { try await execute(chosen) }
            if json {
                let data = try JSONSerialization.data(withJSONObject: report.json, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(report.text)
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }

        func loadScenario() throws -> Scenario {
            let name = scenario ?? ""
            if let builtIn = BuiltInScenarios.named(name) { return builtIn }
            guard FileManager.default.fileExists(atPath: name) else {
                throw ValidationError("\(name) is neither a built-in scenario (\(BuiltInScenarios.all.map(\.name).joined(separator: ", "))) nor a file")
            }
            let yaml = name.hasSuffix(".yaml") || name.hasSuffix(".yml")
            do { return try Scenario.parse(Data(contentsOf: URL(fileURLWithPath: name)), yaml: yaml) } catch let error as ScenarioError {
                throw ValidationError("\(name): \(error.reason)")
            }
        }

        func say(_ line: String) {
            if !quiet && !json { FileHandle.standardError.write(Data("simulate: \(line)\n".utf8)) }
        }

        func execute(_ plan: Scenario) async throws -> ScenarioReport {
            let outbound = OutboundClient(userAgent: "Leadline simulator")
            defer { outbound.shutdown() }
            let began = ContinuousClock.now
            let start = plan.clock.start.flatMap(Timestamp.parse) ?? Date()
            if let target, let key {
                let clock = RunClock(start: Date(), speed: 1)
                let rehearsal = Rehearsal(scenario: plan, base: target, key: key, outbound: outbound, clock: clock)
                try await rehearsal.run(progress: say)
                return ScenarioReport(scenario: plan, stats: rehearsal.stats.snapshot, facts: nil, runSeconds: clock.runSeconds,
                                      wallSeconds: Self.seconds(since: began))
            }

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadline-simulate-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { if db == nil { try? FileManager.default.removeItem(at: folder) } }
            var options = ServeOptions(databasePath: db ?? folder.appendingPathComponent("leadline.db").path)
            options.listen = "127.0.0.1:0"
            options.allowPrivateTargets = true
            options.clock = SimulatedClock(start: start, speed: plan.clock.speed)
            options.voice = SimulatedVoice(seed: plan.seed, pace: 1 / plan.clock.speed)
            options.messages = SimulatedMessages()
            let server = try LeadlineServer(options)
            try server.start()
            defer { server.stop() }
            let tenant = try server.tenants.create(name: "simulation")
            let issued = try await server.keys.create(.init(tenantID: tenant.id, name: "simulator", scopes: Scope.allCases, rateLimitPerMinute: 0))
            say("server on http://127.0.0.1:\(server.port), clock from \(Timestamp.format(start)) at x\(ScenarioReport.number(plan.clock.speed))")
            let clock = RunClock(start: start, speed: plan.clock.speed)
            let rehearsal = Rehearsal(scenario: plan, base: "http://127.0.0.1:\(server.port)", key: issued.token, outbound: outbound, clock: clock)
            try await rehearsal.run(progress: say)

            let tally = try CallTally.count(server.store, tenantID: tenant.id)
            let checked = try Invariants(store: server.store, buyers: server.buyers, blackouts: server.gate.blackouts).check(tenantID: tenant.id)
            var facts = ScenarioReport.ServerFacts()
            facts.callStatuses = tally.callStatuses
            facts.transferStatuses = tally.transferStatuses
            facts.transferRevenueCents = tally.transferRevenueCents
            facts.postbacksMatched = tally.postbacksMatched
            facts.postbacksUnmatched = tally.postbacksUnmatched
            facts.breaches = checked.breaches.map(\.description)
            facts.checked = ["transactions": checked.transactionsChecked, "sales": checked.salesChecked, "calls": checked.callsChecked]
            if let db { say("the database is kept at \(db)") }
            return ScenarioReport(scenario: plan, stats: rehearsal.stats.snapshot, facts: facts, runSeconds: clock.runSeconds,
                                  wallSeconds: Self.seconds(since: began))
        }

        static func seconds(since instant: ContinuousClock.Instant) -> Double {
            let elapsed = ContinuousClock.now - instant
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}
