import Foundation
import HTTPServer
import LeadlineCrypto
import OutboundHTTP

/// A Twilio account (or any service speaking Twilio's Messages API) that sequences' texts leave through.
public struct TwilioSettings: Sendable, Equatable {
    public var accountSID: String
    public var authToken: String
    /// The sender: an E.164 number, or a Messaging Service's SID (`MG…`).
    public var from: String
    public var baseURL = "https://api.twilio.com"
    public var timeout: Duration = .seconds(15)

    public init(accountSID: String, authToken: String, from: String) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
    }
}

/// Sends texts with Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, a form body of
/// `To`, `From` (or `MessagingServiceSid`) and `Body`, HTTP Basic auth with the account SID and auth token; 201 with
/// the message resource (`sid`), or an error object (`code`, `message`, `more_info`, `status`).
/// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
public final class TwilioSMS: MessageSender {
    let settings: TwilioSettings
    let outbound: OutboundClient
    let policy: AddressPolicy

    public init(settings: TwilioSettings, outbound: OutboundClient, policy: AddressPolicy) {
        self.settings = settings
        self.outbound = outbound
        self.policy = policy
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unreachable(String)
        /// Twilio's refusal: its error code (21211 an invalid To, 21610 a number that replied STOP, …) and message.
        case refused(status: Int, code: Int?, message: String)
        case unreadableAnswer

        public var description: String {
            switch self {
            case .unreachable(let why): "Twilio could not be reached: \(why)"
            case .refused(let status, let code, let message): "Twilio refused the text (\(status)\(code.map { ", error \($0)" } ?? "")): \(message)"
            case .unreadableAnswer: "Twilio's answer could not be read"
            }
        }
    }

    /// Sends the text; answers Twilio's message SID.
    public func send(_ message: OutboundMessage) async throws -> String {
        let sender = settings.from.hasPrefix("MG") ? ("MessagingServiceSid", settings.from) : ("From", settings.from)
        let credentials = Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
        let request = OutboundRequest(
            url: "\(settings.baseURL)/2010-04-01/Accounts/\(settings.accountSID)/Messages.json",
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: FormBody.encode([("To", message.to), sender, ("Body", message.text)]), timeout: settings.timeout, policy: policy)
        let result = await outbound.send(request)
        guard let response = result.response else { throw Failure.unreachable(result.failure?.description ?? "no answer") }
        let answer = try? JSON.decode([String: JSONValue].self, from: response.body)
        guard (200..<300).contains(response.status) else {
            let code = answer?["code"]?.scalarText.flatMap { Int($0) }
            throw Failure.refused(status: response.status, code: code,
                                  message: answer?["message"]?.scalarText ?? String(response.text.prefix(200)))
        }
        guard let sid = answer?["sid"]?.scalarText else { throw Failure.unreadableAnswer }
        return sid
    }

    /// Whether a webhook is Twilio's: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, the full URL Twilio
    /// posted to, followed by each form field's name and value, sorted by name)).
    /// https://www.twilio.com/docs/usage/webhooks/webhooks-security
    public static func isSigned(url: String, form: FormBody, signature: String?, authToken: String) -> Bool {
        guard let signature, let given = Data(base64Encoded: signature) else { return false }
        let sorted = form.fields.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let payload = url + sorted.map { $0.name + $0.value }.joined()
        return Digest.constantTimeEquals(Array(given), Digest.hmacSHA1(key: Array(authToken.utf8), message: Array(payload.utf8)))
    }
}
