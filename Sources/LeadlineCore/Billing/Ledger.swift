import Foundation
import GRDB

/// An account of the double-entry ledger. A positive entry credits it, a negative one debits it.
public enum LedgerAccount: Sendable, Hashable {
    /// A buyer's prepaid or credit account: above zero it has funds, below zero it owes.
    case buyer(String)
    /// What leads sold for (and call postbacks paid).
    case revenue
    /// What was given back for returned or refunded leads (a debit balance).
    case refunds
    /// Credit given to buyers as a promotion (a debit balance: what the promotions cost).
    case promotionalCredit
    /// Money the agency received from buyers (a debit balance: cash in).
    case tenant
    /// What call platforms owe for transfers to lines that belong to no buyer (their postbacks report it).
    case callPlatforms

    public var name: String {
        switch self {
        case .buyer(let id): return "buyer:\(id)"
        case .revenue: return "revenue"
        case .refunds: return "refunds"
        case .promotionalCredit: return "promotional_credit"
        case .tenant: return "tenant"
        case .callPlatforms: return "call_platforms"
        }
    }
}

/// One movement of money, as the billing API lists it.
public struct LedgerTransaction: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A lead sold to a buyer: the buyer pays, revenue earns.
        case charge
        /// Funds added to a buyer's account: a payment received, or promotional credit.
        case credit
        /// A charge given back, for an approved return or an admin's refund. At most one per sale.
        case refund
        /// An invoice paid.
        case payment

        var idPrefix: String {
            switch self {
            case .charge: return "bill"
            case .credit: return "cred"
            case .refund: return "ref"
            case .payment: return "pay"
            }
        }
    }

    public var id: String
    public var tenantID: String
    public var kind: Kind
    public var buyerID: String?
    public var leadID: String?
    public var saleID: String?
    /// The transfer a call's revenue was charged for.
    public var transferID: String?
    public var amountCents: Int
    public var description: String
    public var reason: String?
    public var actor: String
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; tenantID = row["tenant_id"]; kind = Kind(rawValue: row["kind"]) ?? .charge; buyerID = row["buyer_id"]
        leadID = row["lead_id"]; saleID = row["sale_id"]; transferID = row["transfer_id"]; amountCents = row["amount_cents"]; description = row["description"]
        reason = row["reason"]; actor = row["actor"]; createdAt = row["created_at"]
    }

    init(id: String, tenantID: String, kind: Kind, buyerID: String?, leadID: String?, saleID: String?, amountCents: Int,
         description: String, reason: String?, actor: String, createdAt: String, transferID: String? = nil) {
        self.id = id; self.tenantID = tenantID; self.kind = kind; self.buyerID = buyerID; self.leadID = leadID
        self.saleID = saleID; self.transferID = transferID; self.amountCents = amountCents; self.description = description; self.reason = reason
        self.actor = actor; self.createdAt = createdAt
    }
}

/// Entries that do not sum to zero were about to be written: a bug, refused before anything is stored.
struct Unbalanced: Error, CustomStringConvertible {
    let transactionID: String
    var description: String { "the entries of ledger transaction \(transactionID) do not balance" }
}

/// Writes and reads the ledger. Every write happens inside the caller's transaction, so a charge commits with the sale
/// it bills and a credit with the return it pays for.
enum Ledger {
    /// The id a sale's charge or credit has: one of each per sale, and the same id wherever it is written.
    static func id(_ kind: LedgerTransaction.Kind, sale saleID: String) -> String {
        kind.idPrefix + "_" + saleID.drop { $0 != "_" }.dropFirst()
    }

    /// "Lead #a1b2c3d4 delivered".
    static func describe(leadID: String, _ what: String) -> String { "Lead #\(leadID.prefix(8)) \(what)" }

    /// Writes a transaction and its entries. The entries must sum to zero and their credits to the transaction's amount.
    static func post(_ db: GRDB.Database, _ transaction: LedgerTransaction, entries: [(LedgerAccount, Int)]) throws {
        guard entries.reduce(0, { $0 + $1.1 }) == 0, entries.filter({ $0.1 > 0 }).reduce(0, { $0 + $1.1 }) == transaction.amountCents else {
            throw Unbalanced(transactionID: transaction.id)
        }
        try db.cachedStatement(sql: """
            INSERT INTO ledger_transactions (id, tenant_id, kind, buyer_id, lead_id, sale_id, transfer_id, amount_cents, description,
                                             reason, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [transaction.id, transaction.tenantID, transaction.kind.rawValue, transaction.buyerID, transaction.leadID,
                             transaction.saleID, transaction.transferID, transaction.amountCents, transaction.description,
                             transaction.reason, transaction.actor, transaction.createdAt])
        let insert = try db.cachedStatement(sql: """
            INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at) VALUES (?, ?, ?, ?, ?)
            """)
        for (account, cents) in entries where cents != 0 {
            try insert.execute(arguments: [transaction.id, transaction.tenantID, account.name, cents, transaction.createdAt])
        }
    }

    /// Bills a sale at its price: the buyer is debited, revenue credited. A free sale moves no money and writes nothing.
    static func charge(_ db: GRDB.Database, tenantID: String, saleID: String, buyerID: String, leadID: String, cents: Int,
                       actor: String, at: String) throws {
        guard cents > 0 else { return }
        try post(db, LedgerTransaction(id: id(.charge, sale: saleID), tenantID: tenantID, kind: .charge, buyerID: buyerID, leadID: leadID,
                                       saleID: saleID, amountCents: cents, description: describe(leadID: leadID, "delivered"),
                                       reason: nil, actor: actor, createdAt: at),
                 entries: [(.buyer(buyerID), -cents), (.revenue, cents)])
    }

    /// Charges a transfer's call revenue: the line's buyer is debited (or the call platforms, for a line of no buyer),
    /// revenue credited. Once per transfer.
    static func chargeCall(_ db: GRDB.Database, tenantID: String, transferID: String, buyerID: String?, leadID: String, cents: Int,
                           actor: String, at: String) throws {
        guard cents > 0 else { return }
        try post(db, LedgerTransaction(id: Identifier.sortable("bill", at: Timestamp.parse(at) ?? Date()), tenantID: tenantID, kind: .charge,
                                       buyerID: buyerID, leadID: leadID, saleID: nil, amountCents: cents,
                                       description: "Call #\(leadID.prefix(8)) transferred", reason: nil, actor: actor, createdAt: at,
                                       transferID: transferID),
                 entries: [(buyerID.map(LedgerAccount.buyer) ?? .callPlatforms, -cents), (.revenue, cents)])
    }

    /// The transaction of `kind` already written for a sale, if any.
    static func existing(_ db: GRDB.Database, _ kind: LedgerTransaction.Kind, saleID: String) throws -> LedgerTransaction? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ledger_transactions WHERE sale_id = ? AND kind = ?"),
                         arguments: [saleID, kind.rawValue]).map(LedgerTransaction.init(row:))
    }

    /// An account's balance: the sum of its entries (read from the daily sums the entries' trigger keeps).
    static func balance(_ db: GRDB.Database, tenantID: String, account: LedgerAccount) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT coalesce(sum(amount_cents), 0) FROM ledger_daily WHERE tenant_id = ? AND account = ?
            """), arguments: [tenantID, account.name]) ?? 0
    }

    /// Every broken rule of the ledger and the sums derived from it; empty when all hold.
    static func problems(_ db: GRDB.Database) throws -> [String] {
        var problems: [String] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT t.id, t.amount_cents, coalesce(sum(e.amount_cents), 0) AS total,
                   coalesce(sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0), 0) AS credits
            FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
            GROUP BY t.id HAVING total != 0 OR credits != t.amount_cents
            LIMIT 20
            """) {
            problems.append("ledger: transaction \(row["id"] as String) of \(row["amount_cents"] as Int) cents has entries summing to \(row["total"] as Int) (credits \(row["credits"] as Int))")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT tenant_id, sum(amount_cents) AS total FROM ledger_entries GROUP BY tenant_id HAVING total != 0
            """) {
            problems.append("ledger: tenant \(row["tenant_id"] as String)'s entries sum to \(row["total"] as Int), not 0")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT e.transaction_id FROM ledger_entries e LEFT JOIN ledger_transactions t ON t.id = e.transaction_id
            WHERE t.id IS NULL OR t.tenant_id != e.tenant_id LIMIT 20
            """) {
            problems.append("ledger: an entry of \(row[0] as String) has no transaction of its tenant")
        }
        let derived: [(name: String, fresh: String, kept: String)] = [
            ("ledger_daily",
             """
             SELECT e.tenant_id, e.account, substr(e.created_at, 1, 10), t.kind, sum(e.amount_cents), count(*)
             FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id GROUP BY 1, 2, 3, 4
             """,
             "SELECT tenant_id, account, day, kind, amount_cents, entries FROM ledger_daily WHERE entries != 0 OR amount_cents != 0"),
            ("lead_daily",
             "SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads GROUP BY 1, 2, 3",
             "SELECT tenant_id, day, status, leads FROM lead_daily WHERE leads != 0"),
            ("sale_daily",
             "SELECT tenant_id, substr(created_at, 1, 10), buyer_id, coalesce(campaign_id, ''), status, count(*), sum(price_cents) FROM lead_sales GROUP BY 1, 2, 3, 4, 5",
             "SELECT tenant_id, day, buyer_id, campaign_id, status, sales, cents FROM sale_daily WHERE sales != 0 OR cents != 0"),
        ]
        for table in derived {
            let differing = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT * FROM (\(table.fresh) EXCEPT \(table.kept))
                                      UNION ALL SELECT * FROM (\(table.kept) EXCEPT \(table.fresh)))
                """) ?? 0
            if differing > 0 { problems.append("\(table.name): \(differing) row(s) differ from the rows they are derived from") }
        }
        return problems
    }
}

