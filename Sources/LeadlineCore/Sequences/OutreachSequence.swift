import Foundation
import GRDB

/// How a step reaches the lead.
public enum StepChannel: String, Codable, Sendable, CaseIterable {
    case sms, email
    /// The AI agent's call: the lead is handed to the dialer, which asks the compliance gate before it dials.
    case call

    var outreach: OutreachChannel {
        switch self {
        case .sms: .sms
        case .email: .email
        case .call: .aiCall
        }
    }
}

/// One step of a sequence: after `delay_minutes` (from enrolment for the first step, from the step before for the
/// others), send `template` (or the stored template `template_id`) over `channel`.
public struct SequenceStep: Codable, Sendable, Equatable {
    public var channel: StepChannel
    public var delayMinutes: Int
    public var template: String?
    public var templateID: String?
    /// An email's subject (an inline email template's; a stored template has its own).
    public var subject: String?

    public init(channel: StepChannel, delayMinutes: Int = 0, template: String? = nil, templateID: String? = nil, subject: String? = nil) {
        self.channel = channel; self.delayMinutes = delayMinutes; self.template = template; self.templateID = templateID
        self.subject = subject
    }

    enum CodingKeys: String, CodingKey {
        case channel, template, subject
        case delayMinutes = "delay_minutes", templateID = "template_id"
    }
}

/// A sequence as the API sends it: its steps are checked field by field.
public struct SequenceInput: Decodable, Sendable {
    public struct Step: Decodable, Sendable {
        public var channel: String?
        public var delay_minutes: Int?
        public var template: String?
        public var template_id: String?
        public var subject: String?

        public init(channel: String?, delay_minutes: Int?, template: String?, template_id: String?, subject: String?) {
            self.channel = channel; self.delay_minutes = delay_minutes; self.template = template; self.template_id = template_id
            self.subject = subject
        }
    }

    public var name: String?
    public var steps: [Step]?

    public init(name: String?, steps: [Step]?) { self.name = name; self.steps = steps }

    /// The steps, checked; `templates` answers the channel of each of the tenant's templates.
    func checked(templates: (String) throws -> StepChannel?) throws -> (name: String, steps: [SequenceStep]) {
        var checks = FieldChecks()
        let name = checks.text(name, "name", max: 200)
        if name == nil { checks.fail("name", "is required") }
        guard let steps, !steps.isEmpty else {
            checks.fail("steps", "a sequence needs at least one step")
            throw CoreError.invalid(checks.problems)
        }
        if steps.count > 50 { checks.fail("steps", "at most 50 steps") }
        var checked: [SequenceStep] = []
        for (index, step) in steps.enumerated() {
            let at = "steps[\(index)]."
            guard let channel = step.channel.flatMap(StepChannel.init(rawValue:)) else {
                checks.fail(at + "channel", "must be sms, email or call")
                continue
            }
            let delay = step.delay_minutes ?? 0
            if delay < 0 || delay > 60 * 24 * 365 { checks.fail(at + "delay_minutes", "must be between 0 and 525600 (a year)") }
            let template = checks.text(step.template, at + "template", max: channel == .sms ? 1600 : 100_000)
            let templateID = step.template_id?.trimmingSpaces
            if channel != .call {
                switch (template, templateID) {
                case (nil, nil): checks.fail(at + "template", "an \(channel.rawValue) step needs a template or a template_id")
                case (.some, .some): checks.fail(at + "template_id", "give a template or a template_id, not both")
                case (nil, .some(let id)):
                    switch try templates(id) {
                    case nil: checks.fail(at + "template_id", "no template \(id)")
                    case .some(let other) where other != channel: checks.fail(at + "template_id", "\(id) is an \(other.rawValue) template")
                    default: break
                    }
                default: break
                }
            }
            let subject = checks.text(step.subject, at + "subject", max: 300)
            checked.append(SequenceStep(channel: channel, delayMinutes: delay, template: template, templateID: templateID, subject: subject))
        }
        guard checks.problems.isEmpty, let name else { throw CoreError.invalid(checks.problems) }
        return (name, checked)
    }
}

public struct OutreachSequence: Sendable, Equatable {
    public enum Status: String, Sendable { case active, paused }

    public var id: String
    public var tenantID: String
    public var name: String
    public var steps: [SequenceStep]
    public var status: Status
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; tenantID = row["tenant_id"]; name = row["name"]
        steps = StoredJSON.decode([SequenceStep].self, row["steps"]) ?? []
        status = Status(rawValue: row["status"]) ?? .paused
        createdAt = row["created_at"]
    }
}

/// What became of a sequence's leads: `converted` counts the enrolled leads since transferred or sold.
public struct SequenceMetrics: Sendable, Equatable {
    public var enrolled = 0
    public var active = 0
    public var completed = 0
    public var converted = 0

    public init(enrolled: Int = 0, active: Int = 0, completed: Int = 0, converted: Int = 0) {
        self.enrolled = enrolled; self.active = active; self.completed = completed; self.converted = converted
    }

    public var conversionRate: Double { enrolled == 0 ? 0 : (Double(converted) / Double(enrolled) * 1000).rounded() / 1000 }
}

/// A lead in a sequence.
public struct Enrollment: Sendable, Equatable {
    public enum Status: String, Sendable { case active, completed, converted, removed, stopped }

    public var id: String
    public var sequenceID: String
    public var leadID: String
    public var status: Status
    /// The index of the next step to run.
    public var nextStep: Int
    public var nextStepAt: String?
    public var reason: String?
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; sequenceID = row["sequence_id"]; leadID = row["lead_id"]
        status = Status(rawValue: row["status"]) ?? .stopped
        nextStep = row["next_step"]; nextStepAt = row["next_step_at"]; reason = row["reason"]; createdAt = row["created_at"]
    }
}

/// A step's send, as recorded.
public struct StepSend: Sendable, Equatable {
    public var step: Int
    public var channel: String
    public var status: String
    public var recipient: String?
    public var subject: String?
    public var body: String?
    public var providerMessageID: String?
    public var error: String?
    public var at: String

    init(row: Row) {
        step = row["step"]; channel = row["channel"]; status = row["status"]; recipient = row["recipient"]; subject = row["subject"]
        body = row["body"]; providerMessageID = row["provider_message_id"]; error = row["error"]; at = row["at"]
    }
}

/// A stored message template.
public struct MessageTemplate: Sendable, Equatable {
    public var id: String
    public var name: String
    public var channel: StepChannel
    public var subject: String?
    public var body: String
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; name = row["name"]; channel = StepChannel(rawValue: row["channel"]) ?? .sms; subject = row["subject"]
        body = row["body"]; createdAt = row["created_at"]
    }

    /// `text` with `{{first_name}}` and the lead's other fields filled in; `html` escapes the values (for an email's
    /// HTML part). An unknown `{{name}}` is left as written.
    public static func render(_ text: String, lead: Lead, html: Bool = false) -> String {
        let fields = ["first_name": lead.firstName ?? "there", "last_name": lead.lastName ?? "", "state": lead.state ?? "",
                      "campaign_type": lead.campaignType ?? "", "source": lead.source ?? "", "email": lead.email ?? "",
                      "zip_code": lead.zipCode ?? ""]
        var out = text
        for (name, value) in fields {
            out = out.replacingOccurrences(of: "{{\(name)}}", with: html ? HTMLEscaping.escape(value) : value)
        }
        return out
    }
}

/// The five characters that matter in HTML (and XML) text and attributes.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
