import Foundation
import GRDB

/// A buyer's month as billed: its charges less the credits for returns and refunds made in the month.
public struct Invoice: Sendable, Equatable {
    public enum Status: String, Sendable { case open, paid }

    public var id: String
    public var buyerID: String
    public var period: String
    public var leads: Int
    public var chargesCents: Int
    public var creditsCents: Int
    public var amountCents: Int
    public var status: Status
    public var paidAt: String?
    public var paymentID: String?
    /// When the period closed.
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; buyerID = row["buyer_id"]; period = row["period"]; leads = row["leads"]; chargesCents = row["charges_cents"]
        creditsCents = row["credits_cents"]; amountCents = row["amount_cents"]; status = Status(rawValue: row["status"]) ?? .open
        paidAt = row["paid_at"]; paymentID = row["payment_id"]; createdAt = row["created_at"]
    }

    /// `inv_202604_<buyer>`: closing a month twice, or on two machines from the same data, names the same invoice.
    static func id(period: BillingPeriod, buyerID: String) -> String {
        "inv_\(period.description.replacingOccurrences(of: "-", with: ""))_\(buyerID.drop { $0 != "_" }.dropFirst())"
    }
}

extension Billing {
    /// Invoices, newest period first. Months that ended since the last close are closed first.
    public func invoices(tenantID: String, buyerID: String?, status: Invoice.Status? = nil) async throws -> [Invoice] {
        try await closeEndedPeriods(tenantID: tenantID)
        return try store.read { db in
            if let buyerID { _ = try Buyers.fetch(db, tenantID: tenantID, buyerID: buyerID) }
            return try Row.fetchAll(db, sql: """
                SELECT * FROM invoices WHERE tenant_id = ?1 AND (?2 IS NULL OR buyer_id = ?2) AND (?3 IS NULL OR status = ?3)
                ORDER BY period DESC, buyer_id
                """, arguments: [tenantID, buyerID, status?.rawValue]).map(Invoice.init(row:))
        }
    }

    /// Closes every month that ended and was not closed yet: one invoice per buyer with charges or credits in it, its
    /// numbers summed from the ledger's entries dated in the month, which no later write can change. Invoiced buyers'
    /// invoices open; prepaid buyers' are paid (from the balance) as they close.
    public func closeEndedPeriods(tenantID: String) async throws {
        let current = BillingPeriod(containing: clock.now)
        let through = try store.read { db in
            try String.fetchOne(db, sql: "SELECT invoiced_through FROM tenants WHERE id = ?", arguments: [tenantID])
        }
        if let through, let closed = BillingPeriod(through), closed >= current.previous { return }
        try await store.write { db in
            var period: BillingPeriod
            if let text = try String.fetchOne(db, sql: "SELECT invoiced_through FROM tenants WHERE id = ?", arguments: [tenantID]),
               let closed = BillingPeriod(text) {
                period = closed.next
            } else if let first = try String.fetchOne(db, sql: "SELECT min(created_at) FROM ledger_transactions WHERE tenant_id = ?",
                                                      arguments: [tenantID]) {
                period = BillingPeriod(containing: Timestamp.parse(first) ?? Date())
            } else {
                period = current
            }
            while period < current {
                try Self.close(db, tenantID: tenantID, period: period)
                period = period.next
            }
            try db.execute(sql: "UPDATE tenants SET invoiced_through = ? WHERE id = ?", arguments: [current.previous.description, tenantID])
        }
    }

    static func close(_ db: GRDB.Database, tenantID: String, period: BillingPeriod) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT buyer_id, count(*) FILTER (WHERE kind = 'charge'),
                   coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0),
                   coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)
            FROM ledger_transactions
            WHERE tenant_id = ? AND kind IN ('charge', 'refund') AND buyer_id IS NOT NULL AND created_at >= ? AND created_at < ?
            GROUP BY buyer_id ORDER BY buyer_id
            """, arguments: [tenantID, period.start, period.end])
        for row in rows {
            let buyerID: String = row[0], charges: Int = row[2], credits: Int = row[3]
            let buyer = try Buyers.fetch(db, tenantID: tenantID, buyerID: buyerID)
            let amount = charges - credits
            // Nothing to collect: prepaid funds already paid for it, or credits outweighed charges.
            let paid = buyer.settings.billingMode == .prepaid || amount <= 0
            try db.execute(sql: """
                INSERT INTO invoices (id, tenant_id, buyer_id, period, leads, charges_cents, credits_cents, amount_cents, status, paid_at,
                                      created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """, arguments: [Invoice.id(period: period, buyerID: buyerID), tenantID, buyerID, period.description, row[1] as Int,
                                 charges, credits, amount, paid ? "paid" : "open", paid ? period.end : nil, period.end])
        }
    }

    /// Records an invoice as paid: the payment is credited to the buyer's account (it no longer owes the amount).
    public func markPaid(tenantID: String, invoiceID: String, actor: String) async throws -> Invoice {
        let now = clock.now, stamp = Timestamp.format(now), reservations = buyers.reservations
        let paymentID = Identifier.sortable("pay", at: now)
        return try await store.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM invoices WHERE id = ? AND tenant_id = ?", arguments: [invoiceID, tenantID]) else {
                throw CoreError.notFound("invoice \(invoiceID)")
            }
            var invoice = Invoice(row: row)
            if invoice.status == .paid {
                throw CoreError.refused(code: "already_paid", "invoice \(invoice.id) was paid at \(invoice.paidAt ?? invoice.createdAt)")
            }
            try Ledger.post(db, LedgerTransaction(id: paymentID, tenantID: tenantID, kind: .payment, buyerID: invoice.buyerID, leadID: nil,
                                                  saleID: nil, amountCents: invoice.amountCents,
                                                  description: "Invoice \(invoice.id) paid (\(invoice.period))", reason: nil, actor: actor,
                                                  createdAt: stamp),
                            entries: [(.buyer(invoice.buyerID), invoice.amountCents), (.tenant, -invoice.amountCents)])
            try db.execute(sql: "UPDATE invoices SET status = 'paid', paid_at = ?, payment_id = ? WHERE id = ?",
                           arguments: [stamp, paymentID, invoice.id])
            reservations.forgetCommitted(Reservations.buyer(invoice.buyerID))
            invoice.status = .paid
            invoice.paidAt = stamp
            invoice.paymentID = paymentID
            return invoice
        }
    }
}
