import HTTPServer
import LeadlineCore

/// lead2inbound's leads: `POST /v1/leads` (only `phone` required), `GET /v1/leads?limit=N`, `GET /v1/leads/{id}`.
extension Routes {
    struct Lead2InboundLead: Decodable {
        struct Consent: Decodable { let consent_timestamp: String?, consent_text_version: String?, consent_text: String?, source_url: String? }
        let phone: String?, source: String?, first_name: String?, last_name: String?, email: String?, state: String?
        let zip_code: String?, campaign_type: String?, consent: Consent?

        var input: LeadInput {
            LeadInput(phone: phone, email: email, firstName: first_name, lastName: last_name, state: state, zipCode: zip_code,
                      source: source, campaignType: campaign_type,
                      consent: consent.map { ConsentInput(text: $0.consent_text, textVersion: $0.consent_text_version,
                                                          pageURL: $0.source_url, consentedAt: $0.consent_timestamp) })
        }
    }

    /// The quickstart's names for the consent fields.
    static let lead2InboundFieldNames = [
        "consent.page_url": "consent.source_url", "consent.consented_at": "consent.consent_timestamp",
        "consent.consent_text": "consent.consent_text_version",
    ]

    struct Lead2InboundLeadView: Encodable {
        let lead_id: String, status: String
        @Nullable var ineligible_reason: String?
        let phone: String
        @Nullable var first_name: String?
        @Nullable var last_name: String?
        @Nullable var email: String?
        @Nullable var state: String?
        @Nullable var zip_code: String?
        @Nullable var source: String?
        let score: Int
        @Nullable var consent_certificate_id: String?
        let created_at: String, updated_at: String
        init(_ lead: Lead) {
            lead_id = lead.id; status = lead.status.rawValue; ineligible_reason = lead.ineligibleReason; phone = lead.phone
            first_name = lead.firstName; last_name = lead.lastName; email = lead.email; state = lead.state; zip_code = lead.zipCode
            source = lead.source; score = lead.score; consent_certificate_id = lead.consentCertificateID
            created_at = lead.createdAt; updated_at = lead.updatedAt
        }
    }

    mutating func addLead2InboundLeads(_ leads: Leads) {
        let routes = self
        addAsync(.POST, "/v1/leads") { request in try await routes.idempotent(request) {
            let caller = try request.caller
            let body = try request.decode(Lead2InboundLead.self)
            let outcome: Leads.Outcome
            do {
                outcome = try await leads.intake(tenantID: caller.tenantID, body.input, options: .init(actor: request.eventActor, calls: true))
            } catch let error as CoreError {
                throw renamingFields(error, Self.lead2InboundFieldNames)
            }
            // The quickstart's exact shape; `ineligible_reason` is added only when there is one.
            struct Answer: Encodable { let outcome: String, lead_id: String, status: String, ineligible_reason: String? }
            switch outcome {
            case .created(let lead):
                return try .json(Answer(outcome: "created", lead_id: lead.id, status: lead.status.rawValue,
                                        ineligible_reason: lead.ineligibleReason), status: 201)
            case .duplicate(let lead):
                return try .json(Answer(outcome: "duplicate", lead_id: lead.id, status: lead.status.rawValue,
                                        ineligible_reason: lead.ineligibleReason), status: 200)
            }
        } }

        add(.GET, "/v1/leads") { request in
            let caller = try request.caller
            let limit = try request.integerQuery("limit", default: 25, range: 1...500)
            var cursor: TimeCursor?
            if let token = request.query["cursor"] {
                guard let parsed = TimeCursor(token: token) else {
                    throw HTTPError.validation([.init(field: "cursor", reason: "is not a cursor this API gave out")])
                }
                cursor = parsed
            }
            let page = try leads.newest(tenantID: caller.tenantID, limit: limit, after: cursor)
            struct Page: Encodable { let leads: [Lead2InboundLeadView]; @Nullable var next_cursor: String? }
            return try .json(Page(leads: page.leads.map(Lead2InboundLeadView.init), next_cursor: page.next?.token))
        }

        add(.GET, "/v1/leads/{id}") { request in
            let caller = try request.caller
            let record = try leads.record(tenantID: caller.tenantID, leadID: try request.parameter("id"))
            struct Detail: Encodable {
                let lead: Lead2InboundLeadView, score_reasons: [ScoreReasonView], events: [LeadEventView], consent: [ConsentView]
                let calls: [CallView], transfers: [TransferView], dialer: DialerView?
                func encode(to encoder: any Encoder) throws {
                    try lead.encode(to: encoder)
                    enum Keys: String, CodingKey { case score_reasons, events, consent, calls, transfers, dialer }
                    var c = encoder.container(keyedBy: Keys.self)
                    try c.encode(score_reasons, forKey: .score_reasons)
                    try c.encode(events, forKey: .events)
                    try c.encode(consent, forKey: .consent)
                    try c.encode(calls, forKey: .calls)
                    try c.encode(transfers, forKey: .transfers)
                    try c.encode(dialer, forKey: .dialer)
                }
            }
            return try .json(Detail(lead: .init(record.lead), score_reasons: record.lead.reasons.map(ScoreReasonView.init),
                                    events: record.events.map(LeadEventView.init), consent: record.consent.map(ConsentView.init),
                                    calls: record.calls.map(CallView.init), transfers: record.transfers.map(TransferView.init),
                                    dialer: record.dialer.map(DialerView.init)))
        }
    }
}
