import Foundation

/// What the AI agent says on a call: the greeting, the disclosure lines, the questions that qualify a consumer, and
/// the lines for transferring, closing and honouring an opt-out. `{{first_name}}` and the lead's other fields are
/// filled in.
public struct CallScript: Codable, Sendable, Equatable {
    public struct Question: Codable, Sendable, Equatable {
        /// The answer's key in the call's extracted answers.
        public var id: String
        public var text: String
        /// Answers that qualify (any one); empty: every answer that does not disqualify.
        public var qualify: [String] = []
        /// Answers that end the call as not qualified.
        public var disqualify: [String] = []

        public init(id: String, text: String, qualify: [String] = [], disqualify: [String] = []) {
            self.id = id; self.text = text; self.qualify = qualify; self.disqualify = disqualify
        }

        /// `qualify` and `disqualify` may be left out (empty).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            text = try c.decode(String.self, forKey: .text)
            qualify = try c.decodeIfPresent([String].self, forKey: .qualify) ?? []
            disqualify = try c.decodeIfPresent([String].self, forKey: .disqualify) ?? []
        }

        enum CodingKeys: String, CodingKey { case id, text, qualify, disqualify }

        /// Whether `answer` qualifies for this question.
        public func qualifies(_ answer: String) -> Bool {
            let said = answer.lowercased()
            if disqualify.contains(where: { $0.lowercased() == said }) { return false }
            return qualify.isEmpty || qualify.contains { $0.lowercased() == said }
        }
    }

    public var greeting = "Hi {{first_name}}, this is Ava calling about the quote you requested."
    /// Always said first: the consumer hears that the voice is artificial (FCC 24-17).
    public var aiDisclosure = "Before we go on: I'm an AI assistant, and this is an automated call."
    /// Said where a state requires every party's consent to record.
    public var recordingNotice = "This call is recorded for quality and compliance."
    public var questions = [
        Question(id: "still_interested", text: "Are you still looking for a quote?", qualify: ["yes"], disqualify: ["no"]),
        Question(id: "over_18", text: "And are you over eighteen?", qualify: ["yes"], disqualify: ["no"]),
    ]
    /// Whether a consumer's answers qualify (every question answered, none with an answer that does not qualify),
    /// and why not when they do not.
    public func judge(_ answers: [String: String]) -> (qualified: Bool, reason: String?) {
        for question in questions {
            guard let answer = answers[question.id]?.trimmingCharacters(in: .whitespaces), !answer.isEmpty else {
                return (false, "no answer to \(question.id)")
            }
            if !question.qualifies(answer) { return (false, "answered '\(answer)' to \(question.id)") }
        }
        return (true, nil)
    }

    public var transferLine = "Great, I'm connecting you with a licensed agent now. Please hold for a moment."
    public var noAgentLine = "Thanks! All our agents are busy right now; someone will call you back. Goodbye."
    public var closing = "Thanks for your time, {{first_name}}. Goodbye."
    public var optOutLine = "Understood. We won't call you again. Goodbye."

    public init() {}

    enum CodingKeys: String, CodingKey {
        case greeting, aiDisclosure = "ai_disclosure", recordingNotice = "recording_notice", questions
        case transferLine = "transfer_line", noAgentLine = "no_agent_line", closing, optOutLine = "opt_out_line"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = CallScript()
        greeting = try c.decodeIfPresent(String.self, forKey: .greeting) ?? base.greeting
        aiDisclosure = try c.decodeIfPresent(String.self, forKey: .aiDisclosure) ?? base.aiDisclosure
        recordingNotice = try c.decodeIfPresent(String.self, forKey: .recordingNotice) ?? base.recordingNotice
        questions = try c.decodeIfPresent([Question].self, forKey: .questions) ?? base.questions
        transferLine = try c.decodeIfPresent(String.self, forKey: .transferLine) ?? base.transferLine
        noAgentLine = try c.decodeIfPresent(String.self, forKey: .noAgentLine) ?? base.noAgentLine
        closing = try c.decodeIfPresent(String.self, forKey: .closing) ?? base.closing
        optOutLine = try c.decodeIfPresent(String.self, forKey: .optOutLine) ?? base.optOutLine
    }

    /// `text` with `{{field}}` filled from the lead (an unknown or empty field becomes nothing, and "there" for a name).
    public static func fill(_ text: String, lead: Lead) -> String {
        MessageTemplate.render(text, lead: lead)
    }

    func problems(field: String) -> [CoreError.FieldProblem] {
        var checks = FieldChecks(prefix: field + ".")
        for (name, line) in [("greeting", greeting), ("ai_disclosure", aiDisclosure), ("recording_notice", recordingNotice),
                             ("transfer_line", transferLine), ("no_agent_line", noAgentLine), ("closing", closing),
                             ("opt_out_line", optOutLine)] {
            if line.trimmingSpaces.isEmpty { checks.fail(name, "must not be empty") } else { _ = checks.text(line, name, max: 1000) }
        }
        if questions.isEmpty || questions.count > 20 { checks.fail("questions", "needs 1 to 20 questions") }
        for (index, question) in questions.enumerated() {
            if !question.id.isCampaignType { checks.fail("questions[\(index)].id", "must be a short name of letters, digits, _ and -") }
            if question.text.trimmingSpaces.isEmpty { checks.fail("questions[\(index)].text", "must not be empty") }
            _ = checks.text(question.text, "questions[\(index)].text", max: 500)
        }
        if Set(questions.map(\.id)).count != questions.count { checks.fail("questions", "each question needs its own id") }
        return checks.problems
    }
}

/// How leads are called: by the tenant (leads without a calling campaign) or by a campaign (its leads). A pause
/// stops new calls at once; calls already under way finish.
public struct CallSettings: Codable, Sendable, Equatable {
    /// Tenant: whether leads sent without a campaign (the lead2inbound flow) are called. Campaign: whether its leads
    /// are called and transferred instead of auctioned.
    public var enabled = true
    public var paused = false
    /// Calls placed to a lead at most (blocked ones do not count).
    public var maxAttempts = 3
    /// Minutes to wait before the 2nd, 3rd … attempt after no answer, busy or voicemail (the last repeats); the next
    /// legal calling time is used when the wait ends outside it.
    public var retryMinutes = [30, 240, 1440]
    /// Calls under way at once, for the tenant.
    public var maxConcurrentCalls = 5
    /// The number calls are placed from; nil: the provider's default.
    public var callerID: String?
    public var script = CallScript()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case enabled, paused, maxAttempts = "max_attempts", retryMinutes = "retry_minutes", maxConcurrentCalls = "max_concurrent_calls"
        case callerID = "caller_id", script
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = CallSettings()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? base.enabled
        paused = try c.decodeIfPresent(Bool.self, forKey: .paused) ?? base.paused
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? base.maxAttempts
        retryMinutes = try c.decodeIfPresent([Int].self, forKey: .retryMinutes) ?? base.retryMinutes
        maxConcurrentCalls = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentCalls) ?? base.maxConcurrentCalls
        callerID = try c.decodeIfPresent(String.self, forKey: .callerID)
        script = try c.decodeIfPresent(CallScript.self, forKey: .script) ?? base.script
    }

    /// The wait before attempt number `next` (2 is the first retry).
    func retryDelay(beforeAttempt next: Int) -> TimeInterval {
        let minutes = retryMinutes.isEmpty ? 60 : retryMinutes[min(max(0, next - 2), retryMinutes.count - 1)]
        return TimeInterval(minutes * 60)
    }

    /// The settings checked, with the caller id normalised; problems are named under `field`.
    func checked(field: String) throws(CoreError) -> CallSettings {
        var checks = FieldChecks(prefix: field.isEmpty ? "" : field + ".")
        var out = self
        _ = checks.number(maxAttempts, "max_attempts", 1...20)
        _ = checks.number(maxConcurrentCalls, "max_concurrent_calls", 1...500)
        if retryMinutes.count > 20 { checks.fail("retry_minutes", "may list at most 20 waits") }
        for (index, minutes) in retryMinutes.enumerated() { _ = checks.number(minutes, "retry_minutes[\(index)]", 1...43_200) }
        if let callerID {
            do throws(PhoneNumber.Problem) { out.callerID = try PhoneNumber.normalize(callerID) } catch { checks.fail("caller_id", error.description) }
        }
        var problems = checks.problems
        problems += script.problems(field: (field.isEmpty ? "" : field + ".") + "script")
        if !problems.isEmpty { throw .invalid(problems) }
        return out
    }
}
