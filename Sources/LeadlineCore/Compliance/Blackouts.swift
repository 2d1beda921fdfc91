import Foundation
import GRDB
import Store
import Synchronization

/// A stretch of days an operator has closed to outreach, in one state or everywhere: a governor-declared emergency
/// (Louisiana bans telemarketing during one), a local disaster, a day of mourning.
public struct Blackout: Sendable, Equatable, Codable, FetchableRecord {
    public let id: String
    /// nil: every state.
    public let state: String?
    public let startsOn: String
    public let endsOn: String
    public let reason: String
    public let actor: String
    public let createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, state, reason, actor
        case startsOn = "starts_on", endsOn = "ends_on", createdAt = "created_at"
    }

    /// Whether the blackout covers `date` (the called party's local date) in one of `states`.
    func covers(_ date: CivilDate, states: [String]) -> Bool {
        guard let start = CivilDate(startsOn), let end = CivilDate(endsOn), date >= start, date <= end else { return false }
        return state.map { states.contains($0) } ?? true
    }
}

/// The tenants' declared blackout days, held in memory for the gate (there are few) and stored in SQLite.
public final class Blackouts: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    private let cache = Mutex<[String: [Blackout]]>([:])

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    /// The tenant's blackouts that have not ended (by UTC date, less a day so no zone is cut short).
    public func current(tenantID: String) throws -> [Blackout] {
        if let cached = cache.withLock({ $0[tenantID] }) { return cached }
        let yesterday = CivilDate(dayNumber: Int(clock.now.timeIntervalSince1970 / 86_400) - 1).description
        let rows = try store.read { db in
            try Blackout.fetchAll(db, sql: """
                SELECT id, state, starts_on, ends_on, reason, actor, created_at FROM compliance_blackouts
                WHERE tenant_id = ? AND deleted_at IS NULL AND ends_on >= ? ORDER BY starts_on, id
                """, arguments: [tenantID, yesterday])
        }
        cache.withLock { $0[tenantID] = rows }
        return rows
    }

    public func declare(tenantID: String, state: String?, startsOn: String?, endsOn: String?, reason: String?, actor: String) async throws -> Blackout {
        var problems: [CoreError.FieldProblem] = []
        var stateCode: String?
        if let state, !state.trimmingSpaces.isEmpty {
            stateCode = USStates.canonical(state)
            if stateCode == nil { problems.append(.init("state", "must be a US state or DC code, or left out for every state")) }
        }
        let start = startsOn.flatMap(CivilDate.init)
        if start == nil { problems.append(.init("starts_on", "must be a date, YYYY-MM-DD")) }
        let end = endsOn.map { CivilDate($0) } ?? start   // one day unless told otherwise
        if endsOn != nil && end == nil { problems.append(.init("ends_on", "must be a date, YYYY-MM-DD")) }
        if let start, let end, end < start { problems.append(.init("ends_on", "must not be before starts_on")) }
        if let start, let end, end.dayNumber - start.dayNumber > 366 { problems.append(.init("ends_on", "a blackout lasts at most a year")) }
        let reason = reason?.trimmingSpaces ?? ""
        if reason.isEmpty { problems.append(.init("reason", "is required: say why (for the audit trail)")) }
        if reason.count > 500 { problems.append(.init("reason", "must be at most 500 characters")) }
        guard problems.isEmpty, let start, let end else { throw CoreError.invalid(problems) }
        let blackout = Blackout(id: Identifier.sortable("blk", at: clock.now), state: stateCode, startsOn: start.description,
                                endsOn: end.description, reason: reason, actor: actor, createdAt: Timestamp.format(clock.now))
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO compliance_blackouts (id, tenant_id, state, starts_on, ends_on, reason, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [blackout.id, tenantID, blackout.state, blackout.startsOn, blackout.endsOn, blackout.reason, actor,
                                 blackout.createdAt])
        }
        cache.withLock { $0[tenantID] = nil }
        return blackout
    }

    public func lift(tenantID: String, id: String) async throws {
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            try db.execute(sql: "UPDATE compliance_blackouts SET deleted_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                           arguments: [stamp, tenantID, id])
            guard db.changesCount == 1 else { throw CoreError.notFound("blackout \(id)") }
        }
        cache.withLock { $0[tenantID] = nil }
    }
}
