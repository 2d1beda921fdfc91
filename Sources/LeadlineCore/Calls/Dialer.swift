import Foundation
import GRDB
import HTTPServer
import Store

/// The dialer: a background worker that takes the queued leads due now, oldest first, and hands each to the calls
/// engine, never more at once than the tenant's `max_concurrent_calls`, and not at all while the server-wide kill
/// switch or the tenant's or campaign's pause is on. Everything it needs is in the database, so it resumes after a
/// restart where it stopped.
public final class Dialer: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    public let calls: Calls
    let loop: BackgroundLoop
    static let batch = 50

    public init(store: SQLiteStore, clock: any Clock, calls: Calls, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.clock = clock
        self.calls = calls
        loop = BackgroundLoop(pollInterval: pollInterval)
    }

    public func start() {
        loop.start { [self] in
            await runDue() > 0
        }
    }

    public func stop() { loop.stop() }

    /// Places the calls due now; answers how many leads it took. The calls run on: `calls.idle()` waits for them.
    @discardableResult
    public func runDue() async -> Int {
        let now = clock.now, stamp = Timestamp.format(now)
        let taken: [CallQueue.Entry]
        do {
            taken = try await store.write { db -> [CallQueue.Entry] in
                guard try !Switches.isOn(db, Switches.dialerPaused) else { return [] }
                var live: [String: Int] = [:], limits: [String: Int] = [:]
                var taken: [CallQueue.Entry] = []
                for entry in try CallQueue.due(db, at: stamp, limit: Self.batch) {
                    let limit = try limits[entry.tenantID] ?? Calls.tenantSettings(db, tenantID: entry.tenantID).maxConcurrentCalls
                    limits[entry.tenantID] = limit
                    if live[entry.tenantID] == nil { live[entry.tenantID] = try Self.liveCalls(db, tenantID: entry.tenantID) }
                    guard live[entry.tenantID, default: 0] < limit else { continue }
                    guard try CallQueue.claim(db, leadID: entry.leadID, at: stamp) else { continue }
                    live[entry.tenantID, default: 0] += 1
                    taken.append(entry)
                }
                return taken
            }
        } catch {
            calls.logger.error("the dialer could not read its queue", metadata: ["error": "\(error)"])
            return 0
        }
        // One pass of looks (cheap, and on one thread), one write for the leads that wait, then the calls at once.
        let looked = taken.map { (leadID: $0.leadID, preflight: calls.preflight($0, at: now)) }
        if looked.contains(where: { if case .call = $0.preflight { false } else { true } }) { await calls.park(looked, at: now) }
        await withTaskGroup(of: Void.self) { group in
            for case .call(let entry, let lead, let settings) in looked.map(\.preflight) {
                group.addTask { [calls] in await calls.place(entry, lead, settings) }
            }
        }
        return taken.count
    }

    /// The tenant's calls under way (the partial index `call_attempts_live_by_tenant`).
    static func liveCalls(_ db: GRDB.Database, tenantID: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM call_attempts
            WHERE tenant_id = ? AND status IN ('queued', 'dialing', 'ringing', 'answered', 'qualifying', 'transferring', 'transferred')
            """), arguments: [tenantID]) ?? 0
    }

    /// The server-wide kill switch: while paused, no call is placed for any tenant (calls under way finish).
    public func setPaused(_ paused: Bool, actor: String) async throws {
        try await Self.setPaused(store, paused, actor: actor, at: clock.now)
    }

    public func isPaused() throws -> Bool { try Self.isPaused(store) }

    /// The switch as the command line sets it, with or without a server running.
    public static func setPaused(_ store: SQLiteStore, _ paused: Bool, actor: String, at now: Date) async throws {
        let stamp = Timestamp.format(now)
        try await store.write { db in try Switches.set(db, Switches.dialerPaused, on: paused, actor: actor, at: stamp) }
    }

    public static func isPaused(_ store: SQLiteStore) throws -> Bool {
        try store.read { db in try Switches.isOn(db, Switches.dialerPaused) }
    }
}

/// Server-wide switches, kept in the database so every process and a restart see them.
enum Switches {
    static let dialerPaused = "dialer_paused"

    static func isOn(_ db: GRDB.Database, _ name: String) throws -> Bool {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM switches WHERE name = ?"), arguments: [name]) == "on"
    }

    static func set(_ db: GRDB.Database, _ name: String, on: Bool, actor: String, at: String) throws {
        try db.execute(sql: """
            INSERT INTO switches (name, value, actor, set_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, actor = excluded.actor, set_at = excluded.set_at
            """, arguments: [name, on ? "on" : "off", actor, at])
    }
}
