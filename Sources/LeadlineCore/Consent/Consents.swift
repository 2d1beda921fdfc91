import Foundation
import GRDB
import Store

/// Consent certificates recorded on their own (a TrustedForm-style record), checked, and revoked when a consumer
/// withdraws consent. Intake records them through the same chain.
public struct Consents: Sendable {
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    /// Records consent, for a lead of the tenant or on its own. A lead that was ineligible only for want of consent
    /// becomes `new` again.
    public func record(tenantID: String, leadID: String?, _ input: ConsentInput, actor: String) async throws -> ConsentCertificate {
        let now = clock.now
        let (valid, problems) = input.validated(now: now, prefix: "")
        guard let valid, problems.isEmpty else { throw CoreError.invalid(problems) }
        let stamp = Timestamp.format(now)
        let pending = ConsentChain.Pending(valid, id: Identifier.sortable("cert", at: now), tenantID: tenantID,
                                           leadID: leadID?.lowercased(), createdAt: stamp)
        return try await store.write { db in
            var lead: Lead?
            if let leadID {
                lead = try Lead.find(db, id: leadID.lowercased(), tenantID: tenantID)
                if lead == nil { throw CoreError.notFound("lead \(leadID)") }
            }
            let certificate = try ConsentChain.append(pending, db)
            if var lead {
                let before = lead.status
                lead.consentCertificateID = certificate.id
                if lead.status == .ineligible && lead.ineligibleReason == "no_consent" {
                    lead.status = .new
                    lead.ineligibleReason = nil
                }
                lead.updatedAt = stamp
                try lead.update(db)
                try LeadEvent(id: nil, tenantID: tenantID, leadID: lead.id, at: stamp, actor: actor, kind: "consent_recorded",
                              fromStatus: before == lead.status ? nil : before.rawValue,
                              toStatus: before == lead.status ? nil : lead.status.rawValue,
                              detail: CanonicalJSON(["certificate_id": certificate.id]).string).append(db)
            }
            return certificate
        }
    }

    public func verify(tenantID: String, certificateID: String) throws -> (ConsentCertificate, ConsentChain.Verdict) {
        try store.read { db in
            guard let certificate = try ConsentCertificate
                .filter(Column("tenant_id") == tenantID && Column("id") == certificateID).fetchOne(db) else {
                throw CoreError.notFound("consent certificate \(certificateID)")
            }
            return (certificate, try ConsentChain.verify(certificate, db))
        }
    }

    /// Marks a certificate revoked (its content and hash stay as they were). Its lead, if not yet sold, becomes
    /// ineligible: it may no longer be called or sold.
    public func revoke(tenantID: String, certificateID: String, reason: String?, actor: String) async throws -> ConsentCertificate {
        let stamp = Timestamp.format(clock.now)
        let reason = reason?.trimmingSpaces.prefix(500).description
        return try await store.write { db in
            guard var certificate = try ConsentCertificate
                .filter(Column("tenant_id") == tenantID && Column("id") == certificateID).fetchOne(db) else {
                throw CoreError.notFound("consent certificate \(certificateID)")
            }
            guard certificate.revokedAt == nil else { return certificate }
            certificate.revokedAt = stamp
            certificate.revokedReason = reason
            try certificate.update(db)
            guard let leadID = certificate.leadID, var lead = try Lead.fetchOne(db, key: leadID) else { return certificate }
            let before = lead.status
            if lead.consentCertificateID == certificate.id && lead.status.canMove(to: .ineligible) {
                lead.status = .ineligible
                lead.ineligibleReason = "consent_revoked"
                lead.updatedAt = stamp
                try lead.update(db)
            }
            try LeadEvent(id: nil, tenantID: tenantID, leadID: lead.id, at: stamp, actor: actor, kind: "consent_revoked",
                          fromStatus: before == lead.status ? nil : before.rawValue,
                          toStatus: before == lead.status ? nil : lead.status.rawValue,
                          detail: CanonicalJSON(["certificate_id": certificate.id, "reason": reason ?? ""]).string).append(db)
            return certificate
        }
    }

    /// The phone number of the lead a certificate belongs to, if it belongs to one.
    public func phone(of certificate: ConsentCertificate) throws -> String? {
        guard let leadID = certificate.leadID else { return nil }
        return try store.read { db in
            try String.fetchOne(db, sql: "SELECT phone FROM leads WHERE tenant_id = ? AND id = ?", arguments: [certificate.tenantID, leadID])
        }
    }
}
