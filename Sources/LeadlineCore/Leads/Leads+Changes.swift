import Foundation
import GRDB

/// What a caller may change on a lead. Contact fields and notes are anyone's with write access; `score`, `buyerID`
/// and `soldPriceCents` are the protected fields an admin sets (`internal`).
public struct LeadChanges: Sendable {
    public var status: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?
    public var state: String?
    public var zipCode: String?
    public var notes: String?
    public var score: Int?
    public var buyerID: String?
    public var soldPriceCents: Int?

    public init(status: String? = nil, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
                phone: String? = nil, state: String? = nil, zipCode: String? = nil, notes: String? = nil, score: Int? = nil,
                buyerID: String? = nil, soldPriceCents: Int? = nil) {
        self.status = status
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.state = state
        self.zipCode = zipCode
        self.notes = notes
        self.score = score
        self.buyerID = buyerID
        self.soldPriceCents = soldPriceCents
    }
}

extension Leads {
    /// Applies changes in one transaction; each changed field and each status move is its own event. A status move the
    /// state machine does not allow is refused (`CoreError.conflict`) and nothing changes.
    public func change(tenantID: String, leadID: String, _ changes: LeadChanges, actor: String) async throws -> Lead {
        let now = clock.now
        let stamp = Timestamp.format(now)
        var checks = FieldChecks()
        // The contact fields are checked as intake checks them. Intake needs a phone, so a stand-in is given when the
        // change leaves the phone alone; it is never stored.
        var probe: LeadInput.Valid?
        do {
            probe = try LeadInput(phone: changes.phone ?? "5550000000", email: changes.email, firstName: changes.firstName,
                                  lastName: changes.lastName, state: changes.state, zipCode: changes.zipCode).validated(now: now)
        } catch {
            if case .invalid(let problems) = error { for problem in problems { checks.fail(problem.field, problem.reason) } }
        }
        var target: LeadStatus?
        if let status = changes.status {
            if let known = LeadStatus(rawValue: status) { target = known } else {
                checks.fail("status", "must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let score = changes.score, !(0...100).contains(score) { checks.fail("score", "must be from 0 to 100") }
        if let cents = changes.soldPriceCents, cents < 0 { checks.fail("sold_price_cents", "must not be negative") }
        if let notes = changes.notes, notes.count > 5000 { checks.fail("notes", "must be at most 5000 characters") }
        if let buyer = changes.buyerID, buyer.count > 64 { checks.fail("buyer_id", "must be at most 64 characters") }
        guard let probe, checks.problems.isEmpty else { throw CoreError.invalid(checks.problems) }

        let requested = target
        return try await store.write { db in
            guard var lead = try Lead.find(db, id: leadID.lowercased(), tenantID: tenantID) else {
                throw CoreError.notFound("lead \(leadID)")
            }
            var events: [(kind: String, from: String?, to: String?, detail: [String: String])] = []
            func set<Value: Equatable & CustomStringConvertible>(_ keyPath: WritableKeyPath<Lead, Value?>, _ value: Value?, _ field: String) {
                guard let value, lead[keyPath: keyPath] != value else { return }
                events.append(("field_changed", nil, nil, ["field": field, "before": lead[keyPath: keyPath]?.description ?? "",
                                                          "after": value.description]))
                lead[keyPath: keyPath] = value
            }
            if let target = requested, target != lead.status {
                guard lead.status.canMove(to: target) else {
                    throw CoreError.conflict("a lead that is \(lead.status.rawValue) cannot become \(target.rawValue); from \(lead.status.rawValue) it can become: \(lead.status.allowedNext.map(\.rawValue).sorted().joined(separator: ", "))")
                }
                if target == .accepted || target == .returned,
                   try Bool.fetchOne(db, sql: "SELECT 1 FROM lead_sales WHERE lead_id = ? AND status IN ('delivered', 'accepted', 'returned')",
                                     arguments: [lead.id]) != nil {
                    // Billing follows these moves: the charge is made final or credited back.
                    let path = target == .accepted ? "accept" : "return"
                    throw CoreError.refused(code: "use_\(path)", "lead \(lead.id) was sold to a buyer: it becomes \(target.rawValue) through POST /api/v1/leads/\(lead.id)/\(path), which bills it")
                }
                if target == .qualified || target == .dialing || target == .delivered || target == .transferred,
                   lead.consentCertificateID == nil {
                    throw CoreError.conflict("a lead without consent cannot be \(target.rawValue)")
                }
                events.append(("status_changed", lead.status.rawValue, target.rawValue, [:]))
                lead.status = target
                if target == .ineligible { lead.ineligibleReason = lead.ineligibleReason ?? "set_by_\(actor.split(separator: ":").first ?? "user")" }
            }
            if changes.phone != nil, probe.phone != lead.phone {
                events.append(("field_changed", nil, nil, ["field": "phone", "before": lead.phone, "after": probe.phone]))
                lead.phone = probe.phone
            }
            set(\.firstName, probe.firstName, "first_name")
            set(\.lastName, probe.lastName, "last_name")
            set(\.email, probe.email, "email")
            set(\.state, probe.state, "state")
            set(\.zipCode, probe.zipCode, "zip_code")
            set(\.buyerID, changes.buyerID, "buyer_id")
            set(\.soldPriceCents, changes.soldPriceCents, "sold_price_cents")
            if let score = changes.score, score != lead.score {
                events.append(("field_changed", nil, nil, ["field": "score", "before": String(lead.score), "after": String(score)]))
                lead.score = score
            }
            if let notes = changes.notes?.trimmingSpaces, !notes.isEmpty {
                events.append(("note", nil, nil, ["text": notes]))
                lead.notes = notes
            }
            guard !events.isEmpty else { return lead }
            lead.updatedAt = stamp
            try lead.update(db)
            for event in events {
                try LeadEvent(id: nil, tenantID: tenantID, leadID: lead.id, at: stamp, actor: actor, kind: event.kind,
                              fromStatus: event.from, toStatus: event.to, detail: CanonicalJSON(event.detail).string).append(db)
            }
            return lead
        }
    }
}
