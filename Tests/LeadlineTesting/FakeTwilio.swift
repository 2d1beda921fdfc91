import Foundation
import HTTPServer
import Synchronization

/// A local stand-in for Twilio's Messages API, speaking its documented wire format: `POST
/// /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth (account SID, auth token) and a form body
/// (`To`, `From` or `MessagingServiceSid`, `Body`); 201 with the message resource, or Twilio's error object. Its
/// test number +15005550001 is refused as invalid (error 21211), as Twilio's test credentials do. Inbound texts are
/// signed for the test by Python's standard library (an implementation independent of Leadline's).
/// https://www.twilio.com/docs/messaging/api/message-resource, https://www.twilio.com/docs/iam/test-credentials,
/// https://www.twilio.com/docs/usage/webhooks/webhooks-security
public final class FakeTwilio: @unchecked Sendable {
    public let accountSID = "AC" + String(repeating: "0123456789abcdef", count: 2)
    public let authToken = "twilio-auth-token-0123456789abcd"
    public let server: RawServer
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// A text the fake was asked to send.
    public struct Sent: Sendable {
        public let sid: String
        public let fields: [String: String]
    }

    private final class State: Sendable {
        let sent = Mutex<[Sent]>([])
        let rejectedCredentials = Atomic<Int>(0)
    }
    private let state = State()

    public init() throws {
        let state = self.state, sid = accountSID, token = authToken
        server = try RawServer(maxBodyBytes: 1 << 16) { router in
            router.add(.POST, "/2010-04-01/Accounts/{sid}/Messages.json", accepts: ["application/x-www-form-urlencoded"]) { request in
                func error(_ status: Int, _ code: Int, _ message: String) -> Response {
                    let body: [String: Any] = ["code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/\(code)",
                                               "status": status]
                    return .text(String(decoding: try! JSONSerialization.data(withJSONObject: body), as: UTF8.self), status: status,
                                 contentType: "application/json")
                }
                let expected = "Basic " + Data("\(sid):\(token)".utf8).base64EncodedString()
                guard request.headers["Authorization"] == expected, request.parameters["sid"] == sid else {
                    state.rejectedCredentials.add(1, ordering: .relaxed)
                    return error(401, 20003, "Authenticate")
                }
                let form = FormBody(urlEncoded: request.body)
                guard let to = form["To"], let body = form["Body"], form["From"] != nil || form["MessagingServiceSid"] != nil else {
                    return error(400, 21604, "A 'To' phone number, a 'From' or 'MessagingServiceSid', and a 'Body' are required.")
                }
                if to == "+15005550001" { return error(400, 21211, "The 'To' number \(to) is not a valid phone number.") }
                let messageSID = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                state.sent.withLock { $0.append(Sent(sid: messageSID, fields: Dictionary(form.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }))) }
                let answer: [String: Any] = ["sid": messageSID, "account_sid": sid, "to": to, "from": form["From"] ?? NSNull(),
                                             "messaging_service_sid": form["MessagingServiceSid"] ?? NSNull(), "body": body,
                                             "status": "queued", "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
                                             "uri": "/2010-04-01/Accounts/\(sid)/Messages/\(messageSID).json"]
                return .text(String(decoding: try! JSONSerialization.data(withJSONObject: answer), as: UTF8.self), status: 201,
                             contentType: "application/json")
            }
        }
    }

    public var sent: [Sent] { state.sent.withLock { $0 } }
    public var rejectedCredentials: Int { state.rejectedCredentials.load(ordering: .relaxed) }

    /// `X-Twilio-Signature` for a webhook Twilio posts to `url` with `fields`, as Python computes it.
    public func signature(url: String, fields: [(String, String)], token: String? = nil) throws -> String {
        let payload = url + fields.sorted { $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        return try python("import base64, hmac, hashlib, sys; print(base64.b64encode(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha1).digest()).decode())",
                          [token ?? authToken], input: Array(payload.utf8))
    }
}
