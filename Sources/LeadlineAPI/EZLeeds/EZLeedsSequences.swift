import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' Sequences: multi-step outreach (SMS, email, a call) as the reference shows it, plus resume, the
/// enrollments with what each step sent, and the message templates steps name by `template_id`.
extension Routes {
    mutating func addEZLeedsSequences(_ sequences: Sequences) {
        @Sendable func detail(_ sequence: OutreachSequence, tenantID: String) throws -> SequenceView {
            SequenceView(sequence, try sequences.metrics(tenantID: tenantID, sequenceIDs: [sequence.id])[sequence.id] ?? SequenceMetrics())
        }

        addAsync(.POST, "/api/v1/sequences") { request in
            let caller = try request.caller
            let sequence = try await sequences.create(tenantID: caller.tenantID, try request.decode(SequenceInput.self))
            struct Created: Encodable { let id: String, name: String, steps: Int, status: String }
            return try .json(Created(id: sequence.id, name: sequence.name, steps: sequence.steps.count, status: sequence.status.rawValue), status: 201)
        }
        add(.GET, "/api/v1/sequences") { request in
            let caller = try request.caller
            let all = try sequences.all(tenantID: caller.tenantID)
            let metrics = try sequences.metrics(tenantID: caller.tenantID, sequenceIDs: all.map(\.id))
            struct Item: Encodable { let id: String, name: String, steps: Int, enrolled: Int, status: String }
            struct Page: Encodable { let items: [Item] }
            return try .json(Page(items: all.map {
                Item(id: $0.id, name: $0.name, steps: $0.steps.count, enrolled: metrics[$0.id]?.enrolled ?? 0, status: $0.status.rawValue)
            }))
        }
        add(.GET, "/api/v1/sequences/{id}") { request in
            let caller = try request.caller
            return try .json(try detail(try sequences.sequence(tenantID: caller.tenantID, id: try request.parameter("id")), tenantID: caller.tenantID))
        }
        addAsync(.POST, "/api/v1/sequences/{id}/enroll") { request in
            let caller = try request.caller
            struct Body: Decodable { let lead_id: String? }
            guard let leadID = try request.decode(Body.self).lead_id?.trimmingCharacters(in: .whitespaces), !leadID.isEmpty else {
                throw HTTPError.validation([.init(field: "lead_id", reason: "is required")])
            }
            let enrollment = try await sequences.enroll(tenantID: caller.tenantID, sequenceID: try request.parameter("id"), leadID: leadID)
            struct Answer: Encodable {
                let enrollment_id: String, sequence_id: String, lead_id: String
                @Nullable var next_step_at: String?
            }
            return try .json(Answer(enrollment_id: enrollment.id, sequence_id: enrollment.sequenceID, lead_id: enrollment.leadID,
                                    next_step_at: enrollment.nextStepAt), status: 201)
        }
        for (action, status) in [("pause", OutreachSequence.Status.paused), ("resume", .active)] {
            addAsync(.POST, "/api/v1/sequences/{id}/\(action)") { request in
                let caller = try request.caller
                let sequence = try await sequences.setStatus(tenantID: caller.tenantID, id: try request.parameter("id"), status)
                struct Answer: Encodable { let id: String, status: String }
                return try .json(Answer(id: sequence.id, status: sequence.status.rawValue))
            }
        }
        addAsync(.DELETE, "/api/v1/sequences/{id}/enrollments/{lead_id}") { request in
            let caller = try request.caller
            let leadID = try request.parameter("lead_id")
            try await sequences.remove(tenantID: caller.tenantID, sequenceID: try request.parameter("id"), leadID: leadID)
            struct Answer: Encodable { let removed: Bool, lead_id: String }
            return try .json(Answer(removed: true, lead_id: leadID))
        }
        add(.GET, "/api/v1/sequences/{id}/enrollments") { request in
            let caller = try request.caller
            let limit = try request.integerQuery("limit", default: 100, range: 1...500)
            let items = try sequences.enrollments(tenantID: caller.tenantID, sequenceID: try request.parameter("id"), limit: limit)
            struct Page: Encodable { let items: [EnrollmentView] }
            return try .json(Page(items: items.map { EnrollmentView($0.0, sends: $0.1) }))
        }

        addAsync(.POST, "/api/v1/templates") { request in
            let caller = try request.caller
            return try .json(TemplateView(try await sequences.createTemplate(tenantID: caller.tenantID, try request.decode(Sequences.TemplateInput.self))),
                             status: 201)
        }
        add(.GET, "/api/v1/templates") { request in
            let caller = try request.caller
            struct Page: Encodable { let items: [TemplateView] }
            return try .json(Page(items: try sequences.templates(tenantID: caller.tenantID).map(TemplateView.init)))
        }
        add(.GET, "/api/v1/templates/{id}") { request in
            let caller = try request.caller
            return try .json(TemplateView(try sequences.template(tenantID: caller.tenantID, id: try request.parameter("id"))))
        }
        addAsync(.DELETE, "/api/v1/templates/{id}") { request in
            let caller = try request.caller
            let id = try request.parameter("id")
            try await sequences.deleteTemplate(tenantID: caller.tenantID, id: id)
            struct Answer: Encodable { let id: String, deleted: Bool }
            return try .json(Answer(id: id, deleted: true))
        }
    }
}

struct SequenceView: Encodable {
    let id: String, name: String, status: String, steps: [SequenceStep]
    let enrolled: Int, active: Int, completed: Int, converted: Int, conversion_rate: Double
    let created_at: String

    init(_ s: OutreachSequence, _ m: SequenceMetrics) {
        id = s.id; name = s.name; status = s.status.rawValue; steps = s.steps; created_at = s.createdAt
        enrolled = m.enrolled; active = m.active; completed = m.completed; converted = m.converted; conversion_rate = m.conversionRate
    }
}

struct EnrollmentView: Encodable {
    struct Send: Encodable {
        let step: Int, channel: String, status: String
        @Nullable var recipient: String?
        @Nullable var subject: String?
        @Nullable var body: String?
        @Nullable var provider_message_id: String?
        @Nullable var error: String?
        let at: String
    }

    let id: String, lead_id: String, status: String, next_step: Int
    @Nullable var next_step_at: String?
    @Nullable var reason: String?
    let created_at: String
    let sends: [Send]

    init(_ e: Enrollment, sends: [StepSend]) {
        id = e.id; lead_id = e.leadID; status = e.status.rawValue; next_step = e.nextStep; next_step_at = e.nextStepAt; reason = e.reason
        created_at = e.createdAt
        // Steps are shown counted from 1, as an admin reads them.
        self.sends = sends.map { Send(step: $0.step + 1, channel: $0.channel, status: $0.status, recipient: $0.recipient, subject: $0.subject,
                                      body: $0.body, provider_message_id: $0.providerMessageID, error: $0.error, at: $0.at) }
    }
}

struct TemplateView: Encodable {
    let id: String, name: String, channel: String
    @Nullable var subject: String?
    let body: String, created_at: String

    init(_ t: MessageTemplate) {
        id = t.id; name = t.name; channel = t.channel.rawValue; subject = t.subject; body = t.body; created_at = t.createdAt
    }
}
