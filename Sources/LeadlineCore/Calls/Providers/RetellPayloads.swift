import Foundation
import HTTPServer

/// Retell's call object, as its webhooks and function calls carry it (the fields Leadline reads).
struct RetellCall: Decodable, Sendable {
    struct Utterance: Decodable, Sendable {
        /// `agent`, `user`, or a tool's role.
        let role: String
        let content: String?
    }

    struct Analysis: Decodable, Sendable {
        /// The post-call analysis fields the agent is configured with (text, selector, boolean or number).
        let custom_analysis_data: [String: JSONValue]?
    }

    let call_id: String
    let metadata: [String: JSONValue]?
    let disconnection_reason: String?
    let duration_ms: Int?
    let transcript_object: [Utterance]?
    let call_analysis: Analysis?

    var leadlineCallID: String? { metadata?[RetellVoice.callIDKey]?.scalarText }

    var transcript: [TranscriptLine]? {
        guard let transcript_object, !transcript_object.isEmpty else { return nil }
        return transcript_object.compactMap { utterance in
            guard let text = utterance.content, !text.isEmpty else { return nil }
            switch utterance.role {
            case "agent": return .agent(text)
            case "user": return .consumer(text)
            default: return nil
            }
        }
    }

    var talkSeconds: Int? { duration_ms.map { ($0 + 500) / 1000 } }

    /// How a call that ended for `reason` turned out, when the reason says more than that it ended: Retell's
    /// `disconnection_reason` values (https://docs.retellai.com/reliability/debug-call-disconnect).
    static func outcome(_ reason: String) -> CallUpdate.Kind? {
        switch reason {
        case "dial_no_answer", "registered_call_timeout", "user_declined": return .noAnswer
        case "dial_busy": return .busy
        case "voicemail_reached", "machine_detected", "ivr_reached": return .voicemail
        case "user_hangup": return .hungUp
        case "dial_failed", "invalid_destination", "telephony_provider_permission_denied", "telephony_provider_unavailable",
             "sip_routing_error", "marked_as_spam", "concurrency_limit_reached", "no_concurrency_fallback", "no_valid_payment",
             "scam_detected":
            return .failed
        case _ where reason.hasPrefix("error_"): return .failed
        // agent_hangup, call_transfer, inactivity, max_duration_reached, transfer_bridged, transfer_cancelled,
        // manual_stopped, call_take_over: the call's own state says how it went.
        default: return nil
        }
    }
}

/// One webhook: `{"event": "...", "call": {...}}` (https://docs.retellai.com/features/webhook).
struct RetellEvent: Decodable, Sendable {
    let event: String
    let call: RetellCall

    /// The event in Leadline's words; none for a call Leadline did not place, or an event it has no use for
    /// (`transcript_updated`, and `transfer_started`, since Leadline chose and recorded the transfer itself).
    func updates() -> [CallUpdate] {
        guard let attemptID = call.leadlineCallID else { return [] }
        func update(_ kind: CallUpdate.Kind, reason: String? = nil) -> CallUpdate {
            CallUpdate(attemptID: attemptID, kind: kind, talkSeconds: call.talkSeconds, transcript: call.transcript, reason: reason)
        }
        switch event {
        case "call_started":
            // Sent only once the call connects.
            return [update(.answered)]
        case "call_ended":
            let reason = call.disconnection_reason
            var updates: [CallUpdate] = []
            if let reason, let kind = RetellCall.outcome(reason) { updates.append(update(kind, reason: reason)) }
            updates.append(update(.ended, reason: reason))
            return updates
        case "call_analyzed":
            var analyzed = update(.analyzed)
            analyzed.answers = call.call_analysis?.custom_analysis_data?.compactMapValues(\.scalarText)
            return [analyzed]
        case "transfer_bridged":
            return [CallUpdate(attemptID: attemptID, kind: .transferBridged)]
        case "transfer_cancelled":
            return [CallUpdate(attemptID: attemptID, kind: .transferFailed, reason: "Retell cancelled the transfer (the line did not connect)")]
        case "transfer_ended":
            return [CallUpdate(attemptID: attemptID, kind: .transferEnded)]
        default:
            return []
        }
    }
}

/// A custom function call: `{"name": "...", "call": {...}, "args": {...}}`
/// (https://docs.retellai.com/build/single-multi-prompt/custom-function). `leadline_qualify`'s arguments are
/// `answers` (question id → what the consumer said) and `opt_out` (the consumer asked not to be called again).
struct RetellFunctionCall: Decodable, Sendable {
    struct Arguments: Decodable, Sendable {
        let answers: [String: JSONValue]?
        let opt_out: Bool?
    }

    let name: String
    let call: RetellCall
    let args: Arguments

    func update(attemptID: String) -> CallUpdate {
        let answers = args.answers?.compactMapValues(\.scalarText) ?? [:]
        if args.opt_out == true {
            return CallUpdate(attemptID: attemptID, kind: .optOut, answers: answers, transcript: call.transcript,
                              reason: "the consumer asked not to be called again")
        }
        return CallUpdate(attemptID: attemptID, kind: .answers, answers: answers, transcript: call.transcript)
    }
}
