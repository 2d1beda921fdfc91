import HTTPServer
import LeadlineCore

/// Sequences, templates and sending domains; the unsubscribe page; the providers' webhooks; health, metrics and this
/// description.
extension OpenAPI {
    static var outreachComponents: [String: JSONValue] {
        let channel = S.enumeration(StepChannel.allCases.map(\.rawValue))
        let record = S.object(["type": S.enumeration(["TXT", "CNAME", "MX"]), "name": S.string, "value": S.string],
                              required: ["type", "name", "value"])
        return [
            "SequenceStep": S.object([
                "channel": channel, "delay_minutes": S.integer("After enrolment, or after the step before.", minimum: 0),
                "template": S.text("The message, with `{{first_name}}` and the like; or name a template.", max: 10_000),
                "template_id": S.string, "subject": S.text("Email only.", max: 500),
            ], required: ["channel"]),
            "Template": S.object([
                "id": S.string, "name": S.string, "channel": channel, "subject": S.string, "body": S.string, "created_at": S.timestamp,
            ], required: ["id", "name", "channel", "body", "created_at"], nullable: ["subject"]),
            "DNSRecord": record,
            "Domain": S.object([
                "id": S.id("dom_"), "domain": S.string, "status": S.string, "spf_valid": S.boolean, "dkim_valid": S.boolean,
                "dmarc_valid": S.boolean, "verified_at": S.timestamp, "checked_at": S.timestamp,
                "problems": ["type": "object", "additionalProperties": S.string], "dns_records": S.array(record),
                "created_at": S.timestamp,
            ], required: ["id", "domain", "status", "dns_records"], nullable: ["verified_at", "checked_at"]),
        ]
    }

    static var outreach: [Operation] {
        let send = S.object([
            "step": S.integer, "channel": S.string, "status": S.string, "recipient": S.string, "subject": S.string, "body": S.string,
            "provider_message_id": S.string, "error": S.string, "at": S.timestamp,
        ], nullable: ["recipient", "subject", "body", "provider_message_id", "error"])
        let enrollment = S.object([
            "id": S.id("enr_"), "lead_id": S.uuid, "status": S.string, "next_step": S.integer, "next_step_at": S.timestamp,
            "reason": S.string, "created_at": S.timestamp, "sends": S.array(send),
        ], required: ["id", "lead_id", "status", "sends"], nullable: ["next_step_at", "reason"])
        return [
            Operation(.POST, "/api/v1/sequences", "Outreach", "Create a sequence of texts, emails and calls",
                      body: S.object(["name": S.text("", max: 200), "steps": S.array(S.ref("SequenceStep"))], required: ["name", "steps"]),
                      answers: [.init(status: 201, description: "Created.", schema: S.object([
                          "id": S.id("seq_"), "name": S.string, "steps": S.integer, "status": S.string]))]),
            Operation(.GET, "/api/v1/sequences", "Outreach", "The tenant's sequences",
                      answers: [.init(status: 200, description: "Every sequence.", schema: S.page(S.object([
                          "id": S.string, "name": S.string, "steps": S.integer, "enrolled": S.integer, "status": S.string])))]),
            Operation(.GET, "/api/v1/sequences/{id}", "Outreach", "One sequence, with its steps and results",
                      answers: [.init(status: 200, description: "The sequence.", schema: S.object([
                          "id": S.string, "name": S.string, "status": S.string, "steps": S.array(S.ref("SequenceStep")),
                          "enrolled": S.integer, "active": S.integer, "completed": S.integer, "converted": S.integer,
                          "conversion_rate": S.number, "created_at": S.timestamp,
                      ], required: ["id", "name", "status", "steps"]))]),
            Operation(.POST, "/api/v1/sequences/{id}/enroll", "Outreach", "Enrol a lead; each step asks the compliance gate first",
                      body: S.object(["lead_id": S.uuid], required: ["lead_id"]),
                      answers: [.init(status: 201, description: "Enrolled.", schema: S.object([
                          "enrollment_id": S.id("enr_"), "sequence_id": S.string, "lead_id": S.uuid, "next_step_at": S.nullable(S.timestamp),
                      ], required: ["enrollment_id", "sequence_id", "lead_id"]))],
                      refusals: [409: "The lead is already enrolled, or the sequence is paused."]),
            Operation(.POST, "/api/v1/sequences/{id}/pause", "Outreach", "Pause a sequence: no step is sent until it resumes",
                      answers: [.init(status: 200, description: "Paused.", schema: S.object(["id": S.string, "status": S.string]))]),
            Operation(.POST, "/api/v1/sequences/{id}/resume", "Outreach", "Resume a sequence",
                      answers: [.init(status: 200, description: "Active.", schema: S.object(["id": S.string, "status": S.string]))]),
            Operation(.GET, "/api/v1/sequences/{id}/enrollments", "Outreach", "A sequence's enrolments, with every message sent",
                      query: [.init(name: "limit", schema: S.integer("", minimum: 1, maximum: 500), description: "How many (default 100).")],
                      answers: [.init(status: 200, description: "Newest first.", schema: S.page(enrollment))]),
            Operation(.DELETE, "/api/v1/sequences/{id}/enrollments/{lead_id}", "Outreach", "Take a lead out of a sequence",
                      answers: [.init(status: 200, description: "Removed.", schema: S.object(["removed": S.boolean, "lead_id": S.uuid]))]),
            Operation(.POST, "/api/v1/templates", "Outreach", "Create a message template",
                      body: S.object(["name": S.text("", max: 200), "channel": S.enumeration(["sms", "email"]),
                                      "subject": S.text("Email only.", max: 500), "body": S.text("", max: 10_000)],
                                     required: ["name", "channel", "body"]),
                      answers: [.init(status: 201, description: "Created.", schema: S.ref("Template"))]),
            Operation(.GET, "/api/v1/templates", "Outreach", "The tenant's templates",
                      answers: [.init(status: 200, description: "Every template.", schema: S.page(S.ref("Template")))]),
            Operation(.GET, "/api/v1/templates/{id}", "Outreach", "One template",
                      answers: [.init(status: 200, description: "The template.", schema: S.ref("Template"))]),
            Operation(.DELETE, "/api/v1/templates/{id}", "Outreach", "Delete a template no sequence uses",
                      answers: [.init(status: 200, description: "Deleted.", schema: S.object(["id": S.string, "deleted": S.boolean]))],
                      refusals: [409: "A sequence still uses it."]),
            Operation(.POST, "/api/v1/domains", "Outreach", "Add a sending domain; the answer lists the DNS records to publish",
                      body: S.object(["domain": S.text("`mail.example.com`.", max: 253)], required: ["domain"]),
                      answers: [.init(status: 201, description: "Added.", schema: S.object([
                          "id": S.id("dom_"), "domain": S.string, "status": S.string, "dns_records": S.array(S.ref("DNSRecord")),
                      ], required: ["id", "domain", "status", "dns_records"]))],
                      refusals: [409: "The domain is already added."]),
            Operation(.GET, "/api/v1/domains", "Outreach", "The tenant's sending domains",
                      answers: [.init(status: 200, description: "Every domain.", schema: S.page(S.object([
                          "id": S.string, "domain": S.string, "status": S.string, "verified_at": S.nullable(S.timestamp)])))]),
            Operation(.GET, "/api/v1/domains/{id}", "Outreach", "One domain, with its records and their check",
                      answers: [.init(status: 200, description: "The domain.", schema: S.ref("Domain"))]),
            Operation(.POST, "/api/v1/domains/{id}/verify", "Outreach", "Look the domain's records up in DNS now",
                      answers: [.init(status: 200, description: "The domain, checked.", schema: S.ref("Domain"))]),
            Operation(.DELETE, "/api/v1/domains/{id}", "Outreach", "Remove a sending domain",
                      answers: [.init(status: 200, description: "Removed.", schema: S.object(["deleted": S.boolean, "domain": S.string]))]),
        ]
    }

    static var operational: [Operation] {
        let html = Answer(status: 200, description: "An HTML page.", schema: S.string, contentType: "text/html")
        let unknownLink = Answer(status: 404, description: "The link is not one this server made (an HTML page).", schema: S.string,
                                 contentType: "text/html")
        return [
            Operation(.GET, "/healthz", "Operations", "Liveness, for load balancers and supervisors",
                      answers: [.init(status: 200, description: "Up.", schema: S.object(["status": S.enumeration(["ok"])], required: ["status"]))]),
            Operation(.GET, "/metrics", "Operations", "Prometheus metrics (an admin key, or a caller on this machine)",
                      answers: [.init(status: 200, description: "Prometheus text format 0.0.4.", schema: S.string, contentType: "text/plain")]),
            Operation(.GET, "/openapi.json", "Operations", "This description",
                      answers: [.init(status: 200, description: "OpenAPI 3.1.", schema: S.anyObject)]),
            Operation(.GET, "/robots.txt", "Operations", "No indexing of a private console",
                      answers: [.init(status: 200, description: "robots.txt.", schema: S.string, contentType: "text/plain")]),
            Operation(.GET, "/unsubscribe/{token}", "Outreach", "The page an email's unsubscribe link opens: one button",
                      answers: [html, unknownLink]),
            Operation(method: .POST, path: "/unsubscribe/{token}", tag: "Outreach",
                      summary: "Unsubscribe (the page's button, or a mail client's one-click RFC 8058 POST)",
                      description: "The lead's number goes on the internal do-not-call list, which ends its sequences and calls.",
                      body: Body(contentTypes: ["application/x-www-form-urlencoded"],
                                 schema: S.object(["List-Unsubscribe": S.enumeration(["One-Click"])]), required: false),
                      answers: [html, unknownLink]),
            Operation(method: .POST, path: "/v1/sms/twilio/inbound", tag: "Webhooks",
                      summary: "Texts consumers send to the Twilio number (STOP, HELP, START, replies)",
                      description: "Served when the server sends texts through Twilio. Checked by `X-Twilio-Signature`; a bad one is a 403 and changes nothing. STOP words put the number on the do-not-call list before the answer.",
                      headers: [.init(name: "X-Twilio-Signature", schema: S.string, description: "HMAC-SHA1 of the URL and the sorted fields.", required: true)],
                      body: Body(contentTypes: ["application/x-www-form-urlencoded"],
                                 schema: S.object(["From": S.string, "To": S.string, "Body": S.string, "MessageSid": S.string])),
                      answers: [.init(status: 200, description: "TwiML.", schema: S.string, contentType: "text/xml")],
                      refusals: [403: "The signature does not match."], servedWhen: "twilio"),
            Operation(method: .POST, path: "/v1/voice/retell/events", tag: "Webhooks", summary: "Retell's call events",
                      description: "Served when calls are placed through Retell. Checked by `X-Retell-Signature`.",
                      headers: [.init(name: "X-Retell-Signature", schema: S.string, description: "Retell's signature of the body.", required: true)],
                      body: Body(schema: S.object(["event": S.string, "call": S.anyObject])),
                      answers: [.init(status: 204, description: "Received.")],
                      refusals: [401: "The signature is missing, wrong or too old."], servedWhen: "retell"),
            Operation(method: .POST, path: "/v1/voice/retell/functions", tag: "Webhooks",
                      summary: "Retell's function calls during a call (qualify, transfer, opt out)",
                      description: "Served when calls are placed through Retell. Checked by `X-Retell-Signature`.",
                      headers: [.init(name: "X-Retell-Signature", schema: S.string, description: "Retell's signature of the body.", required: true)],
                      body: Body(schema: S.object(["name": S.string, "args": S.anyObject, "call": S.anyObject])),
                      answers: [.init(status: 200, description: "The function's result, for the agent.", schema: S.anyObject)],
                      refusals: [401: "The signature is missing, wrong or too old."], servedWhen: "retell"),
        ]
    }
}
