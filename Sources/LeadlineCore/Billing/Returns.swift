import Foundation
import GRDB

/// Reason codes a buyer may give for returning a lead.
public enum ReturnReason: String, Sendable, CaseIterable {
    case invalidPhone = "invalid_phone", disconnected, wrongPerson = "wrong_person", duplicate, outOfArea = "out_of_area"
    case noConsent = "no_consent", fraud, underage, notInterested = "not_interested", other
}

/// A sale of a lead as billing sees it.
struct SaleRecord: Sendable {
    let id: String
    let tenantID: String
    let leadID: String
    let buyerID: String
    let campaignID: String?
    let priceCents: Int
    let status: String
    let createdAt: String
    let acceptedAt: String?
    let returnRequestedAt: String?
    let returnedAt: String?
    let reason: String?

    init(row: Row) {
        id = row["id"]; tenantID = row["tenant_id"]; leadID = row["lead_id"]; buyerID = row["buyer_id"]; campaignID = row["campaign_id"]
        priceCents = row["price_cents"]; status = row["status"]; createdAt = row["created_at"]; acceptedAt = row["accepted_at"]
        returnRequestedAt = row["return_requested_at"]; returnedAt = row["returned_at"]; reason = row["reason"]
    }

    /// Records what happened to the sale as an event of its lead (with the buyer and sale in its detail), first moving
    /// the lead to `status` when one is given and its state allows. Answers the lead's status after.
    @discardableResult
    func tellLead(_ db: GRDB.Database, _ kind: String, moving status: LeadStatus?, detail extra: [(String, String?)], actor: String,
                  at: String) throws -> LeadStatus {
        var detail = CanonicalJSON()
        detail.add("buyer_id", buyerID)
        detail.add("sale_id", id)
        for (key, value) in extra { detail.add(key, value) }
        return try Lead.record(db, leadID: leadID, kind, moving: status, detail: detail, actor: actor, at: at).status
    }

    /// Refuses once the sale's charge was credited back (by a return or a refund), saying when and why.
    func refuseIfCredited(_ db: GRDB.Database) throws {
        guard let credit = try Ledger.existing(db, .refund, saleID: id) else { return }
        throw CoreError.refused(code: "already_credited", "lead \(leadID) was already credited to buyer \(buyerID): \(credit.id) at \(credit.createdAt) (\(credit.reason ?? "no reason"))")
    }

    /// Refuses once the sale was returned, or while a return of it awaits review.
    func refuseIfReturned() throws {
        if status == "returned" {
            throw CoreError.refused(code: "already_returned", "lead \(leadID) was returned by buyer \(buyerID) at \(returnedAt ?? createdAt)")
        }
        if let requested = returnRequestedAt {
            throw CoreError.refused(code: "return_pending", "buyer \(buyerID) asked to return lead \(leadID) at \(requested); the return awaits review")
        }
    }

    /// The lead's sale that an accept, return or refund is about: the buyer's when one is named, else the only one.
    static func find(_ db: GRDB.Database, tenantID: String, leadID: String, buyerID: String?) throws -> SaleRecord {
        let leadID = leadID.lowercased()
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM leads WHERE id = ? AND tenant_id = ?", arguments: [leadID, tenantID]) != nil else {
            throw CoreError.notFound("lead \(leadID)")
        }
        let sales = try Row.fetchAll(db, sql: """
            SELECT * FROM lead_sales WHERE tenant_id = ? AND lead_id = ? AND status IN ('delivered', 'accepted', 'returned')
            ORDER BY created_at, id
            """, arguments: [tenantID, leadID]).map(SaleRecord.init(row:))
        if let buyerID {
            guard let sale = sales.first(where: { $0.buyerID == buyerID }) else {
                throw CoreError.refused(code: "not_sold", "lead \(leadID) was not sold to buyer \(buyerID)")
            }
            return sale
        }
        guard let sale = sales.first else { throw CoreError.refused(code: "not_sold", "lead \(leadID) was not sold to a buyer") }
        guard sales.count == 1 else {
            throw CoreError.invalid([.init("buyer_id", "is required: lead \(leadID) was sold to \(sales.count) buyers (\(sales.map(\.buyerID).joined(separator: ", ")))")])
        }
        return sale
    }
}

/// What an accept answers.
public struct Acceptance: Sendable, Equatable {
    public var leadID: String
    public var buyerID: String
    public var status: LeadStatus
    public var acceptedAt: String
    /// The charge the accept makes final; nil for a lead sold for nothing.
    public var billingEventID: String?
}

/// What a return answers.
public struct ReturnOutcome: Sendable, Equatable {
    public enum State: String, Sendable { case returned, returnRequested = "return_requested" }
    public var leadID: String
    public var buyerID: String
    public var state: State
    public var reason: String
    public var returnedAt: String?
    public var requestedAt: String
    public var creditIssued: Bool
    public var creditID: String?
    public var creditCents: Int
}

/// What a refund answers.
public struct Refund: Sendable, Equatable {
    public var id: String
    public var leadID: String
    public var buyerID: String
    public var amountCents: Int
}

extension Billing {
    /// The days a buyer has to return a lead when its campaign does not say (or it was sold outside a campaign).
    public static let defaultReturnWindowDays = 7

    /// The buyer accepts the lead: its charge is final, and the buyer can no longer return it (an admin can refund it).
    /// Accepting again answers the first acceptance.
    public func accept(tenantID: String, leadID: String, buyerID: String?, actor: String) async throws -> Acceptance {
        let now = Timestamp.format(clock.now)
        return try await store.write { db in
            let sale = try SaleRecord.find(db, tenantID: tenantID, leadID: leadID, buyerID: buyerID)
            let chargeID = try Ledger.existing(db, .charge, saleID: sale.id)?.id
            try sale.refuseIfReturned()
            if let acceptedAt = sale.acceptedAt {
                let status = try String.fetchOne(db, sql: "SELECT status FROM leads WHERE id = ?", arguments: [sale.leadID]).flatMap(LeadStatus.init) ?? .accepted
                return Acceptance(leadID: sale.leadID, buyerID: sale.buyerID, status: status, acceptedAt: acceptedAt, billingEventID: chargeID)
            }
            try db.execute(sql: "UPDATE lead_sales SET status = 'accepted', accepted_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [now, now, sale.id])
            let status = try sale.tellLead(db, "accepted", moving: .accepted, detail: [("billing_event_id", chargeID)], actor: actor, at: now)
            return Acceptance(leadID: sale.leadID, buyerID: sale.buyerID, status: status, acceptedAt: now, billingEventID: chargeID)
        }
    }

    /// The buyer returns the lead with a reason code, within its campaign's return window and its own return cap. With
    /// auto-approval (the default) the charge is credited back at once; otherwise the return waits for an admin's refund.
    public func returnLead(tenantID: String, leadID: String, buyerID: String?, reason: String?, notes: String?,
                           actor: String) async throws -> ReturnOutcome {
        var checks = FieldChecks()
        let code = reason.flatMap { ReturnReason(rawValue: $0.trimmingSpaces) }
        if code == nil {
            checks.fail("reason", reason == nil ? "is required: one of \(ReturnReason.allCases.map(\.rawValue).joined(separator: ", "))"
                                                 : "must be one of \(ReturnReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let notes = checks.text(notes, "notes", max: 2000)
        if code == .other && notes == nil { checks.fail("notes", "are required when the reason is other") }
        guard let code, checks.problems.isEmpty else { throw CoreError.invalid(checks.problems) }

        let now = clock.now, stamp = Timestamp.format(now), reservations = buyers.reservations
        return try await store.write { db in
            let sale = try SaleRecord.find(db, tenantID: tenantID, leadID: leadID, buyerID: buyerID)
            try sale.refuseIfCredited(db)
            try sale.refuseIfReturned()
            if let accepted = sale.acceptedAt {
                throw CoreError.refused(code: "already_accepted", "buyer \(sale.buyerID) accepted lead \(sale.leadID) at \(accepted), which made its billing final; an admin can still refund it")
            }
            let days = try sale.campaignID.map { try Campaigns.fetch(db, tenantID: tenantID, campaignID: $0).settings.returnWindowDays }
                ?? Self.defaultReturnWindowDays
            let sold = Timestamp.parse(sale.createdAt) ?? now
            let closes = sold.addingTimeInterval(TimeInterval(days) * 86_400)
            if now >= closes {
                throw CoreError.invalid([.init("return_window", "the return window of \(days) day(s) closed at \(Timestamp.format(closes)); lead \(sale.leadID) was sold at \(sale.createdAt)")])
            }
            let buyer = try Buyers.fetch(db, tenantID: tenantID, buyerID: sale.buyerID)
            if let cap = buyer.settings.returnCapPercent {
                let period = BillingPeriod(containing: now)
                let bought = try Int.fetchOne(db, sql: """
                    SELECT coalesce(sum(sales), 0) FROM sale_daily WHERE tenant_id = ? AND buyer_id = ? AND day >= ? AND day < ?
                      AND status IN ('delivered', 'accepted', 'returned')
                    """, arguments: [tenantID, buyer.id, period.firstDay, period.endDay]) ?? 0
                // Returns asked for or credited this period, of leads sold within the longest window before it.
                let earliest = Timestamp.format((Timestamp.parse(period.start) ?? now).addingTimeInterval(-366 * 86_400))
                let returned = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM lead_sales
                    WHERE buyer_id = ?1 AND created_at >= ?3 AND (returned_at >= ?2 OR return_requested_at >= ?2)
                    """, arguments: [buyer.id, period.start, earliest]) ?? 0
                if (returned + 1) * 100 > cap * max(bought, 1) {
                    throw CoreError.refused(code: "return_cap_reached", "buyer \(buyer.id) may return \(cap)% of the leads it bought in \(period) (\(bought)); it has returned \(returned)")
                }
            }
            if buyer.settings.autoApproveReturns ?? true {
                let credit = try Self.credit(db, sale, reason: code.rawValue, notes: notes, what: "returned", actor: actor, at: stamp,
                                             reservations: reservations)
                return ReturnOutcome(leadID: sale.leadID, buyerID: sale.buyerID, state: .returned, reason: code.rawValue, returnedAt: stamp,
                                     requestedAt: stamp, creditIssued: credit != nil, creditID: credit, creditCents: credit == nil ? 0 : sale.priceCents)
            }
            try db.execute(sql: "UPDATE lead_sales SET return_requested_at = ?, reason = ?, return_notes = ?, updated_at = ? WHERE id = ?",
                           arguments: [stamp, code.rawValue, notes, stamp, sale.id])
            try sale.tellLead(db, "return_requested", moving: nil, detail: [("reason", code.rawValue), ("notes", notes)], actor: actor, at: stamp)
            return ReturnOutcome(leadID: sale.leadID, buyerID: sale.buyerID, state: .returnRequested, reason: code.rawValue, returnedAt: nil,
                                 requestedAt: stamp, creditIssued: false, creditID: nil, creditCents: 0)
        }
    }

    /// An admin refunds a lead's charge: a return awaiting review, or a lead found invalid. A sale is credited once:
    /// refunding a lead a return already credited, or refunding it twice, is refused.
    public func refund(tenantID: String, leadID: String?, buyerID: String?, reason: String?, actor: String) async throws -> Refund {
        var checks = FieldChecks()
        if leadID?.trimmingSpaces.isEmpty ?? true { checks.fail("lead_id", "is required") }
        let reason = checks.text(reason, "reason", max: 500)
        if reason == nil { checks.fail("reason", "is required") }
        guard let leadID, let reason, checks.problems.isEmpty else { throw CoreError.invalid(checks.problems) }
        let stamp = Timestamp.format(clock.now), reservations = buyers.reservations
        return try await store.write { db in
            let sale = try SaleRecord.find(db, tenantID: tenantID, leadID: leadID, buyerID: buyerID)
            try sale.refuseIfCredited(db)
            if sale.priceCents == 0 {
                throw CoreError.refused(code: "nothing_charged", "lead \(sale.leadID) was sold to buyer \(sale.buyerID) for nothing; there is nothing to refund")
            }
            let id = try Self.credit(db, sale, reason: sale.returnRequestedAt != nil ? (sale.reason ?? reason) : reason, notes: nil,
                                     what: sale.returnRequestedAt != nil ? "returned" : "refunded", actor: actor, at: stamp,
                                     reservations: reservations)!
            return Refund(id: id, leadID: sale.leadID, buyerID: sale.buyerID, amountCents: sale.priceCents)
        }
    }

    /// Credits a sale back to its buyer and marks it returned; the lead is returned once none of its sales stands. The
    /// unique index on a sale's credit makes a second credit fail even if two writers got this far.
    static func credit(_ db: GRDB.Database, _ sale: SaleRecord, reason: String, notes: String?, what: String, actor: String, at: String,
                       reservations: Reservations) throws -> String? {
        var creditID: String?
        if sale.priceCents > 0 {
            let id = Ledger.id(.refund, sale: sale.id)
            try Ledger.post(db, LedgerTransaction(id: id, tenantID: sale.tenantID, kind: .refund, buyerID: sale.buyerID, leadID: sale.leadID,
                                                  saleID: sale.id, amountCents: sale.priceCents,
                                                  description: Ledger.describe(leadID: sale.leadID, what), reason: reason, actor: actor,
                                                  createdAt: at),
                            entries: [(.buyer(sale.buyerID), sale.priceCents), (.refunds, -sale.priceCents)])
            creditID = id
        }
        try db.execute(sql: """
            UPDATE lead_sales SET status = 'returned', returned_at = ?, reason = ?, return_notes = coalesce(?, return_notes), updated_at = ?
            WHERE id = ?
            """, arguments: [at, reason, notes, at, sale.id])
        let standing = try Int.fetchOne(db, sql: "SELECT count(*) FROM lead_sales WHERE lead_id = ? AND status IN ('delivered', 'accepted')",
                                        arguments: [sale.leadID]) ?? 0
        try sale.tellLead(db, what, moving: standing == 0 ? .returned : nil,
                          detail: [("reason", reason), ("credit_id", creditID), ("credit_cents", String(creditID == nil ? 0 : sale.priceCents))],
                          actor: actor, at: at)
        // The buyer's balance and budget, and the campaign's budget, count differently now.
        reservations.forgetCommitted(Reservations.buyer(sale.buyerID))
        if let campaignID = sale.campaignID { reservations.forgetCommitted(Reservations.campaign(campaignID)) }
        return creditID
    }
}
