import Foundation
import GRDB
import Store

/// Tenants: every row in Leadline belongs to one, and every query is scoped by the caller's.
public struct Tenants: Sendable {
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public static func validate(name: String) throws {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        var problems: [CoreError.FieldProblem] = []
        if trimmed.isEmpty { problems.append(.init("name", "must not be empty")) }
        if trimmed.count > 64 { problems.append(.init("name", "must be at most 64 characters")) }
        if trimmed != name { problems.append(.init("name", "must not start or end with spaces")) }
        if !problems.isEmpty { throw CoreError.invalid(problems) }
    }

    public func create(name: String) throws -> Tenant {
        try Self.validate(name: name)
        let tenant = Tenant(id: Identifier.make("ten"), name: name, createdAt: Timestamp.format(clock.now))
        return try store.writeNow { db in
            if try Tenant.filter(Column("name") == name).fetchOne(db) != nil {
                throw CoreError.conflict("a tenant named '\(name)' already exists")
            }
            try tenant.insert(db)
            return tenant
        }
    }

    public func all() throws -> [Tenant] {
        try store.read { db in try Tenant.order(Column("created_at"), Column("name")).fetchAll(db) }
    }

    public func named(_ name: String) throws -> Tenant {
        guard let tenant = try store.read({ db in try Tenant.filter(Column("name") == name).fetchOne(db) }) else {
            throw CoreError.notFound("tenant '\(name)'")
        }
        return tenant
    }

    /// How a tenant's leads are de-duplicated: the window in days (0 turns dedup off) and whether the same email
    /// within it also counts as the same person.
    public struct DedupRule: Codable, Sendable, Equatable {
        public var windowDays: Int
        public var byEmail: Bool

        public init(windowDays: Int, byEmail: Bool) {
            self.windowDays = windowDays
            self.byEmail = byEmail
        }

        enum CodingKeys: String, CodingKey {
            case windowDays = "dedup_window_days", byEmail = "dedup_by_email"
        }

        /// Read inside a transaction the caller has (intake reads it with each batch).
        static func fetch(_ db: GRDB.Database, tenantID: String) throws -> DedupRule {
            let statement = try db.cachedStatement(sql: "SELECT dedup_window_days, dedup_by_email FROM tenants WHERE id = ?")
            guard let rule = try statement.first({ $0.add(tenantID) }, {
                DedupRule(windowDays: $0.int(0) ?? 0, byEmail: ($0.int(1) ?? 0) != 0)
            }) else {
                throw CoreError.notFound("tenant \(tenantID)")
            }
            return rule
        }
    }

    public func dedupRule(tenantID: String) throws -> DedupRule {
        try store.read { db in try DedupRule.fetch(db, tenantID: tenantID) }
    }

    public static func problems(_ rule: DedupRule) -> [CoreError.FieldProblem] {
        (0...3650).contains(rule.windowDays) ? [] : [.init("dedup_window_days", "must be from 0 (no dedup) to 3650")]
    }

    public func setDedupRule(tenantID: String, _ rule: DedupRule) throws {
        let problems = Self.problems(rule)
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        try store.writeNow { db in
            try db.execute(sql: "UPDATE tenants SET dedup_window_days = ?, dedup_by_email = ? WHERE id = ?",
                           arguments: [rule.windowDays, rule.byEmail, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("tenant \(tenantID)") }
        }
    }

    /// How a tenant's auctions run where its campaigns do not say otherwise.
    public struct ExchangeRules: Sendable, Equatable {
        /// Bids under this are dropped (a campaign's own floor wins).
        public var floorPriceCents: Int
        /// How long a ping waits for live bids, in milliseconds.
        public var auctionDeadlineMs: Int
        /// Whether a lead the buyer rejects on post is offered to the next bid of the same ping.
        public var tryNextBid: Bool

        public init(floorPriceCents: Int = 0, auctionDeadlineMs: Int = 1000, tryNextBid: Bool = true) {
            self.floorPriceCents = floorPriceCents
            self.auctionDeadlineMs = auctionDeadlineMs
            self.tryNextBid = tryNextBid
        }

        static func fetch(_ db: GRDB.Database, tenantID: String) throws -> ExchangeRules {
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT floor_price_cents, auction_deadline_ms, try_next_bid FROM tenants WHERE id = ?
                """), arguments: [tenantID]) else {
                throw CoreError.notFound("tenant \(tenantID)")
            }
            return ExchangeRules(floorPriceCents: row[0], auctionDeadlineMs: row[1], tryNextBid: row[2])
        }
    }

    public func exchangeRules(tenantID: String) throws -> ExchangeRules {
        try store.read { db in try ExchangeRules.fetch(db, tenantID: tenantID) }
    }

    public static func problems(_ rules: ExchangeRules) -> [CoreError.FieldProblem] {
        var problems: [CoreError.FieldProblem] = []
        if !(0...10_000_000).contains(rules.floorPriceCents) { problems.append(.init("floor_price_cents", "must be 0 to 10000000")) }
        if !(50...30_000).contains(rules.auctionDeadlineMs) { problems.append(.init("auction_deadline_ms", "must be 50 to 30000")) }
        return problems
    }

    public func setExchangeRules(tenantID: String, _ rules: ExchangeRules) throws {
        let problems = Self.problems(rules)
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        try store.writeNow { db in
            try db.execute(sql: "UPDATE tenants SET floor_price_cents = ?, auction_deadline_ms = ?, try_next_bid = ? WHERE id = ?",
                           arguments: [rules.floorPriceCents, rules.auctionDeadlineMs, rules.tryNextBid, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("tenant \(tenantID)") }
        }
    }

    public func isEmpty() throws -> Bool {
        try store.read { db in try Tenant.fetchCount(db) == 0 }
    }
}
