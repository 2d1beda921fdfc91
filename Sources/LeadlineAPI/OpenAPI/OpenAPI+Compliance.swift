import HTTPServer
import LeadlineCore

/// Consent certificates, the outreach gate, state rules, do-not-call lists, blackout days and the webhook tester.
extension OpenAPI {
    static var complianceComponents: [String: JSONValue] {
        let hours = S.object(["start": S.string, "end": S.string], required: ["start", "end"])
        let schedule = S.object(["weekday": S.nullable(hours), "saturday": S.nullable(hours), "sunday": S.nullable(hours),
                                 "holidays": S.enumeration(["as_usual", "no_calls", "hours"]), "holiday_hours": S.nullable(hours)])
        return [
            "StateRules": S.object([
                "state": S.string, "name": S.string,
                "calling_hours": S.object(["start": S.string, "end": S.string, "timezone": S.string]),
                "timezones": S.array(S.string), "schedule": schedule, "artificial_voice_schedule": S.nullable(schedule),
                "holidays": S.array(S.object(["date": S.date, "name": S.string])),
                "two_party_consent": S.boolean, "telemarketing_registration_required": S.boolean, "mini_tcpa": S.boolean,
                "state_dnc_list": S.boolean,
                "call_caps": S.array(S.object(["limit": S.integer, "hours": S.integer, "artificial_voice_only": S.boolean])),
                "additional_restrictions": S.array(S.string), "sources": S.array(S.string), "rules_version": S.string,
            ], required: ["state", "name", "calling_hours", "schedule", "rules_version"],
               description: "A state's calling rules, with the sources they come from."),
            "DNCEntry": S.object([
                "phone": S.string, "reason": S.string, "channel": S.string, "added_by": S.string, "added_at": S.timestamp,
            ], required: ["phone", "channel", "added_by", "added_at"], nullable: ["reason"]),
            "Blackout": S.object([
                "id": S.string, "state": S.string, "starts_on": S.date, "ends_on": S.date, "reason": S.string, "actor": S.string,
                "created_at": S.timestamp,
            ], required: ["id", "starts_on", "ends_on", "reason"], nullable: ["state"]),
        ]
    }

    static var compliance: [Operation] {
        let certificateRef = S.object(["certificate_id": S.id("cert_"), "reason": S.text("Why (revoking).", max: 500)],
                                      required: ["certificate_id"])
        let summary = S.object(["id": S.string, "consent_type": S.string, "channel": S.string, "created_at": S.timestamp,
                                "is_active": S.boolean])
        let channels = Routes.channelNames.keys.sorted()
        return [
            Operation(.POST, "/api/v1/compliance/record-consent", "Compliance", "Record a consent certificate",
                      description: "The certificate's SHA-256 covers its canonical content and the tenant's previous certificate, so a later edit is detectable.",
                      body: ["allOf": [S.ref("ConsentInput"), S.object([
                          "lead_id": S.uuid, "mechanism": S.text("How consent was given: `checkbox`, `signature`, …", max: 64),
                          "consent_text_version": S.text("", max: 200),
                      ])]],
                      answers: [.init(status: 201, description: "Recorded.", schema: S.object([
                          "certificate_id": S.id("cert_"), "created_at": S.timestamp, "hash": S.string,
                      ], required: ["certificate_id", "created_at", "hash"]))],
                      idempotent: true),
            Operation(.POST, "/api/v1/compliance/verify-consent", "Compliance", "Verify a certificate: valid, not revoked, hash and chain intact",
                      body: certificateRef,
                      answers: [.init(status: 200, description: "The verdict.", schema: S.object([
                          "valid": S.boolean, "reason": S.nullable(S.text("Why not: `revoked`, or `tampered: …` naming what no longer matches.")),
                          "certificate": summary,
                      ], required: ["valid", "certificate"]))]),
            Operation(.POST, "/api/v1/compliance/revoke-consent", "Compliance", "Revoke a certificate: the consumer withdrew consent",
                      description: "The lead's number also goes on the internal do-not-call list.",
                      body: certificateRef,
                      answers: [.init(status: 200, description: "Revoked.", schema: S.object([
                          "certificate_id": S.string, "is_active": S.boolean, "revoked_at": S.nullable(S.timestamp),
                      ], required: ["certificate_id", "is_active"]))]),
            Operation(.POST, "/api/v1/compliance/check-outreach", "Compliance", "May this number be contacted now, on this channel?",
                      description: "Consent, federal/state/internal do-not-call lists, state calling hours in the consumer's local time, holidays, blackout days and call caps. Unless `dry_run`, an allowed call is counted against the caps.",
                      body: S.object([
                          "phone": S.phone, "state": S.state, "channel": S.enumeration(channels),
                          "campaign_type": S.text("", max: 100), "has_consent": S.boolean, "lead_id": S.uuid,
                          "certificate_id": S.id("cert_"), "dry_run": S.boolean,
                      ], required: ["phone"]),
                      answers: [.init(status: 200, description: "The decision and each check.", schema: S.object([
                          "allowed": S.boolean, "checks": ["type": "object", "additionalProperties": S.enumeration(["pass", "fail"])],
                          "warnings": S.array(S.string), "reasons": S.array(S.object(["check": S.string, "reason": S.string])),
                          "states": S.array(S.string), "local_times": S.array(S.string), "attempt_id": S.nullable(S.string),
                          "rules_version": S.string,
                      ], required: ["allowed", "checks", "reasons"]))]),
            Operation(.GET, "/api/v1/compliance/rules", "Compliance", "Every state's calling rules",
                      answers: [.init(status: 200, description: "By state code.", schema: S.object([
                          "states": ["type": "object", "additionalProperties": S.ref("StateRules")], "total": S.integer,
                          "rules_version": S.string,
                      ], required: ["states", "total", "rules_version"]))]),
            Operation(.GET, "/api/v1/compliance/rules/{state}", "Compliance", "One state's calling rules",
                      query: [.init(name: "year", schema: S.integer("", minimum: 1970, maximum: 2200), description: "Holidays of this year (default this one).")],
                      answers: [.init(status: 200, description: "The rules.", schema: S.ref("StateRules"))]),
            Operation(.POST, "/api/v1/compliance/dnc-check", "Compliance", "Is this number on a do-not-call list?",
                      body: S.object(["phone": S.phone, "state": S.state], required: ["phone"]),
                      answers: [.init(status: 200, description: "Each list's answer.", schema: S.object([
                          "on_dnc": S.boolean,
                          "checks": S.object(["federal_dnc": S.boolean, "state_dnc": S.boolean, "internal_dnc": S.boolean]),
                          "state_lists": S.array(S.string),
                      ], required: ["on_dnc", "checks"]))]),
            Operation(.POST, "/api/v1/compliance/dnc", "Compliance", "Add a number to the internal do-not-call list",
                      body: S.object(["phone": S.phone, "reason": S.text("", max: 500),
                                      "channel": S.text("How the request came: `api` unless told (`sms`, `email`, `phone`, …).", max: 40)],
                                     required: ["phone"]),
                      answers: [.init(status: 201, description: "Added.", schema: S.ref("DNCEntry")),
                                .init(status: 200, description: "Already on the list.", schema: S.ref("DNCEntry"))],
                      idempotent: true),
            Operation(.GET, "/api/v1/compliance/dnc", "Compliance", "The internal do-not-call list, or one number on it",
                      query: [.init(name: "phone", schema: S.phone, description: "Look up this number (404 when it is not listed)."),
                              .init(name: "limit", schema: S.integer("", minimum: 1, maximum: 1000), description: "How many (default 100)."),
                              .init(name: "before", schema: S.string, description: "`next_before` of the previous page.")],
                      answers: [.init(status: 200, description: "A page, or the one entry.", schema: ["oneOf": [
                          S.page(S.ref("DNCEntry"), ["next_before": S.string], nullable: ["next_before"]), S.ref("DNCEntry"),
                      ]])],
                      refusals: [404: "The number is not on the list."]),
            Operation(.DELETE, "/api/v1/compliance/dnc/{phone}", "Compliance", "Take a number off the internal list (admin)",
                      answers: [.init(status: 204, description: "Removed.")]),
            Operation(method: .POST, path: "/api/v1/compliance/dnc/import", tag: "Compliance",
                      summary: "Load a federal or state do-not-call registry file (admin)",
                      description: "The registry's file, unzipped, as the body: one number per line. `kind=full` replaces the area codes in the file; `changes` applies a change list.",
                      query: [.init(name: "list", schema: S.enumeration(["federal", "state"]), description: "Which list (default federal)."),
                              .init(name: "state", schema: S.state, description: "For a state list."),
                              .init(name: "kind", schema: S.enumeration(["full", "changes"]), description: "Default full."),
                              .init(name: "file_name", schema: S.text("", max: 255), description: "The file's name, for the record.")],
                      body: Body(contentTypes: ["text/plain", "text/csv"], schema: S.string),
                      answers: [.init(status: 200, description: "What was loaded.", schema: S.object([
                          "id": S.string, "list": S.string, "kind": S.string, "lines": S.integer, "added": S.integer,
                          "deleted": S.integer, "rejected": S.integer,
                          "rejected_lines": S.array(S.object(["line": S.integer, "reason": S.string])),
                          "area_codes": S.integer, "list_size": S.integer,
                      ], required: ["id", "list", "kind", "lines", "added"]))]),
            Operation(.GET, "/api/v1/compliance/blackouts", "Compliance", "Blackout days now and to come",
                      answers: [.init(status: 200, description: "Every blackout.", schema: S.page(S.ref("Blackout")))]),
            Operation(.POST, "/api/v1/compliance/blackouts", "Compliance", "Declare blackout days: no calls or texts (admin)",
                      body: S.object(["state": S.nullable(S.state), "starts_on": S.date, "ends_on": S.date,
                                      "reason": S.text("", max: 500)], required: ["starts_on", "ends_on", "reason"]),
                      answers: [.init(status: 201, description: "Declared.", schema: S.ref("Blackout"))]),
            Operation(.DELETE, "/api/v1/compliance/blackouts/{id}", "Compliance", "Remove a blackout (admin)",
                      answers: [.init(status: 204, description: "Removed.")]),
            Operation(.POST, "/api/v1/webhook-test/send", "Webhooks", "Send a signed sample webhook to a URL",
                      description: "Limited per caller address; private and loopback addresses are refused unless the server allows them.",
                      body: S.object(["url": S.url, "secret": S.text("Signs the payload (`X-Signature: sha256=…`).")],
                                     required: ["url"]),
                      answers: [.init(status: 200, description: "What the receiver answered.", schema: S.object([
                          "status_code": S.nullable(S.integer), "response_body": S.nullable(S.string), "latency_ms": S.integer,
                          "signature_sent": S.string, "success": S.boolean, "error": S.string,
                      ], required: ["latency_ms", "signature_sent", "success"]))],
                      refusals: [429: "Too many tests from this address this minute."]),
            Operation(.POST, "/api/v1/webhook-test/validate", "Webhooks", "Check a webhook signature",
                      body: S.object(["payload": S.text("The raw body as received."), "signature": S.text("`sha256=<hex>`."),
                                      "secret": S.string], required: ["payload", "signature", "secret"]),
                      answers: [.init(status: 200, description: "The verdict.", schema: S.object([
                          "valid": S.boolean, "expected_signature": S.string], required: ["valid", "expected_signature"]))]),
            Operation(.GET, "/api/v1/webhook-test/sample-payload", "Webhooks", "A sample `lead.delivered` payload",
                      answers: [.init(status: 200, description: "The payload a buyer's webhook receives.", schema: S.anyObject)]),
        ]
    }
}
