import Foundation
import OutboundHTTP
import Synchronization

/// Scenario runs started from the console against the server itself, one at a time per tenant: each is set up and
/// run in the background over the API in real time (the server's clock is the real one), its progress lines and
/// numbers kept for the console's Simulator page, and its report when it ends. Its mock buyers listen on loopback,
/// so only a server that allows private buyer URLs (`--allow-private-targets`, `--demo`) runs them.
public final class ScenarioRuns: Sendable {
    public enum State: String, Sendable { case running, finished, failed, stopped }

    /// A run as the console shows it.
    public struct Run: Sendable {
        public let id: String
        public let scenario: String
        public let tenantID: String
        public let startedAt: Date
        public let durationSeconds: Double
        public internal(set) var state: State = .running
        /// The latest progress lines, oldest first.
        public internal(set) var lines: [String] = []
        public internal(set) var endedAt: Date?
        /// The report, once it has ended.
        public internal(set) var report: String?
        /// What it has sent so far.
        public internal(set) var stats = RunStats.Snapshot()
    }

    private struct Entry {
        var run: Run
        let stats: RunStats
        var task: Task<Void, Never>?
    }

    /// The server's own base URL, as the runs reach it.
    public let base: String
    private let outbound = OutboundClient(userAgent: "Leadline simulator (console)")
    private let entries = Mutex<[String: Entry]>([:])
    /// Ended runs kept per tenant.
    static let kept = 10

    public init(base: String) { self.base = base }

    /// Starts `scenario` in the tenant the key belongs to, with its traffic for `seconds` of real time; `now` is what
    /// the server's clock reads (consent times are written from it). `ended` is told when it is over (to revoke the
    /// key). Nil when a run of the tenant is under way.
    public func start(_ scenario: Scenario, tenantID: String, key: String, seconds: Double, now: Date,
                      ended: @escaping @Sendable () async -> Void) -> String? {
        var plan = scenario
        plan.duration = "\(Int(seconds))s"
        plan.clock.speed = 1
        let id = "run_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let stats = RunStats()
        let run = Run(id: id, scenario: plan.name, tenantID: tenantID, startedAt: Date(), durationSeconds: seconds)
        let started = entries.withLock { entries -> Bool in
            if entries.values.contains(where: { $0.run.tenantID == tenantID && $0.run.state == .running }) { return false }
            let ended = entries.values.filter { $0.run.tenantID == tenantID && $0.run.state != .running }.sorted { $0.run.startedAt > $1.run.startedAt }
            for old in ended.dropFirst(Self.kept - 1) { entries[old.run.id] = nil }
            entries[id] = Entry(run: run, stats: stats)
            return true
        }
        guard started else { return nil }
        let rehearsal = Rehearsal(scenario: plan, base: base, key: key, outbound: outbound, clock: RunClock(start: now, speed: 1), stats: stats)
        let task = Task { [self] in
            let began = ContinuousClock.now
            var state = State.finished
            do {
                try await rehearsal.run { [self] line in say(line, run: id) }
                if Task.isCancelled { state = .stopped }
            } catch {
                state = Task.isCancelled ? .stopped : .failed
                say("stopped: \(error)", run: id)
            }
            let elapsed = ContinuousClock.now - began
            let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let report = ScenarioReport(scenario: plan, stats: stats.snapshot, facts: nil, runSeconds: rehearsal.clock.runSeconds, wallSeconds: wall)
            // Told first, so that a run shown as ended has nothing left to do (its key is revoked by then).
            await ended()
            entries.withLock { entries in
                entries[id]?.run.state = state
                entries[id]?.run.endedAt = Date()
                entries[id]?.run.report = report.text
                entries[id]?.task = nil
            }
        }
        entries.withLock { $0[id]?.task = task }
        return id
    }

    private func say(_ line: String, run id: String) {
        entries.withLock { entries in
            entries[id]?.run.lines.append(line)
            if let count = entries[id]?.run.lines.count, count > 50 { entries[id]?.run.lines.removeFirst(count - 50) }
        }
    }

    /// The tenant's runs, newest first, with their numbers now.
    public func runs(tenantID: String) -> [Run] {
        entries.withLock { entries in
            entries.values.filter { $0.run.tenantID == tenantID }.map { entry in
                var run = entry.run
                run.stats = entry.stats.snapshot
                return run
            }.sorted { $0.startedAt > $1.startedAt }
        }
    }

    /// Stops a run of the tenant under way; false when there is none by that id.
    public func stop(id: String, tenantID: String) -> Bool {
        let task = entries.withLock { entries -> Task<Void, Never>? in
            guard let entry = entries[id], entry.run.tenantID == tenantID, entry.run.state == .running else { return nil }
            return entry.task
        }
        task?.cancel()
        return task != nil
    }

    /// Stops every run (the server is stopping).
    public func stopAll() {
        let tasks = entries.withLock { $0.values.compactMap(\.task) }
        for task in tasks { task.cancel() }
        outbound.shutdown()
    }
}
