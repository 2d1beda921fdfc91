import Foundation
import GRDB
import OutboundHTTP
import Store

/// Buyers: their settings, their performance, and which of them a lead's profile matches.
public struct Buyers: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    let secrets: WebhookSecrets
    /// Which addresses buyers' URLs may name.
    public let policy: AddressPolicy
    let directory = BuyerDirectory()
    /// Counted and reserved usage of buyers' caps and budgets (and campaigns'), shared with the exchange.
    let reservations = Reservations()

    public init(store: SQLiteStore, clock: any Clock, secrets: StoredSecrets, policy: AddressPolicy) {
        self.store = store
        self.clock = clock
        self.secrets = WebhookSecrets(secrets: secrets, table: "buyers")
        self.policy = policy
    }

    public func create(tenantID: String, _ input: BuyerInput) async throws -> Buyer {
        let now = Timestamp.format(clock.now)
        var buyer = Buyer(id: Identifier.make("buyer"), tenantID: tenantID, name: "", createdAt: now)
        let problems = Self.problems(input, applyingTo: &buyer, creating: true, policy: policy)
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        let settings = try Buyer.encode(buyer.settings)
        let sealed = input.webhookSecret.given.map { secrets.seal($0, id: buyer.id) }
        buyer.hasWebhookSecret = sealed != nil
        let created = buyer
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO buyers (id, tenant_id, name, status, paused_reason, settings, webhook_secret, created_at, updated_at)
                VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)
                """, arguments: [created.id, tenantID, created.name, created.status.rawValue, settings, sealed, now, now])
        }
        directory.changed(tenantID: tenantID)
        return created
    }

    public func update(tenantID: String, buyerID: String, _ input: BuyerInput) async throws -> Buyer {
        let policy = self.policy, secrets = self.secrets
        let now = Timestamp.format(clock.now)
        defer {
            directory.changed(tenantID: tenantID)
            // Its time zone may have changed, and with it its windows.
            reservations.forgetCommitted(Reservations.buyer(buyerID))
        }
        return try await store.write { db in
            var buyer = try Self.fetch(db, tenantID: tenantID, buyerID: buyerID)
            let problems = Self.problems(input, applyingTo: &buyer, creating: false, policy: policy)
            if !problems.isEmpty { throw CoreError.invalid(problems) }
            buyer.updatedAt = now
            // Set active again, a buyer Leadline paused starts a new count of failed deliveries.
            try db.execute(sql: """
                UPDATE buyers SET name = ?, status = ?, paused_reason = ?, settings = ?, updated_at = ?,
                                  consecutive_failures = CASE WHEN ?6 = 'active' THEN 0 ELSE consecutive_failures END
                WHERE id = ?
                """, arguments: [buyer.name, buyer.status.rawValue, buyer.pausedReason, try Buyer.encode(buyer.settings), now,
                                 buyer.status.rawValue, buyer.id])
            if let has = try secrets.store(input.webhookSecret, id: buyer.id, db) { buyer.hasWebhookSecret = has }
            return buyer
        }
    }

    /// Deletes a buyer that never bought, was billed or was sent anything; one with history is refused (pause it).
    public func delete(tenantID: String, buyerID: String) async throws {
        try await store.write { db in
            try UnusedRows.delete(db, table: "buyers", id: buyerID, tenantID: tenantID,
                                  unenforced: [("leads", "buyer_id"), ("sale_daily", "buyer_id")], what: "buyer")
        }
        directory.changed(tenantID: tenantID)
    }

    /// What `create` (no `buyerID`) or `update` would refuse in `input`, without storing anything.
    public func problems(tenantID: String, buyerID: String?, _ input: BuyerInput) throws -> [CoreError.FieldProblem] {
        var buyer = try buyerID.map { try self.buyer(tenantID: tenantID, buyerID: $0) } ?? Buyer(id: "", tenantID: tenantID, name: "", createdAt: "")
        return Self.problems(input, applyingTo: &buyer, creating: buyerID == nil, policy: policy)
    }

    private static func problems(_ input: BuyerInput, applyingTo buyer: inout Buyer, creating: Bool, policy: AddressPolicy) -> [CoreError.FieldProblem] {
        var problems = input.apply(to: &buyer, policy: policy)
        if creating && input.name.given == nil && !problems.contains(where: { $0.field == "name" }) { problems.append(.init("name", "is required")) }
        problems += buyer.settings.problems().filter { problem in !problems.contains { $0.field == problem.field } }
        return problems
    }

    public func buyer(tenantID: String, buyerID: String) throws -> Buyer {
        try store.read { db in try Self.fetch(db, tenantID: tenantID, buyerID: buyerID) }
    }

    public func all(tenantID: String) throws -> [Buyer] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM buyers WHERE tenant_id = ? ORDER BY created_at, id", arguments: [tenantID]).map(Buyer.init)
        }
    }

    /// The tenant's buyers with their secrets opened, from the directory (read again after any change).
    func entries(tenantID: String) throws -> [BuyerDirectory.Entry] {
        let secrets = self.secrets
        return try directory.entries(tenantID: tenantID) {
            try store.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM buyers WHERE tenant_id = ? ORDER BY created_at, id", arguments: [tenantID]).map { row in
                    let buyer = try Buyer(row: row)
                    let sealed: Data? = row["webhook_secret"]
                    return BuyerDirectory.Entry(buyer: buyer, secret: try secrets.open(sealed, id: buyer.id))
                }
            }
        }
    }

    /// What the buyer has bought in its current windows plus what open pings reserved for it. `db` is the
    /// transaction to count in when the windows are read for the first time (the writer's, when a reservation
    /// depends on the answer); without one, a reader counts.
    func usage(of buyer: Buyer, at now: Date, db: GRDB.Database? = nil) throws -> SalesUsage {
        let windows = CapWindows(at: now, zone: buyer.settings.timezone)
        return try reservations.usage(Reservations.buyer(buyer.id), windows: windows.key, now: now) {
            if let db { return try SalesUsage.fetch(db, buyer: buyer, windows: windows) }
            return try store.read { try SalesUsage.fetch($0, buyer: buyer, windows: windows) }
        }
    }

    /// Pauses a buyer on Leadline's own account (deliveries failing), with the reason shown to the operator.
    func pause(_ db: GRDB.Database, tenantID: String, buyerID: String, reason: String, at now: String) throws {
        try db.execute(sql: "UPDATE buyers SET status = 'paused', paused_reason = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                       arguments: [reason, now, buyerID, tenantID])
        directory.changed(tenantID: tenantID)
    }

    /// The buyer's webhook secret, opened; nil when it has none.
    public func webhookSecret(tenantID: String, buyerID: String) throws -> String? {
        try store.read { db in try secrets.secret(id: buyerID, tenantID: tenantID, db) }
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, buyerID: String) throws -> Buyer {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM buyers WHERE id = ? AND tenant_id = ?", arguments: [buyerID, tenantID]) else {
            throw CoreError.notFound("buyer \(buyerID)")
        }
        return try Buyer(row: row)
    }

    public func performance(tenantID: String, buyerIDs: [String]) throws -> [String: BuyerPerformance] {
        guard !buyerIDs.isEmpty else { return [:] }
        return try store.read { db in
            var out: [String: BuyerPerformance] = [:]
            let statement = try db.cachedStatement(sql: """
                SELECT count(*) FILTER (WHERE status IN ('delivered', 'accepted', 'returned')),
                       count(*) FILTER (WHERE status = 'accepted'),
                       count(*) FILTER (WHERE status = 'returned'),
                       count(*) FILTER (WHERE status IN ('accepted', 'rejected', 'returned')),
                       avg(response_ms),
                       coalesce(sum(price_cents) FILTER (WHERE status IN ('delivered', 'accepted')), 0)
                FROM lead_sales WHERE tenant_id = ? AND buyer_id = ?
                """)
            for id in buyerIDs {
                let row = try Row.fetchOne(statement, arguments: [tenantID, id])!
                let purchased: Int = row[0], accepted: Int = row[1], returned: Int = row[2], decided: Int = row[3]
                let average: Double? = row[4]
                // A returned lead was accepted first: it counts as accepted in the rate.
                out[id] = BuyerPerformance(leadsPurchased: purchased, leadsAccepted: accepted + returned, leadsReturned: returned,
                                           acceptanceRate: decided == 0 ? nil : (Double(accepted + returned) / Double(decided) * 1000).rounded() / 1000,
                                           avgResponseTimeMs: average.map { Int($0.rounded()) }, totalSpentCents: row[5])
            }
            return out
        }
    }

    /// Why a buyer does or does not take a lead with this profile now.
    public enum Verdict: Sendable, Equatable {
        /// It takes it, at this fixed price (nil: it bids live).
        case eligible(bidCents: Int?)
        /// It does not: a short code (`state`, `capped`, …) and a sentence for people.
        case excluded(code: String, detail: String)
    }

    static func verdict(_ buyer: Buyer, _ profile: LeadProfile, at now: Date, usage: SalesUsage) -> Buyer.Verdict {
        if let excluded = filterExclusion(buyer, profile, at: now) { return excluded }
        let price = buyer.settings.bidsLive ? nil : buyer.settings.bidCents
        return limitExclusion(buyer.settings, usage: usage, priceCents: price ?? 0) ?? .eligible(bidCents: price)
    }

    /// Why the buyer's status, filters or hours leave the profile out; nil when they admit it.
    static func filterExclusion(_ buyer: Buyer, _ profile: LeadProfile, at now: Date) -> Buyer.Verdict? {
        let settings = buyer.settings
        if buyer.status != .active { return .excluded(code: "paused", detail: buyer.pausedReason ?? "the buyer is paused") }
        if !settings.campaignTypes.isEmpty && !settings.campaignTypes.contains(profile.campaignType ?? "") {
            return .excluded(code: "campaign_type", detail: "does not buy \(profile.campaignType ?? "leads without a campaign type")")
        }
        if !settings.states.isEmpty && !settings.states.contains(profile.state ?? "") {
            return .excluded(code: "state", detail: "does not buy in \(profile.state ?? "an unknown state")")
        }
        if !settings.admits(zip: profile.zipCode) { return .excluded(code: "zip_code", detail: "does not buy in zip \(profile.zipCode ?? "(none)")") }
        if settings.hoursOfOperation != nil, !settings.isOpen(at: LocalTimes.shared.local(now, in: settings.timezone)) {
            return .excluded(code: "outside_hours", detail: "outside its hours of operation (\(settings.timezone))")
        }
        return nil
    }

    /// Why one more lead at `priceCents` would break the buyer's caps or monthly budget; nil when it fits.
    static func limitExclusion(_ settings: BuyerSettings, usage: SalesUsage, priceCents: Int) -> Buyer.Verdict? {
        for (limit, used, name) in [(settings.maxLeadsPerHour, usage.hour, "max_leads_per_hour"), (settings.maxLeadsPerDay, usage.day, "max_leads_per_day"),
                                    (settings.maxLeadsPerWeek, usage.week, "max_leads_per_week"), (settings.maxLeadsPerMonth, usage.month, "max_leads_per_month")] {
            if let limit, used >= limit { return .excluded(code: "capped", detail: "\(name) (\(limit)) reached") }
        }
        if let budget = settings.monthlyBudgetCents, usage.spendCents + priceCents > budget {
            return .excluded(code: "over_budget", detail: "monthly_budget_cents (\(budget)) would be exceeded")
        }
        if let floor = settings.balanceFloorCents, usage.balanceCents - priceCents < floor {
            return .excluded(code: "insufficient_funds", detail: settings.billingMode == .prepaid
                             ? "the prepaid balance (\(usage.balanceCents) cents, less open bids) does not cover \(priceCents) cents"
                             : "credit_limit_cents (\(-floor)) would be exceeded (balance \(usage.balanceCents) cents, less open bids)")
        }
        return nil
    }

    public struct Match: Sendable {
        public let buyer: Buyer
        public let verdict: Verdict
    }

    /// Every buyer of the tenant with its verdict for the profile: eligible ones first, highest fixed bid first.
    public func match(tenantID: String, _ profile: LeadProfile) throws -> [Match] {
        let now = clock.now
        let matches = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM buyers WHERE tenant_id = ? ORDER BY created_at, id", arguments: [tenantID]).map { row in
                let buyer = try Buyer(row: row)
                let usage = try self.usage(of: buyer, at: now, db: db)
                return Match(buyer: buyer, verdict: Self.verdict(buyer, profile, at: now, usage: usage))
            }
        }
        func rank(_ match: Match) -> Int {
            if case .eligible(let bid) = match.verdict { return bid ?? (match.buyer.settings.maxPriceCents ?? 0) }
            return -1
        }
        return matches.enumerated().sorted { a, b in
            rank(a.element) != rank(b.element) ? rank(a.element) > rank(b.element) : a.offset < b.offset
        }.map(\.element)
    }
}

extension Buyer {
    public typealias Verdict = Buyers.Verdict
}
