import Foundation
import Synchronization

/// What buyers and campaigns have sold in their current windows, plus what open pings have reserved, in memory.
///
/// Counting sales in the database on every ping would read a month of a busy buyer's sales per ping. Here each
/// buyer's (or campaign's) committed usage is read once per window and then kept up to date as sales are made, and a
/// ping's bids reserve capacity until they are sold, lose, or expire.
///
/// Reservations and the counts they are checked against change only inside transactions on the single database
/// writer, so a check and the reservation it allows are one step: concurrent pings cannot oversell a cap. Readers
/// (a ping deciding whom to ask for a bid) only look.
final class Reservations: Sendable {
    /// Whose capacity a reservation takes: `buyer:<id>` or `campaign:<id>`.
    typealias Subject = String

    static func buyer(_ id: String) -> Subject { "buyer:\(id)" }
    static func campaign(_ id: String) -> Subject { "campaign:\(id)" }
    /// A person as a claim names them: the tenant and the phone hash.
    static func person(tenantID: String, phoneHash: String) -> String { "\(tenantID):\(phoneHash)" }

    private struct Committed {
        /// Identifies the windows `usage` was counted in (the current hour's start and the zone); a new value reloads.
        let windows: String
        var usage: SalesUsage
    }

    private struct State {
        var committed: [Subject: Committed] = [:]
        /// Open reservations: subject → ping → price held.
        var held: [Subject: [String: Int]] = [:]
        /// When each ping with reservations expires.
        var expiries: [String: Date] = [:]
        /// A person (tenant and phone hash) being auctioned, and by which ping; and the other way round.
        var people: [String: String] = [:]
        var personOf: [String: String] = [:]
        var lastSweep = Date.distantPast
    }

    private let state = Mutex(State())

    /// Committed plus reserved usage of `subject`. `load` counts committed usage in the database when the windows
    /// changed or the subject was never read; it runs under the lock, so call this on the writer or accept a short wait.
    func usage(_ subject: Subject, windows: String, now: Date, load: () throws -> SalesUsage) throws -> SalesUsage {
        try state.withLock { state in
            var usage: SalesUsage
            if let known = state.committed[subject], known.windows == windows {
                usage = known.usage
            } else {
                usage = try load()
                state.committed[subject] = Committed(windows: windows, usage: usage)
            }
            Self.sweep(&state, now: now)
            for (pingID, cents) in state.held[subject] ?? [:] where (state.expiries[pingID] ?? .distantPast) > now {
                usage.add(cents: cents)
            }
            return usage
        }
    }

    /// Reserves capacity for a ping's bids until `expiresAt`: one lead and its price per subject.
    func hold(pingID: String, _ holds: [(Subject, Int)], expiresAt: Date) {
        guard !holds.isEmpty else { return }
        state.withLock { state in
            state.expiries[pingID] = expiresAt
            for (subject, cents) in holds { state.held[subject, default: [:]][pingID] = cents }
        }
    }

    /// Whether the ping still holds capacity of `subject` (it has not expired, lost or been sold).
    func isHeld(pingID: String, _ subject: Subject, now: Date) -> Bool {
        state.withLock { state in
            state.held[subject]?[pingID] != nil && (state.expiries[pingID] ?? .distantPast) > now
        }
    }

    /// A reservation became a sale: the subject's committed usage takes it (one lead, `cents`), the hold goes.
    func settle(pingID: String?, _ subject: Subject, cents: Int) {
        state.withLock { state in
            if let pingID { state.held[subject]?[pingID] = nil }
            state.committed[subject]?.usage.add(cents: cents)
        }
    }

    /// Drops every reservation of the ping (it was sold, went unsold, or failed to be stored).
    func release(pingID: String) {
        state.withLock { state in
            guard state.expiries.removeValue(forKey: pingID) != nil else { return }
            for subject in Array(state.held.keys) {
                state.held[subject]?[pingID] = nil
                if state.held[subject]?.isEmpty == true { state.held[subject] = nil }
            }
            if let person = state.personOf.removeValue(forKey: pingID), state.people[person] == pingID { state.people[person] = nil }
        }
    }

    /// Forgets all committed counts (after a transaction that changed them failed to commit): they are read again.
    func forgetCommitted(_ subject: Subject? = nil) {
        state.withLock { state in
            if let subject { state.committed[subject] = nil } else { state.committed = [:] }
        }
    }

    /// Claims a person for a ping: nil when it is theirs now, or the open ping that already claimed them.
    func claim(person: String, pingID: String, expiresAt: Date, now: Date) -> String? {
        state.withLock { state in
            if let other = state.people[person], other != pingID, (state.expiries[other] ?? .distantPast) > now { return other }
            state.people[person] = pingID
            state.personOf[pingID] = person
            if state.expiries[pingID] == nil { state.expiries[pingID] = expiresAt }
            return nil
        }
    }

    /// Removes expired pings' reservations, at most once a second.
    private static func sweep(_ state: inout State, now: Date) {
        guard now.timeIntervalSince(state.lastSweep) >= 1 || now < state.lastSweep else { return }
        state.lastSweep = now
        let expired = state.expiries.filter { $0.value <= now }.map(\.key)
        guard !expired.isEmpty else { return }
        let gone = Set(expired)
        for id in expired { state.expiries[id] = nil }
        for subject in Array(state.held.keys) {
            state.held[subject] = state.held[subject]?.filter { !gone.contains($0.key) }
            if state.held[subject]?.isEmpty == true { state.held[subject] = nil }
        }
        for id in expired {
            if let person = state.personOf.removeValue(forKey: id), state.people[person] == id { state.people[person] = nil }
        }
    }
}

extension SalesUsage {
    /// One more lead at `cents` in every current window.
    mutating func add(cents: Int) {
        hour += 1; day += 1; week += 1; month += 1
        spendCents += cents
        balanceCents -= cents
    }
}
