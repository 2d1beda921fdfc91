import HTTPServer
import LeadlineCore

/// Where Twilio delivers texts consumers send to the sender number (set as the number's "A message comes in"
/// webhook): signed with the auth token over the URL Twilio posted to, which is `publicURL` + the path. An unsigned
/// or wrongly signed request is a 403 and changes nothing. The answer is TwiML: a reply, or none.
extension Routes {
    static let twilioInboundPath = "/v1/sms/twilio/inbound"

    mutating func addTwilio(_ settings: TwilioSettings, publicURL: String, texts: InboundTexts) {
        let url = publicURL + Self.twilioInboundPath
        addAsync(.POST, Self.twilioInboundPath, access: .open, maxBodyBytes: 64 << 10,
                 accepts: ["application/x-www-form-urlencoded"]) { request in
            let form = try request.form()
            guard TwilioSMS.isSigned(url: url, form: form, signature: request.headers["X-Twilio-Signature"], authToken: settings.authToken) else {
                throw HTTPError(status: 403, code: "bad_signature", message: "X-Twilio-Signature does not match this request")
            }
            guard let from = form["From"] else {
                throw HTTPError(status: 400, code: "validation_error", message: "From is required", fields: [.init(field: "From", reason: "is required")])
            }
            let handled = try await texts.receive(from: from, body: form["Body"] ?? "")
            let message = handled.reply.map { "<Message>\(HTMLEscaping.escape($0))</Message>" } ?? ""
            return .text(#"<?xml version="1.0" encoding="UTF-8"?><Response>\#(message)</Response>"#, contentType: "text/xml; charset=utf-8")
        }
    }
}
