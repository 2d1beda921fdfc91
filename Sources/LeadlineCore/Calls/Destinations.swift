import Foundation
import GRDB
import Store

/// Destinations: buyers' phone lines, and the choice of the line a qualified consumer is transferred to.
public struct Destinations: Sendable {
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public func create(tenantID: String, _ input: DestinationInput) async throws -> Destination {
        let now = Timestamp.format(clock.now)
        var destination = Destination(id: Identifier.make("dest"), tenantID: tenantID, createdAt: now)
        let problems = Self.problems(input, applyingTo: &destination, creating: true)
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        let created = destination, settings = try StoredJSON.text(destination.settings)
        try await store.write { db in
            try Self.checkReferences(db, created)
            try db.execute(sql: """
                INSERT INTO destinations (id, tenant_id, name, phone, buyer_id, status, settings, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [created.id, tenantID, created.name, created.phone, created.buyerID, created.status.rawValue, settings, now, now])
        }
        return created
    }

    public func update(tenantID: String, destinationID: String, _ input: DestinationInput) async throws -> Destination {
        let now = Timestamp.format(clock.now)
        return try await store.write { db in
            var destination = try Self.fetch(db, tenantID: tenantID, destinationID: destinationID)
            let problems = input.apply(to: &destination)
            if !problems.isEmpty { throw CoreError.invalid(problems) }
            try Self.checkReferences(db, destination)
            destination.updatedAt = now
            try db.execute(sql: """
                UPDATE destinations SET name = ?, phone = ?, buyer_id = ?, status = ?, settings = ?, updated_at = ? WHERE id = ?
                """, arguments: [destination.name, destination.phone, destination.buyerID, destination.status.rawValue,
                                 try StoredJSON.text(destination.settings), now, destination.id])
            return destination
        }
    }

    /// What `create` (no `destinationID`) or `update` would refuse in `input`'s own fields, without storing anything.
    public func problems(tenantID: String, destinationID: String?, _ input: DestinationInput) throws -> [CoreError.FieldProblem] {
        var destination = try destinationID.map { try self.destination(tenantID: tenantID, destinationID: $0) }
            ?? Destination(id: "", tenantID: tenantID, createdAt: "")
        return Self.problems(input, applyingTo: &destination, creating: destinationID == nil)
    }

    private static func problems(_ input: DestinationInput, applyingTo destination: inout Destination, creating: Bool) -> [CoreError.FieldProblem] {
        var problems = input.apply(to: &destination)
        guard creating else { return problems }
        if input.name.given == nil && !problems.contains(where: { $0.field == "name" }) { problems.append(.init("name", "is required")) }
        if input.phone.given == nil && !problems.contains(where: { $0.field == "phone" }) {
            problems.append(.init("phone", "is required: the line's number, e.g. +15125550100"))
        }
        return problems
    }

    /// Removes the line from use; its row stays for the transfers made to it.
    public func delete(tenantID: String, destinationID: String) async throws {
        let now = Timestamp.format(clock.now)
        try await store.write { db in
            _ = try Self.fetch(db, tenantID: tenantID, destinationID: destinationID)
            try db.execute(sql: "UPDATE destinations SET deleted_at = ?, status = 'paused', updated_at = ? WHERE id = ?",
                           arguments: [now, now, destinationID])
        }
    }

    public func destination(tenantID: String, destinationID: String) throws -> Destination {
        try store.read { db in try Self.fetch(db, tenantID: tenantID, destinationID: destinationID) }
    }

    public func all(tenantID: String) throws -> [Destination] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM destinations WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
                             arguments: [tenantID]).map(Destination.init)
        }
    }

    public func usage(_ destinations: [Destination]) throws -> [String: DestinationUsage] {
        let now = clock.now
        return try store.read { db in
            var out: [String: DestinationUsage] = [:]
            for destination in destinations { out[destination.id] = try Self.usage(db, destination, at: now) }
            return out
        }
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, destinationID: String) throws -> Destination {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM destinations WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
                                         arguments: [destinationID, tenantID]) else {
            throw CoreError.notFound("destination \(destinationID)")
        }
        return try Destination(row: row)
    }

    /// The buyer and campaigns a destination names must be the tenant's own.
    static func checkReferences(_ db: GRDB.Database, _ destination: Destination) throws {
        var problems: [CoreError.FieldProblem] = []
        if let buyerID = destination.buyerID,
           try Bool.fetchOne(db, sql: "SELECT 1 FROM buyers WHERE id = ? AND tenant_id = ?", arguments: [buyerID, destination.tenantID]) == nil {
            problems.append(.init("buyer_id", "no buyer \(buyerID) in this account"))
        }
        for (index, id) in destination.settings.campaignIDs.enumerated()
        where try Bool.fetchOne(db, sql: "SELECT 1 FROM campaigns WHERE id = ? AND tenant_id = ?", arguments: [id, destination.tenantID]) == nil {
            problems.append(.init("campaign_ids[\(index)]", "no campaign \(id) in this account"))
        }
        if !problems.isEmpty { throw CoreError.invalid(problems) }
    }

    static func usage(_ db: GRDB.Database, _ destination: Destination, at now: Date) throws -> DestinationUsage {
        let today = Timestamp.format(CapWindows(at: now, zone: destination.settings.timezone).day)
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FILTER (WHERE status IN ('ringing', 'bridged')), count(*) FILTER (WHERE started_at >= ?), count(*),
                   coalesce(sum(revenue_cents), 0)
            FROM transfers WHERE destination_id = ?
            """), arguments: [today, destination.id])!
        return DestinationUsage(live: row[0], today: row[1], transfers: row[2], revenueCents: row[3])
    }

    /// The line a consumer goes to now, like an auction's winner: among the active lines that take the campaign and
    /// state, are open in their own time zone and under their caps, the best-paying (then the least used today).
    /// Run on the writer, in the transaction that records the transfer, so two calls cannot both take a line's last slot.
    static func choose(_ db: GRDB.Database, tenantID: String, campaignID: String?, state: String?, excluding: Set<String>,
                       at now: Date) throws -> Destination? {
        let candidates = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM destinations WHERE tenant_id = ? AND status = 'active' AND deleted_at IS NULL
            """), arguments: [tenantID]).map(Destination.init)
        var best: (destination: Destination, today: Int)?
        for destination in candidates where !excluding.contains(destination.id) {
            let settings = destination.settings
            guard settings.takes(campaignID: campaignID, state: state),
                  OpeningHours.isOpen(settings.hoursOfOperation, at: LocalTimes.shared.local(now, in: settings.timezone)) else { continue }
            if let buyerID = destination.buyerID,
               try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM buyers WHERE id = ?"), arguments: [buyerID]) != "active" {
                continue
            }
            let usage = try usage(db, destination, at: now)
            if let cap = settings.maxConcurrentTransfers, usage.live >= cap { continue }
            if let cap = settings.maxTransfersPerDay, usage.today >= cap { continue }
            if let current = best {
                let price = settings.priceCents ?? 0, bestPrice = current.destination.settings.priceCents ?? 0
                guard price > bestPrice || (price == bestPrice && usage.today < current.today) else { continue }
            }
            best = (destination, usage.today)
        }
        return best?.destination
    }
}
