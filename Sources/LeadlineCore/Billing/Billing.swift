import Foundation
import GRDB
import Store

/// Billing: what buyers are charged and credited, their balances, returns, refunds, invoices. Every movement of
/// money is a ledger transaction written in the same database transaction as the change it pays for.
///
/// Views take an optional buyer: with one, its account; without, the tenant's (every buyer's together).
public struct Billing: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    let buyers: Buyers

    public init(store: SQLiteStore, clock: any Clock, buyers: Buyers) {
        self.store = store
        self.clock = clock
        self.buyers = buyers
    }

    /// The largest single credit accepted: $10,000,000.
    static let maxCreditCents = 1_000_000_000

    public enum CreditSource: String, Sendable, CaseIterable {
        /// Money the buyer paid (prepaid funds).
        case payment
        /// Credit given as a promotion.
        case promotional
    }

    /// Adds funds to a buyer's account; answers the new balance and the credit's id.
    public func addCredit(tenantID: String, buyerID: String?, amountCents: Int?, reason: String?, source: String?,
                          actor: String) async throws -> (balanceCents: Int, creditID: String) {
        var checks = FieldChecks()
        if buyerID?.isEmpty ?? true { checks.fail("buyer_id", "is required: credits are added to a buyer's account") }
        let amount = amountCents.flatMap { checks.number($0, "amount_cents", 1...Self.maxCreditCents) }
        if amountCents == nil { checks.fail("amount_cents", "is required") }
        let kind = source.map { CreditSource(rawValue: $0) } ?? .payment
        if kind == nil { checks.fail("source", "must be payment or promotional") }
        let reason = reason.flatMap { checks.text($0, "reason", max: 500) }
        guard let buyerID, let amount, let kind, checks.problems.isEmpty else { throw CoreError.invalid(checks.problems) }

        let now = clock.now, stamp = Timestamp.format(now), reservations = buyers.reservations
        let id = Identifier.sortable("cred", at: now)
        return try await store.write { db in
            let buyer = try Buyers.fetch(db, tenantID: tenantID, buyerID: buyerID)
            try Ledger.post(db, LedgerTransaction(id: id, tenantID: tenantID, kind: .credit, buyerID: buyer.id, leadID: nil, saleID: nil,
                                                  amountCents: amount, description: kind == .promotional ? "Promotional credit" : "Payment received",
                                                  reason: reason, actor: actor, createdAt: stamp),
                            entries: [(.buyer(buyer.id), amount), (kind == .promotional ? .promotionalCredit : .tenant, -amount)])
            reservations.forgetCommitted(Reservations.buyer(buyer.id))
            return (try Ledger.balance(db, tenantID: tenantID, account: .buyer(buyer.id)), id)
        }
    }

    /// The current balance of a buyer's account (above zero: funds; below: owed).
    public func balance(tenantID: String, buyerID: String) throws -> Int {
        try store.read { db in try Ledger.balance(db, tenantID: tenantID, account: .buyer(buyerID)) }
    }

    public struct Usage: Sendable, Equatable {
        public var period: BillingPeriod
        public var buyerID: String?
        public var leadsPurchased = 0
        /// Charged in the period, less what was credited back for returns and refunds.
        public var totalSpendCents = 0
        public var refundedCents = 0
        /// Funds left: the buyer's positive balance (for the tenant, the sum over buyers in credit).
        public var creditsRemainingCents = 0
        /// The balance itself, which is below zero when an invoiced buyer owes (tenant: summed over buyers).
        public var balanceCents = 0
        public var avgCostPerLeadCents: Int?
    }

    /// What was bought in the period (default: the current one).
    public func usage(tenantID: String, buyerID: String?, period: BillingPeriod?) throws -> Usage {
        let period = period ?? BillingPeriod(containing: clock.now)
        return try store.read { db in
            if let buyerID { _ = try Buyers.fetch(db, tenantID: tenantID, buyerID: buyerID) }
            var usage = Usage(period: period, buyerID: buyerID)
            // The buyers' accounts (or the one buyer's) in the period's days: a charge debits one, a refund credits it.
            let row = try Row.fetchOne(db, sql: """
                SELECT coalesce(sum(entries) FILTER (WHERE kind = 'charge'), 0),
                       coalesce(-sum(amount_cents) FILTER (WHERE kind = 'charge'), 0),
                       coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)
                FROM ledger_daily
                WHERE tenant_id = ?1 AND account >= ?2 AND account <= ?3 AND day >= ?4 AND day < ?5 AND kind IN ('charge', 'refund')
                """, arguments: [tenantID, buyerID.map { LedgerAccount.buyer($0).name } ?? "buyer:",
                                 buyerID.map { LedgerAccount.buyer($0).name } ?? "buyer;", period.firstDay, period.endDay])!
            let charges: Int = row[1], refunds: Int = row[2]
            usage.leadsPurchased = row[0]
            usage.totalSpendCents = charges - refunds
            usage.refundedCents = refunds
            usage.avgCostPerLeadCents = usage.leadsPurchased == 0 ? nil : Int((Double(charges) / Double(usage.leadsPurchased)).rounded())
            let balances = try Row.fetchAll(db, sql: """
                SELECT account, sum(amount_cents) FROM ledger_daily
                WHERE tenant_id = ? AND account >= 'buyer:' AND account < 'buyer;' AND (? IS NULL OR account = ?)
                GROUP BY account
                """, arguments: [tenantID, buyerID, buyerID.map { LedgerAccount.buyer($0).name }])
            for balance in balances {
                let cents: Int = balance[1]
                usage.balanceCents += cents
                usage.creditsRemainingCents += max(0, cents)
            }
            return usage
        }
    }

    public struct TransactionPage: Sendable {
        public var items: [LedgerTransaction]
        public var total: Int
    }

    /// Charges, credits, refunds and payments, newest first.
    /// The tenant's transactions, newest first, a page at a time by key (the console's list; fast at any size).
    public func recentTransactions(tenantID: String, limit: Int, after cursor: TimeCursor?) throws -> (items: [LedgerTransaction], next: TimeCursor?) {
        try store.read { db in
            try NewestFirst.page(db, table: "ledger_transactions", tenantID: tenantID, after: cursor, limit: limit,
                                 read: LedgerTransaction.init(row:), position: { TimeCursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func transactions(tenantID: String, buyerID: String?, kind: LedgerTransaction.Kind?, leadID: String? = nil,
                             page: Int, perPage: Int) throws -> TransactionPage {
        try store.read { db in
            if let buyerID { _ = try Buyers.fetch(db, tenantID: tenantID, buyerID: buyerID) }
            let filter = "tenant_id = ?1 AND (?2 IS NULL OR buyer_id = ?2) AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR lead_id = ?4)"
            let arguments: StatementArguments = [tenantID, buyerID, kind?.rawValue, leadID]
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM ledger_transactions WHERE \(filter)", arguments: arguments) ?? 0
            let items = try Row.fetchAll(db, sql: """
                SELECT * FROM ledger_transactions WHERE \(filter) ORDER BY created_at DESC, id DESC LIMIT ?5 OFFSET ?6
                """, arguments: arguments + [perPage, (page - 1) * perPage]).map(LedgerTransaction.init(row:))
            return TransactionPage(items: items, total: total)
        }
    }
}
