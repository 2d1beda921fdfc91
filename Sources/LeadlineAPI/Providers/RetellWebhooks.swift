import HTTPServer
import LeadlineCore

/// Where Retell reaches Leadline, when it is the voice provider: its webhooks (set as the agent's webhook URL) and
/// the agent's `leadline_qualify` custom function. Both are signed with the Retell API key; an unsigned, wrongly
/// signed or stale request is a 401 and changes nothing.
extension Routes {
    static let retellEventsPath = "/v1/voice/retell/events"
    static let retellFunctionsPath = "/v1/voice/retell/functions"

    mutating func addRetell(_ retell: RetellVoice, calls: Calls) {
        addAsync(.POST, Self.retellEventsPath, access: .open, maxBodyBytes: 4 << 20) { request in
            try await retell.receiveEvent(request.body, signature: request.headers[RetellVoice.signatureHeader], updates: calls)
            return .text("", status: 204)
        }
        addAsync(.POST, Self.retellFunctionsPath, access: .open, maxBodyBytes: 4 << 20) { request in
            try .json(try await retell.answerFunction(request.body, signature: request.headers[RetellVoice.signatureHeader], updates: calls))
        }
    }
}
