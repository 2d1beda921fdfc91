import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' leads: `POST /api/v1/leads/inbound`, `GET /api/v1/leads/`, `GET /api/v1/leads/{id}`.
extension Routes {
    /// EZLeeds sells leads rather than calling them first: an eligible lead scoring this much is qualified on arrival.
    static let ezleedsQualifyingScore = 70

    struct EZLeedsInbound: Decodable {
        struct Consent: Decodable {
            let consent_type: String?, consent_text: String?, ip_address: String?, page_url: String?, user_agent: String?
            let channel: String?, consented_at: String?
        }
        let first_name: String?, last_name: String?, email: String?, phone: String?, state: String?, zip_code: String?
        let campaign_type: String?, source: String?, consent: Consent?

        var input: LeadInput {
            LeadInput(phone: phone, email: email, firstName: first_name, lastName: last_name, state: state, zipCode: zip_code,
                      source: source, campaignType: campaign_type,
                      consent: consent.map { ConsentInput(consentType: $0.consent_type, channel: $0.channel, text: $0.consent_text,
                                                          pageURL: $0.page_url, ipAddress: $0.ip_address, userAgent: $0.user_agent,
                                                          consentedAt: $0.consented_at) })
        }
    }

    struct EZLeedsListItem: Encodable {
        let id: String
        @Nullable var first_name: String?
        @Nullable var last_name: String?
        let status: String, score: Int
        @Nullable var campaign_type: String?
        @Nullable var state: String?
        @Nullable var source: String?
        let created_at: String
        init(_ lead: Lead) {
            id = lead.id; first_name = lead.firstName; last_name = lead.lastName; status = lead.status.rawValue
            score = lead.score; campaign_type = lead.campaignType; state = lead.state; source = lead.source
            created_at = lead.createdAt
        }
    }

    struct EZLeedsDetail: Encodable {
        let id: String
        @Nullable var first_name: String?
        @Nullable var last_name: String?
        @Nullable var email: String?
        let phone: String
        @Nullable var state: String?
        @Nullable var zip_code: String?
        @Nullable var campaign_type: String?
        @Nullable var source: String?
        let status: String
        @Nullable var ineligible_reason: String?
        let score: Int, score_reasons: [ScoreReasonView]
        @Nullable var buyer_id: String?
        @Nullable var sold_price_cents: Int?
        @Nullable var notes: String?
        @Nullable var consent_certificate_id: String?
        let created_at: String, updated_at: String
        let events: [LeadEventView], consent_records: [ConsentView]
        let calls: [CallView], transfers: [TransferView]
        @Nullable var dialer: DialerView?
        init(_ record: LeadRecord) {
            let lead = record.lead
            id = lead.id; first_name = lead.firstName; last_name = lead.lastName; email = lead.email; phone = lead.phone
            state = lead.state; zip_code = lead.zipCode; campaign_type = lead.campaignType; source = lead.source
            status = lead.status.rawValue; ineligible_reason = lead.ineligibleReason; score = lead.score
            score_reasons = lead.reasons.map(ScoreReasonView.init); buyer_id = lead.buyerID; sold_price_cents = lead.soldPriceCents
            notes = lead.notes; consent_certificate_id = lead.consentCertificateID; created_at = lead.createdAt
            updated_at = lead.updatedAt; events = record.events.map(LeadEventView.init)
            consent_records = record.consent.map(ConsentView.init)
            calls = record.calls.map(CallView.init)
            transfers = record.transfers.map(TransferView.init)
            dialer = record.dialer.map(DialerView.init)
        }
    }

    mutating func addEZLeedsLeads(_ leads: Leads) {
        let routes = self
        addAsync(.POST, "/api/v1/leads/inbound") { request in try await routes.idempotent(request) {
            let caller = try request.caller
            let body = try request.decode(EZLeedsInbound.self)
            let outcome = try await leads.intake(tenantID: caller.tenantID, body.input,
                                                 options: .init(actor: request.eventActor, qualifyAtScore: Self.ezleedsQualifyingScore))
            struct Answer: Encodable {
                let id: String, status: String, score: Int
                @Nullable var consent_certificate_id: String?
                let created_at: String
                /// The reference's shape, plus these two only when they apply.
                let ineligible_reason: String?, duplicate: Bool?
            }
            let lead = outcome.lead
            let duplicate: Bool = if case .duplicate = outcome { true } else { false }
            return try .json(Answer(id: lead.id, status: lead.status.rawValue, score: lead.score,
                                    consent_certificate_id: lead.consentCertificateID, created_at: lead.createdAt,
                                    ineligible_reason: lead.ineligibleReason, duplicate: duplicate ? true : nil),
                             status: duplicate ? 200 : 201)
        } }

        add(.GET, "/api/v1/leads") { request in
            let caller = try request.caller
            let page = try request.integerQuery("page", default: 1, range: 1...1_000_000)
            let perPage = try request.integerQuery("per_page", default: 25, range: 1...200)
            var filter = LeadFilter(campaignType: request.query["campaign_type"], state: try Self.state(request.query["state"]),
                                    source: request.query["source"])
            var problems: [HTTPError.FieldError] = []
            if let status = request.query["status"] {
                if let known = LeadStatus(rawValue: status) { filter.status = known } else {
                    problems.append(.init(field: "status", reason: "must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
            }
            for (name, keyPath) in [("date_from", \LeadFilter.createdFrom), ("date_to", \LeadFilter.createdTo)] {
                guard let text = request.query[name] else { continue }
                if let date = Timestamp.parse(text) ?? Self.day(text) { filter[keyPath: keyPath] = Timestamp.format(date) } else {
                    problems.append(.init(field: name, reason: "must be a date (2026-04-22) or an RFC 3339 time"))
                }
            }
            if !problems.isEmpty { throw HTTPError.validation(problems) }
            let result = try leads.search(tenantID: caller.tenantID, filter: filter, page: page, perPage: perPage)
            /// The reference's shape, plus `total_capped` only when the total is a floor (see `Leads.search`).
            struct Page: Encodable { let items: [EZLeedsListItem], total: Int, page: Int, per_page: Int, total_capped: Bool? }
            return try .json(Page(items: result.leads.map(EZLeedsListItem.init), total: result.total, page: page, per_page: perPage,
                                  total_capped: result.capped ? true : nil))
        }

        add(.GET, "/api/v1/leads/{id}") { request in
            let caller = try request.caller
            return try .json(EZLeedsDetail(try leads.record(tenantID: caller.tenantID, leadID: try request.parameter("id"))))
        }
    }

    mutating func addEZLeedsLeadChanges(_ leads: Leads) {
        struct Update: Decodable {
            let status: String?, notes: String?, first_name: String?, last_name: String?, email: String?, phone: String?
            let state: String?, zip_code: String?
        }
        addAsync(.PATCH, "/api/v1/leads/{id}") { request in
            let caller = try request.caller
            let body = try request.decode(Update.self)
            let lead = try await leads.change(tenantID: caller.tenantID, leadID: try request.parameter("id"),
                                              LeadChanges(status: body.status, firstName: body.first_name, lastName: body.last_name,
                                                          email: body.email, phone: body.phone, state: body.state,
                                                          zipCode: body.zip_code, notes: body.notes),
                                              actor: request.eventActor)
            struct Answer: Encodable { let id: String, status: String, updated_at: String }
            return try .json(Answer(id: lead.id, status: lead.status.rawValue, updated_at: lead.updatedAt))
        }

        struct Internal: Decodable { let score: Int?, buyer_id: String?, sold_price_cents: Int? }
        addAsync(.PATCH, "/api/v1/leads/{id}/internal", access: .admin) { request in
            let caller = try request.caller
            let body = try request.decode(Internal.self)
            let lead = try await leads.change(tenantID: caller.tenantID, leadID: try request.parameter("id"),
                                              LeadChanges(score: body.score, buyerID: body.buyer_id, soldPriceCents: body.sold_price_cents),
                                              actor: request.eventActor)
            struct Answer: Encodable {
                let id: String, score: Int
                @Nullable var buyer_id: String?
                @Nullable var sold_price_cents: Int?
                let updated_at: String
            }
            return try .json(Answer(id: lead.id, score: lead.score, buyer_id: lead.buyerID, sold_price_cents: lead.soldPriceCents,
                                    updated_at: lead.updatedAt))
        }
    }

    /// `2026-04-22` as the start of that day, UTC.
    static func day(_ text: String) -> Date? { Timestamp.parse(text + "T00:00:00Z") }
}
