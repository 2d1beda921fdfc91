import Foundation
import HTTPServer
import Synchronization

/// A local stand-in for Retell AI, speaking its documented wire format: `POST /v2/create-phone-call` (Bearer API key;
/// 201 with the call object, `call_status: "registered"`), and, driven by the test, the webhooks and custom function
/// calls Retell would send, signed `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(key, body + ms)>` by Python's
/// standard library (an implementation independent of Leadline's).
/// https://docs.retellai.com/api-references/create-phone-call, https://docs.retellai.com/features/webhook,
/// https://docs.retellai.com/features/secure-webhook, https://docs.retellai.com/build/single-multi-prompt/custom-function
public final class FakeRetell: @unchecked Sendable {
    public let apiKey: String
    public let server: RawServer
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// A call the fake was asked to place: the request's JSON, and the id it answered.
    public struct PlacedCall: @unchecked Sendable {
        public let callID: String
        public let request: [String: Any]
        public var metadata: [String: Any] { request["metadata"] as? [String: Any] ?? [:] }
        public var variables: [String: String] { request["retell_llm_dynamic_variables"] as? [String: String] ?? [:] }
    }

    private final class State: Sendable {
        let calls = Mutex<[PlacedCall]>([])
        let refusal = Mutex<(status: Int, message: String)?>(nil)
        let rejectedKeys = Atomic<Int>(0)
    }
    private let state = State()

    public init(apiKey: String = "key_0123456789abcdef0123456789ab") throws {
        self.apiKey = apiKey
        let state = self.state
        server = try RawServer(maxBodyBytes: 1 << 20) { router in
            router.add(.POST, "/v2/create-phone-call") { request in
                guard request.headers["Authorization"] == "Bearer \(apiKey)" else {
                    state.rejectedKeys.add(1, ordering: .relaxed)
                    return .text(#"{"error_message":"Unauthorized"}"#, status: 401, contentType: "application/json")
                }
                if let refusal = state.refusal.withLock({ $0 }) {
                    return .text(#"{"error_message":"\#(refusal.message)"}"#, status: refusal.status, contentType: "application/json")
                }
                guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                      let to = body["to_number"] as? String, let from = body["from_number"] as? String else {
                    return .text(#"{"error_message":"from_number and to_number are required"}"#, status: 400, contentType: "application/json")
                }
                let callID = "call_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(28)
                state.calls.withLock { $0.append(PlacedCall(callID: callID, request: body)) }
                var answer: [String: Any] = ["call_type": "phone_call", "call_id": callID, "call_status": "registered", "direction": "outbound",
                                             "from_number": from, "to_number": to, "agent_id": body["override_agent_id"] ?? "agent_default",
                                             "agent_version": 1, "telephony_identifier": ["twilio_call_sid": "CA" + String(callID.suffix(20))]]
                answer["metadata"] = body["metadata"]
                answer["retell_llm_dynamic_variables"] = body["retell_llm_dynamic_variables"]
                let data = try! JSONSerialization.data(withJSONObject: answer)
                return .text(String(decoding: data, as: UTF8.self), status: 201, contentType: "application/json")
            }
        }
    }

    public var calls: [PlacedCall] { state.calls.withLock { $0 } }
    /// Requests refused for a wrong or missing key.
    public var rejectedKeys: Int { state.rejectedKeys.load(ordering: .relaxed) }

    /// Answers the next create-phone-call requests with this error (nil: accept again).
    public func refuse(_ status: Int?, message: String = "") {
        state.refusal.withLock { $0 = status.map { ($0, message) } }
    }

    /// The call object Retell's webhooks carry for `placed` (fields from its Get Call API).
    public func callObject(_ placed: PlacedCall, status: String, disconnection: String? = nil, durationMs: Int? = nil,
                           transcript: [(role: String, content: String)] = [], analysis: [String: Any]? = nil) -> [String: Any] {
        let start = Int64(Date().timeIntervalSince1970 * 1000) - Int64(durationMs ?? 0)
        var call: [String: Any] = [
            "call_type": "phone_call", "call_id": placed.callID, "agent_id": placed.request["override_agent_id"] ?? "agent_default",
            "call_status": status, "direction": "outbound",
            "from_number": placed.request["from_number"] ?? "", "to_number": placed.request["to_number"] ?? "",
            "metadata": placed.metadata, "retell_llm_dynamic_variables": placed.variables, "start_timestamp": start,
            "transcript": transcript.map { "\($0.role == "agent" ? "Agent" : "User"): \($0.content)" }.joined(separator: "\n"),
            "transcript_object": transcript.map { ["role": $0.role, "content": $0.content, "words": [] as [Any]] },
        ]
        if let durationMs { call["duration_ms"] = durationMs; call["end_timestamp"] = start + Int64(durationMs) }
        if let disconnection { call["disconnection_reason"] = disconnection }
        if let analysis { call["call_analysis"] = analysis }
        return call
    }

    /// A webhook body: `{"event": ..., "call": ...}`, with the transfer events' extra fields.
    public func event(_ name: String, _ call: [String: Any], extra: [String: Any] = [:]) -> [UInt8] {
        var body: [String: Any] = ["event": name, "call": call]
        for (key, value) in extra { body[key] = value }
        return Array(try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }

    /// A custom function call body: `{"name": ..., "call": ..., "args": ...}`.
    public func functionCall(_ name: String, _ call: [String: Any], args: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: ["name": name, "call": call, "args": args], options: [.sortedKeys]))
    }

    /// `x-retell-signature` for `body`, signed at `time` with `key` (the fake's own API key by default).
    public func signature(_ body: [UInt8], at time: Date = Date(), key: String? = nil) throws -> String {
        let millis = String(Int64(time.timeIntervalSince1970 * 1000))
        return "v=\(millis),d=" + (try pythonHMACSHA256(secret: key ?? apiKey, body: body + Array(millis.utf8)))
    }
}
