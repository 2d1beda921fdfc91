import Foundation
import HTTPServer
import LeadlineCore

/// lead2inbound's revenue postback, as the quickstart shows it: `GET` (or `POST`, form or JSON)
/// `/v1/postbacks/calls?token=…&caller_id=…&duration=…&buyer=…&payout=…`. The token is the tenant's private postback
/// token; a missing or wrong one is a 401 and nothing is stored. Any hit with the right token is kept: matched to
/// its transfer, or waiting for review; fields that could not be read are listed as warnings.
extension Routes {
    mutating func addPostbacks(_ postbacks: Postbacks) {
        for method in [HTTPMethod.GET, .POST] {
            addAsync(method, "/v1/postbacks/calls", access: .open, maxBodyBytes: 64 * 1024, accepts: []) { request in
                var fields = request.query.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
                fields += try Self.postbackBodyFields(request)
                guard let token = fields.first(where: { $0.name.lowercased() == "token" })?.value, !token.isEmpty else {
                    throw HTTPError.unauthorized("the postback URL needs its token: ?token=… (leadline postback-url, or Settings → Destinations → Revenue postbacks)")
                }
                guard let tenantID = try postbacks.tenant(forToken: token) else {
                    throw HTTPError.unauthorized("this postback token is not valid (it may have been rotated)")
                }
                let reported = fields.filter { $0.name.lowercased() != "token" }
                guard !reported.isEmpty else {
                    throw HTTPError.validation([.init(field: "caller_id", reason: "a postback needs the call's fields: caller_id, duration, buyer, payout or payout_cents, call_id")])
                }
                let receipt = try await postbacks.receive(tenantID: tenantID, fields: reported)
                struct Answer: Encodable {
                    let status: String, postback_id: String, matched: Bool, duplicate: Bool
                    @Nullable var transfer_id: String?
                    @Nullable var revenue_cents: Int?
                    let warnings: [HTTPError.FieldError]
                }
                let postback = receipt.postback
                return try .json(Answer(status: receipt.duplicate ? "duplicate" : postback.transferID == nil ? "unmatched" : "matched",
                                        postback_id: postback.id, matched: postback.transferID != nil, duplicate: receipt.duplicate,
                                        transfer_id: postback.transferID, revenue_cents: postback.revenueCents,
                                        warnings: receipt.problems.map { .init(field: $0.field, reason: $0.reason) }))
            }
        }
    }

    /// The fields of a `POST` body: a form, or a JSON object whose values are strings, numbers or booleans.
    static func postbackBodyFields(_ request: Request) throws -> [(name: String, value: String)] {
        guard request.hasBody else { return [] }
        let media = request.mediaType ?? ""
        if media == "application/json" || request.body.first == UInt8(ascii: "{") {
            guard case .object(let members) = try JSON.decode(JSONValue.self, from: request.body) else {
                throw HTTPError.malformedJSON("a JSON postback must be an object of fields")
            }
            return members.sorted { $0.key < $1.key }.compactMap { key, value in value.scalarText.map { (key, $0) } }
        }
        return FormBody(urlEncoded: request.body).fields
    }
}
