import Foundation
import HTTPServer
import LeadlineCrypto
import OutboundHTTP

/// How Leadline reaches Retell AI: the account's API key (the one with the webhook badge, since Retell signs its
/// webhooks with it), the agent that talks, and the number it calls from when calling settings name none.
public struct RetellSettings: Sendable {
    public var apiKey: String
    /// Sent as `override_agent_id`; without it, Retell uses the agent bound to the from number.
    public var agentID: String?
    public var fromNumber: String?
    public var baseURL = "https://api.retellai.com"
    public var timeout: Duration = .seconds(10)
    /// How far a webhook's signed time may be from now: five minutes, as in Retell's SDKs.
    public var signatureTolerance: TimeInterval = 300

    public init(apiKey: String, agentID: String? = nil, fromNumber: String? = nil) {
        self.apiKey = apiKey
        self.agentID = agentID
        self.fromNumber = fromNumber
    }
}

/// Why Retell did not start a call.
public enum RetellError: Error, Sendable, CustomStringConvertible {
    case noFromNumber
    case unreachable(String)
    case refused(status: Int, message: String)
    case unreadableAnswer(String)

    public var description: String {
        switch self {
        case .noFromNumber: return "no number to call from: set caller_id in the calling settings, or LEADLINE_RETELL_FROM_NUMBER"
        case .unreachable(let why): return "Retell could not be reached: \(why)"
        case .refused(let status, let message): return "Retell answered \(status): \(message)"
        case .unreadableAnswer(let why): return "Retell's answer had no call_id: \(why)"
        }
    }
}

/// Retell AI (https://docs.retellai.com) as Leadline's voice provider.
///
/// - **Calls** start with `POST /v2/create-phone-call`. The metadata carries Leadline's call id, which every webhook
///   echoes; the dynamic variables carry the script's lines for the agent's prompt.
/// - **Webhooks** (`call_started`, `call_ended`, `call_analyzed`, `transfer_*`) arrive at `/v1/voice/retell/events`,
///   signed `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(api key, body + ms)>`; they become `CallUpdate`s
///   (`RetellEvent.updates`).
/// - **Qualifying and transferring**: the agent calls its `leadline_qualify` custom function
///   (`/v1/voice/retell/functions`) with the answers it collected. The engine judges them against the script and
///   chooses a destination as for any provider, and the function's answer tells the agent what to do: transfer to
///   `transfer_number` (its transfer tool dials that response variable) or end the call.
///
/// Why Retell rather than Vapi: Retell's warm transfer works on any telephony it supports (Vapi's warm modes are
/// Twilio-only), and its webhook signature covers the body with a timestamp, so a captured webhook cannot be replayed
/// later; Vapi's signature is optional.
public final class RetellVoice: VoiceProvider {
    public static let functionName = "leadline_qualify"
    public static let signatureHeader = "x-retell-signature"
    /// The metadata key carrying Leadline's call id.
    static let callIDKey = "leadline_call_id"

    public let name = "retell"
    public var callsOutliveServer: Bool { true }
    let settings: RetellSettings
    let outbound: OutboundClient
    let policy: AddressPolicy
    /// Real time (not the server's simulated clock): Retell signs with its own.
    let now: @Sendable () -> Date
    let commands = CallCommands()

    public init(settings: RetellSettings, outbound: OutboundClient, policy: AddressPolicy, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.outbound = outbound
        self.policy = policy
        self.now = now
    }

    // MARK: VoiceProvider

    public func start(_ call: CallRequest, updates: any CallUpdateSink) async throws -> String {
        guard let from = call.from ?? settings.fromNumber else { throw RetellError.noFromNumber }
        struct Create: Encodable {
            let from_number: String, to_number: String
            let override_agent_id: String?
            let metadata: [String: String]
            let retell_llm_dynamic_variables: [String: String]
        }
        let body = try JSON.encode(Create(from_number: from, to_number: call.to, override_agent_id: settings.agentID,
                                          metadata: [Self.callIDKey: call.attemptID, "leadline_lead_id": call.lead.id],
                                          retell_llm_dynamic_variables: Self.variables(call)))
        let request = OutboundRequest(url: settings.baseURL + "/v2/create-phone-call",
                                      headers: [("Authorization", "Bearer \(settings.apiKey)"), ("Content-Type", "application/json")],
                                      body: body, timeout: settings.timeout, policy: policy)
        let result = await outbound.send(request)
        guard let response = result.response else { throw RetellError.unreachable(result.failure?.description ?? "no answer") }
        guard (200..<300).contains(response.status) else {
            let message = (try? JSON.decode([String: JSONValue].self, from: response.body))?["error_message"]?.scalarText
            throw RetellError.refused(status: response.status, message: message ?? String(response.text.prefix(200)))
        }
        struct Created: Decodable { let call_id: String }
        do {
            return try JSON.decode(Created.self, from: response.body).call_id
        } catch {
            throw RetellError.unreadableAnswer("\(error)")
        }
    }

    public func transfer(_ transfer: TransferRequest, updates: any CallUpdateSink) async throws {
        commands.set(.transfer(transfer), for: transfer.attemptID)
    }

    public func hangUp(attemptID: String, providerCallID: String, saying line: String, updates: any CallUpdateSink) async throws {
        commands.set(.hangUp(line), for: attemptID)
    }

    /// The agent prompt's dynamic variables (Retell takes strings only): the script, filled in for this lead.
    static func variables(_ call: CallRequest) -> [String: String] {
        let script = call.script
        return [
            "first_name": call.lead.firstName ?? "",
            "state": call.lead.state ?? "",
            "disclosures": call.disclosures.joined(separator: " "),
            "greeting": script.greeting,
            "questions": script.questions.map { "\($0.id): \($0.text)" }.joined(separator: "\n"),
            "transfer_line": script.transferLine,
            "no_agent_line": script.noAgentLine,
            "closing": script.closing,
            "opt_out_line": script.optOutLine,
        ]
    }

    // MARK: Webhooks

    /// Whether `signature` is Retell's for `body`, signed within the tolerance of now.
    public func isSigned(_ body: [UInt8], signature: String?) -> Bool {
        guard let signature, let parsed = Self.parseSignature(signature) else { return false }
        let age = abs(now().timeIntervalSince1970 - Double(parsed.millis) / 1000)
        guard age <= settings.signatureTolerance else { return false }
        let expected = Self.sign(body, key: settings.apiKey, millis: parsed.millis)
        return Digest.constantTimeEquals(Array(expected.utf8), Array(signature.trimmingCharacters(in: .whitespaces).lowercased().utf8))
    }

    static func sign(_ body: [UInt8], key: String, millis: Int64) -> String {
        "v=\(millis),d=" + Digest.hmacSHA256(key: Array(key.utf8), message: body + Array(String(millis).utf8)).hex
    }

    static func parseSignature(_ text: String) -> (millis: Int64, digest: String)? {
        var millis: Int64?, digest: String?
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return nil }
            if pair[0] == "v" { millis = Int64(pair[1]) } else if pair[0] == "d" { digest = pair[1] }
        }
        guard let millis, let digest, !digest.isEmpty else { return nil }
        return (millis, digest)
    }

    /// A webhook: checked, read, and passed on to the engine. A call Leadline did not place (no Leadline id in its
    /// metadata, such as an inbound call on the same account) is acknowledged and ignored.
    public func receiveEvent(_ body: [UInt8], signature: String?, updates: any CallUpdateSink) async throws {
        guard isSigned(body, signature: signature) else { throw HTTPError.unauthorized("the x-retell-signature header is missing, wrong or too old") }
        let event = try JSON.decode(RetellEvent.self, from: body)
        for update in event.updates() { await updates.receive(update) }
    }

    /// What the `leadline_qualify` function answers the agent.
    public struct FunctionAnswer: Encodable, Sendable, Equatable {
        /// `transfer` or `end_call`.
        public var action: String
        /// What the agent says now.
        public var say: String?
        /// For `transfer`: the line to dial (the agent's transfer tool uses this response variable).
        public var transfer_number: String?
        /// The number the line should see: the consumer's own.
        public var caller_id: String?
        /// What the buyer's agent hears before the bridge.
        public var whisper: String?

        init(_ command: CallCommands.Command?) {
            switch command {
            case .transfer(let request)?:
                self.init(action: "transfer", say: request.line, transfer_number: request.to, caller_id: request.callerID, whisper: request.whisper)
            case .hangUp(let line)?:
                self.init(action: "end_call", say: line)
            case nil:
                // Not qualified, or opted out: the agent closes with its {{closing}} or {{opt_out_line}}.
                self.init(action: "end_call")
            }
        }

        init(action: String, say: String? = nil, transfer_number: String? = nil, caller_id: String? = nil, whisper: String? = nil) {
            self.action = action; self.say = say; self.transfer_number = transfer_number; self.caller_id = caller_id; self.whisper = whisper
        }
    }

    /// The agent's `leadline_qualify` call: its answers go to the engine, whose decision is the answer. Called again
    /// after a transfer fails, it answers the next line the engine chose (or the closing).
    public func answerFunction(_ body: [UInt8], signature: String?, updates: any CallUpdateSink) async throws -> FunctionAnswer {
        guard isSigned(body, signature: signature) else { throw HTTPError.unauthorized("the x-retell-signature header is missing, wrong or too old") }
        let call = try JSON.decode(RetellFunctionCall.self, from: body)
        guard call.name == Self.functionName else {
            throw HTTPError.validation([.init(field: "name", reason: "Leadline answers the \(Self.functionName) function, not '\(call.name)'")])
        }
        guard let attemptID = call.call.leadlineCallID else { throw HTTPError.notFound("this call was not placed by Leadline") }
        if let pending = commands.take(attemptID) { return FunctionAnswer(pending) }
        await updates.receive(call.update(attemptID: attemptID))
        return FunctionAnswer(commands.take(attemptID))
    }
}
