import Foundation
import GRDB

/// A buyer's return that waits for an admin (its buyer does not have returns approved automatically).
public struct PendingReturn: Sendable, Equatable {
    public var saleID: String
    public var leadID: String
    public var buyerID: String
    public var buyerName: String
    public var priceCents: Int
    public var reason: String
    public var notes: String?
    public var soldAt: String
    public var requestedAt: String
}

extension Billing {
    /// The returns waiting for review, oldest first.
    public func pendingReturns(tenantID: String, limit: Int = 200) throws -> [PendingReturn] {
        try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.lead_id, s.buyer_id, b.name, s.price_cents, s.reason, s.return_notes, s.created_at, s.return_requested_at
                FROM lead_sales s JOIN buyers b ON b.id = s.buyer_id
                WHERE s.tenant_id = ? AND s.return_requested_at IS NOT NULL AND s.status != 'returned'
                ORDER BY s.return_requested_at, s.id LIMIT ?
                """, arguments: [tenantID, limit]).map { row in
                PendingReturn(saleID: row[0], leadID: row[1], buyerID: row[2], buyerName: row[3], priceCents: row[4], reason: row[5] ?? "",
                              notes: row[6], soldAt: row[7], requestedAt: row[8])
            }
        }
    }

    /// Approves a return waiting for review: the charge is credited back, once (`refund` with the buyer's reason).
    public func approveReturn(tenantID: String, leadID: String, buyerID: String, actor: String) async throws -> Refund {
        try await refund(tenantID: tenantID, leadID: leadID, buyerID: buyerID, reason: "return approved", actor: actor)
    }

    /// Denies a return waiting for review: the charge stands, and the lead's timeline says why.
    public func denyReturn(tenantID: String, leadID: String, buyerID: String, reason: String?, actor: String) async throws {
        var checks = FieldChecks()
        let reason = checks.text(reason, "reason", max: 500)
        if reason == nil { checks.fail("reason", "is required: the buyer is told why") }
        guard let reason, checks.problems.isEmpty else { throw CoreError.invalid(checks.problems) }
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            let sale = try SaleRecord.find(db, tenantID: tenantID, leadID: leadID, buyerID: buyerID)
            guard sale.returnRequestedAt != nil, sale.status != "returned" else {
                throw CoreError.refused(code: "no_pending_return", "no return of lead \(sale.leadID) by buyer \(sale.buyerID) awaits review")
            }
            try db.execute(sql: "UPDATE lead_sales SET return_requested_at = NULL, updated_at = ? WHERE id = ?", arguments: [stamp, sale.id])
            try sale.tellLead(db, "return_denied", moving: nil, detail: [("reason", reason), ("requested_reason", sale.reason)], actor: actor, at: stamp)
        }
    }
}
