import HTTPServer
import LeadlineCore

extension OpenAPI {
    /// JSON Schema (2020-12, as OpenAPI 3.1 uses it) written compactly.
    enum Schema {
        static let string: JSONValue = ["type": "string"]
        static let integer: JSONValue = ["type": "integer"]
        static let number: JSONValue = ["type": "number"]
        static let boolean: JSONValue = ["type": "boolean"]
        static let cents: JSONValue = ["type": "integer", "description": "An amount in cents."]
        static let timestamp: JSONValue = ["type": "string", "format": "date-time", "description": "RFC 3339, UTC."]
        static let date: JSONValue = ["type": "string", "format": "date", "description": "A calendar day, `2026-04-22`."]
        static let uuid: JSONValue = ["type": "string", "format": "uuid"]
        static let email: JSONValue = ["type": "string", "format": "email", "maxLength": 254]
        static let url: JSONValue = ["type": "string", "format": "uri", "description": "An http(s) URL."]
        static let phone: JSONValue = [
            "type": "string", "maxLength": 40,
            "description": "A US number: `5551234567`, `(555) 123-4567`, `+1 555-123-4567` and `1-555-123-4567` all work; stored and shown as E.164.",
        ]
        static let state: JSONValue = ["type": "string", "pattern": "^[A-Za-z]{2}$", "description": "A US state's two-letter code, or DC."]
        static let zip: JSONValue = ["type": "string", "pattern": "^[0-9]{5}(-?[0-9]{4})?$", "description": "5 digits, or 5+4."]
        static let anyObject: JSONValue = ["type": "object"]
        static let leadStatus = enumeration(LeadStatus.allCases.map(\.rawValue), "The lead's state; see the lifecycle in the README.")
        static let scopes: JSONValue = ["type": "array", "items": enumeration(Scope.allCases.map(\.rawValue))]
        static let hours: JSONValue = [
            "type": "object", "description": "Hours by weekday (`mon` … `sun`), in the object's time zone; a day left out is closed.",
            "additionalProperties": object(["start": ["type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"],
                                            "end": ["type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"]], required: ["start", "end"]),
        ]
        static let text = string
        /// A yes/no query parameter.
        static let flag = enumeration(["true", "false", "1", "0", "yes", "no"])

        static func text(_ description: String, max: Int? = nil) -> JSONValue {
            var schema: [String: JSONValue] = ["type": "string"]
            if !description.isEmpty { schema["description"] = .string(description) }
            if let max { schema["maxLength"] = .integer(max) }
            return .object(schema)
        }

        static func integer(_ description: String, minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
            var schema: [String: JSONValue] = ["type": "integer"]
            if !description.isEmpty { schema["description"] = .string(description) }
            if let minimum { schema["minimum"] = .integer(minimum) }
            if let maximum { schema["maximum"] = .integer(maximum) }
            return .object(schema)
        }

        static func enumeration(_ values: [String], _ description: String? = nil) -> JSONValue {
            var schema: [String: JSONValue] = ["type": "string", "enum": .array(values.map { .string($0) })]
            if let description { schema["description"] = .string(description) }
            return .object(schema)
        }

        static func id(_ prefix: String) -> JSONValue {
            ["type": "string", "description": .string("An id, `\(prefix)…`.")]
        }

        /// `schema`, or an empty string: a query filter left empty (as an HTML form sends it) filters nothing.
        static func orEmpty(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["const": ""]]] }

        static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

        static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

        /// `schema` or `null`.
        static func nullable(_ schema: JSONValue) -> JSONValue {
            if case .object(var members) = schema, case .string(let type)? = members["type"] {
                members["type"] = [.string(type), "null"]
                return .object(members)
            }
            return ["anyOf": [schema, ["type": "null"]]]
        }

        /// An object with these members; `nullable` names members that may be `null`.
        static func object(_ properties: [String: JSONValue], required: [String] = [], nullable names: [String] = [],
                           description: String? = nil) -> JSONValue {
            var members = properties
            for name in names { members[name] = members[name].map(Schema.nullable) }
            var schema: [String: JSONValue] = ["type": "object", "properties": .object(members)]
            if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
            if let description { schema["description"] = .string(description) }
            return .object(schema)
        }

        /// A list answer: `{"items": [...]}` plus the named members.
        static func page(_ item: JSONValue, _ extra: [String: JSONValue] = [:], nullable names: [String] = []) -> JSONValue {
            var members = extra
            members["items"] = array(item)
            return object(members, required: ["items"], nullable: names)
        }
    }

    /// Shared shapes, under `#/components/schemas`.
    static var components: [String: JSONValue] {
        typealias S = Schema
        let fieldError = S.object(["field": S.string, "reason": S.string], required: ["field", "reason"])
        return [
            "Error": S.object([
                "error": S.object(["code": S.text("A stable code: `invalid`, `not_found`, `conflict`, …"),
                                   "message": S.text("What went wrong, for a person."),
                                   "fields": S.array(fieldError)], required: ["code", "message"]),
            ], required: ["error"]),
            "ScoreReason": S.object(["rule": S.string, "points": S.integer, "detail": S.string], required: ["rule", "points", "detail"]),
            "LeadEvent": S.object([
                "at": S.timestamp, "actor": S.text("`key:<id>`, `admin:<email>`, `system`, …"), "kind": S.string,
                "from_status": S.string, "to_status": S.string,
                "detail": ["type": "object", "additionalProperties": S.string],
            ], required: ["at", "actor", "kind"], nullable: ["from_status", "to_status"]),
            "ConsentCertificate": S.object([
                "id": S.id("cert_"), "consent_type": S.string, "channel": S.string, "mechanism": S.string,
                "consent_text": S.string, "consent_text_version": S.string, "page_url": S.string, "ip_address": S.string,
                "user_agent": S.string, "consented_at": S.timestamp, "created_at": S.timestamp,
                "hash": S.text("`sha256:<hex>` over the certificate's canonical content, chained to the tenant's previous one."),
                "is_active": S.boolean, "revoked_at": S.timestamp,
            ], required: ["id", "consented_at", "hash", "is_active"],
               nullable: ["mechanism", "consent_text", "consent_text_version", "page_url", "ip_address", "user_agent", "revoked_at"]),
            "Call": S.object([
                "id": S.string, "campaign_id": S.string, "attempt": S.integer, "provider": S.string, "provider_call_id": S.string,
                "from_number": S.string, "to_number": S.string, "status": S.string, "outcome": S.string,
                "compliance": S.anyObject, "disclosures": S.array(S.string),
                "answers": ["type": "object", "additionalProperties": S.string],
                "transcript": S.array(S.object(["speaker": S.string, "text": S.string])),
                "end_reason": S.string, "ring_seconds": S.integer, "talk_seconds": S.integer, "created_at": S.timestamp,
                "answered_at": S.timestamp, "ended_at": S.timestamp,
            ], required: ["id", "attempt", "provider", "to_number", "status", "created_at"],
               nullable: ["campaign_id", "provider_call_id", "from_number", "outcome", "end_reason", "ring_seconds", "talk_seconds",
                          "answered_at", "ended_at"]),
            "Transfer": S.object([
                "id": S.string, "lead_id": S.uuid, "call_id": S.string, "destination_id": S.string, "buyer_id": S.string,
                "destination_phone": S.string, "caller_id": S.string, "status": S.string, "failure": S.string,
                "price_cents": S.integer, "started_at": S.timestamp, "bridged_at": S.timestamp, "ended_at": S.timestamp,
                "duration_seconds": S.integer, "revenue_cents": S.integer, "postback_id": S.string,
            ], required: ["id", "lead_id", "call_id", "destination_id", "status", "started_at"],
               nullable: ["buyer_id", "failure", "price_cents", "bridged_at", "ended_at", "duration_seconds", "revenue_cents", "postback_id"]),
            "DialerStanding": S.object([
                "status": S.enumeration(["waiting", "calling", "done"], "Waiting for its next call, on a call, or done with."),
                "next_attempt_at": S.timestamp, "reason": S.string, "attempts": S.integer,
            ], required: ["status", "next_attempt_at", "attempts"], nullable: ["reason"],
               description: "Where the lead stands with the dialer: when it may be called next and why not sooner (a state's calling hours, a cap), or why it is done."),
            "Postback": S.object([
                "id": S.string, "matched": S.boolean, "transfer_id": S.string, "match_method": S.string, "matched_at": S.timestamp,
                "caller_id": S.string, "duration_seconds": S.integer, "buyer": S.string, "revenue_cents": S.integer,
                "platform_call_id": S.string, "echoed_id": S.string,
                "fields": ["type": "object", "additionalProperties": S.string, "description": "Every field the call platform sent."],
                "received_at": S.timestamp,
            ], required: ["id", "matched", "fields", "received_at"],
               nullable: ["transfer_id", "match_method", "matched_at", "caller_id", "duration_seconds", "buyer", "revenue_cents",
                          "platform_call_id", "echoed_id"]),
            "ConsentInput": S.object([
                "consent_type": S.enumeration(["tcpa_express_written", "tcpa_express", "prior_express_written", "opt_in", "other"],
                                              "What kind of consent was given (default `tcpa_express_written`)."),
                "consent_text": S.text("The words the consumer agreed to.", max: 10_000),
                "ip_address": S.text("The consumer's IP address.", max: 64),
                "page_url": S.text("Where the consent was given.", max: 2048),
                "user_agent": S.text("The consumer's browser.", max: 1024),
                "channel": S.text("Where consent was given (`web` unless told).", max: 32),
                "consented_at": S.timestamp,
            ], description: "What was shown and where; a lead with it gets a consent certificate. `consent_text` (or, in lead2inbound, `consent_text_version`) is required as proof."),
            "ResponseRule": S.object([
                "type": S.enumeration(["http_status", "json_path", "regex"]),
                "accept_statuses": S.array(S.integer), "accept_path": S.string, "accept_values": S.array(S.string),
                "price_path": S.string, "reason_path": S.string, "accept_pattern": S.string, "price_pattern": S.string,
                "reason_pattern": S.string, "price_unit": S.enumeration(["cents", "dollars"]),
            ], required: ["type"], description: "How a live buyer's answer is read: by HTTP status, JSON paths, or regular expressions with one capture group."),
            "Lead2InboundLead": S.object([
                "lead_id": S.uuid, "status": S.leadStatus, "ineligible_reason": S.string, "phone": S.string,
                "first_name": S.string, "last_name": S.string, "email": S.string, "state": S.string, "zip_code": S.string,
                "source": S.string, "score": S.integer, "consent_certificate_id": S.string,
                "created_at": S.timestamp, "updated_at": S.timestamp,
            ], required: ["lead_id", "status", "phone", "score", "created_at"],
               nullable: ["ineligible_reason", "first_name", "last_name", "email", "state", "zip_code", "source", "consent_certificate_id"]),
            "Key": S.object([
                "id": S.string, "key": S.text("The key itself: only in the answer that creates it."), "name": S.string,
                "prefix": S.text("The key's first characters, to recognise it."), "tenant": S.string, "scopes": S.scopes,
                "rate_limit_per_minute": S.integer, "created_at": S.timestamp, "last_used_at": S.timestamp, "revoked_at": S.timestamp,
            ], required: ["id", "name", "prefix", "tenant", "scopes", "rate_limit_per_minute", "created_at"],
               nullable: ["last_used_at", "revoked_at"]),
            "Import": S.object([
                "id": S.string, "status": S.enumeration(["queued", "running", "done", "failed"]), "file_name": S.string,
                "bytes": S.integer, "bytes_done": S.integer, "progress": S.number, "rows": S.integer, "created": S.integer,
                "duplicate": S.integer, "rejected": S.integer, "error": S.string, "created_at": S.timestamp,
                "started_at": S.timestamp, "finished_at": S.timestamp, "rejects_url": S.string,
            ], required: ["id", "status", "rows", "created", "duplicate", "rejected", "rejects_url"],
               nullable: ["error", "started_at", "finished_at"]),
        ].merging(exchangeComponents) { current, _ in current }
            .merging(billingComponents) { current, _ in current }
            .merging(callComponents) { current, _ in current }
            .merging(complianceComponents) { current, _ in current }
            .merging(outreachComponents) { current, _ in current }
    }
}
