import HTTPServer
import LeadlineCore

/// EZLeeds' consent endpoints: `POST /api/v1/compliance/record-consent`, `…/verify-consent`, and `…/revoke-consent`
/// (for a consumer who withdraws consent: an opt-out, so the number also goes on the internal do-not-call list). They take
/// a compliance or write key.
extension Routes {
    mutating func addEZLeedsConsent(_ consents: Consents, dnc: DNCRegistry) {
        struct Record: Decodable {
            let lead_id: String?, consent_type: String?, channel: String?, mechanism: String?, consent_text: String?
            let consent_text_version: String?, ip_address: String?, user_agent: String?, page_url: String?, consented_at: String?
        }
        let routes = self
        addAsync(.POST, "/api/v1/compliance/record-consent", access: .complianceOrWrite) { request in try await routes.idempotent(request) {
            let caller = try request.caller
            let body = try request.decode(Record.self)
            let certificate = try await consents.record(
                tenantID: caller.tenantID, leadID: body.lead_id,
                ConsentInput(consentType: body.consent_type, channel: body.channel, mechanism: body.mechanism, text: body.consent_text,
                             textVersion: body.consent_text_version, pageURL: body.page_url, ipAddress: body.ip_address,
                             userAgent: body.user_agent, consentedAt: body.consented_at),
                actor: request.eventActor)
            struct Answer: Encodable { let certificate_id: String, created_at: String, hash: String }
            return try .json(Answer(certificate_id: certificate.id, created_at: certificate.createdAt, hash: "sha256:" + certificate.hash),
                             status: 201)
        } }

        struct CertificateRef: Decodable { let certificate_id: String; let reason: String? }
        struct CertificateSummary: Encodable {
            let id: String, consent_type: String, channel: String, created_at: String, is_active: Bool
            init(_ c: ConsentCertificate) {
                id = c.id; consent_type = c.consentType; channel = c.channel; created_at = c.createdAt; is_active = c.isActive
            }
        }
        add(.POST, "/api/v1/compliance/verify-consent", access: .complianceOrWrite) { request in
            let caller = try request.caller
            let body = try request.decode(CertificateRef.self)
            let (certificate, verdict) = try consents.verify(tenantID: caller.tenantID, certificateID: body.certificate_id)
            struct Answer: Encodable { let valid: Bool; @Nullable var reason: String?; let certificate: CertificateSummary }
            let reason: String? = switch verdict {
            case .valid: nil
            case .revoked: "revoked"
            case .tampered(let why): "tampered: \(why)"
            }
            return try .json(Answer(valid: verdict == .valid, reason: reason, certificate: CertificateSummary(certificate)))
        }

        addAsync(.POST, "/api/v1/compliance/revoke-consent", access: .complianceOrWrite) { request in
            let caller = try request.caller
            let body = try request.decode(CertificateRef.self)
            let certificate = try await consents.revoke(tenantID: caller.tenantID, certificateID: body.certificate_id,
                                                        reason: body.reason, actor: request.eventActor)
            // Withdrawing consent is an opt-out: the number goes on the internal do-not-call list at once.
            if let phone = try consents.phone(of: certificate) {
                try await dnc.add(tenantID: caller.tenantID, phone: phone, reason: body.reason ?? "consent revoked",
                                  channel: "consent_revocation", actor: request.eventActor)
            }
            struct Answer: Encodable { let certificate_id: String, is_active: Bool; @Nullable var revoked_at: String? }
            return try .json(Answer(certificate_id: certificate.id, is_active: certificate.isActive, revoked_at: certificate.revokedAt))
        }
    }
}
