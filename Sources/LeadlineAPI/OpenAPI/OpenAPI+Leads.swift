import HTTPServer

/// The leads of both dialects, lead2inbound's keys and imports.
extension OpenAPI {
    typealias S = Schema

    static var lead2Inbound: [Operation] {
        let consent = S.object([
            "consent_timestamp": S.timestamp,
            "consent_text_version": S.text("The version of the consent language shown.", max: 200),
            "consent_text": S.text("The consent language itself.", max: 10_000),
            "source_url": S.text("The page where consent was given.", max: 2048),
        ], description: "Proof of consent; a lead without it is stored but ineligible (never dialled or sold).")
        let lead = S.object([
            "phone": S.phone, "source": S.text("Where the lead came from.", max: 200),
            "first_name": S.text("", max: 200), "last_name": S.text("", max: 200), "email": S.email, "state": S.state, "zip_code": S.zip,
            "campaign_type": S.text("Routes the lead to this kind of campaign.", max: 100), "consent": consent,
        ], required: ["phone"])
        let outcome = S.object([
            "outcome": S.enumeration(["created", "duplicate"]), "lead_id": S.uuid, "status": S.leadStatus,
            "ineligible_reason": S.text("Only when the lead is ineligible."),
        ], required: ["outcome", "lead_id", "status"])
        return [
            Operation(.POST, "/v1/leads", "lead2inbound", "Submit a lead",
                      description: "Only `phone` is required. A lead seen within the tenant's dedup window answers `duplicate` with the existing id; no second lead is stored. An eligible lead is queued for calling.",
                      body: lead,
                      answers: [.init(status: 201, description: "Created.", schema: outcome),
                                .init(status: 200, description: "A duplicate of an existing lead.", schema: outcome)],
                      idempotent: true),
            Operation(.GET, "/v1/leads", "lead2inbound", "List leads, newest first",
                      query: [.init(name: "limit", schema: S.integer("", minimum: 1, maximum: 500), description: "How many (default 25)."),
                              .init(name: "cursor", schema: S.string, description: "`next_cursor` of the previous page.")],
                      answers: [.init(status: 200, description: "A page of leads.",
                                      schema: S.object(["leads": S.array(S.ref("Lead2InboundLead")), "next_cursor": S.string],
                                                       required: ["leads"], nullable: ["next_cursor"]))]),
            Operation(.GET, "/v1/leads/{id}", "lead2inbound", "One lead, with its score reasons, events, consent, calls and transfers",
                      answers: [.init(status: 200, description: "The lead.", schema: ["allOf": [S.ref("Lead2InboundLead"), S.object([
                          "score_reasons": S.array(S.ref("ScoreReason")), "events": S.array(S.ref("LeadEvent")),
                          "consent": S.array(S.ref("ConsentCertificate")), "calls": S.array(S.ref("Call")),
                          "transfers": S.array(S.ref("Transfer")), "dialer": S.nullable(S.ref("DialerStanding")),
                      ])]])]),
            Operation(.GET, "/v1/me", "lead2inbound", "The key and tenant in use",
                      answers: [.init(status: 200, description: "The caller.", schema: S.object([
                          "key_id": S.string, "tenant": S.string, "scopes": S.scopes, "rate_limit_per_minute": S.integer,
                      ], required: ["key_id", "tenant", "scopes", "rate_limit_per_minute"]))]),
            Operation(.GET, "/v1/keys", "lead2inbound", "The tenant's API keys",
                      answers: [.init(status: 200, description: "Every key, revoked ones too.", schema: S.page(S.ref("Key")))]),
            Operation(.POST, "/v1/keys", "lead2inbound", "Create an API key",
                      description: "The answer carries the key itself, once; only its SHA-256 is stored.",
                      body: S.object(["name": S.text("A label.", max: 200), "scopes": S.scopes,
                                      "rate_limit_per_minute": S.integer("Requests per minute (default 600).", minimum: 1)],
                                     required: ["scopes"]),
                      answers: [.init(status: 201, description: "Created; `key` is shown this once.", schema: S.ref("Key"))]),
            Operation(.DELETE, "/v1/keys/{id}", "lead2inbound", "Revoke an API key",
                      answers: [.init(status: 200, description: "The key, revoked.", schema: S.ref("Key"))]),
            Operation(method: .POST, path: "/v1/imports", tag: "lead2inbound", summary: "Import leads from a CSV file",
                      description: "The file is the body. Common column names are recognised (phone, first_name, email, state, zip, …). The import runs in the background: the answer is 202 with its `Location`.",
                      query: [.init(name: "file_name", schema: S.text("", max: 255), description: "The file's name, for the report.")],
                      body: Body(contentTypes: ["text/csv"], schema: S.text("RFC 4180 CSV with a header row.")),
                      answers: [.init(status: 202, description: "Accepted; poll its progress.", schema: S.ref("Import"))]),
            Operation(.GET, "/v1/imports", "lead2inbound", "Recent imports",
                      query: [.init(name: "limit", schema: S.integer("", minimum: 1, maximum: 500), description: "How many (default 50).")],
                      answers: [.init(status: 200, description: "Newest first.",
                                      schema: S.object(["imports": S.array(S.ref("Import"))], required: ["imports"]))]),
            Operation(.GET, "/v1/imports/{id}", "lead2inbound", "An import's progress and report",
                      answers: [.init(status: 200, description: "The import.", schema: S.ref("Import"))]),
            Operation(.GET, "/v1/imports/{id}/rejects", "lead2inbound", "An import's rejected rows, with reasons",
                      answers: [.init(status: 200, description: "CSV: line, reason, then the row as it was.",
                                      schema: S.string, contentType: "text/csv")]),
        ]
    }

    static var leads: [Operation] {
        let inbound = S.object([
            "first_name": S.text("", max: 200), "last_name": S.text("", max: 200), "email": S.email, "phone": S.phone,
            "state": S.state, "zip_code": S.zip, "campaign_type": S.text("Routes the lead to this kind of campaign.", max: 100),
            "source": S.text("Where the lead came from.", max: 200), "consent": S.ref("ConsentInput"),
        ], required: ["phone"])
        let created = S.object([
            "id": S.uuid, "status": S.leadStatus, "score": S.integer, "consent_certificate_id": S.string,
            "created_at": S.timestamp, "ineligible_reason": S.string, "duplicate": S.boolean,
        ], required: ["id", "status", "score", "created_at"], nullable: ["consent_certificate_id"])
        let listItem = S.object([
            "id": S.uuid, "first_name": S.string, "last_name": S.string, "status": S.leadStatus, "score": S.integer,
            "campaign_type": S.string, "state": S.string, "source": S.string, "created_at": S.timestamp,
        ], required: ["id", "status", "score", "created_at"], nullable: ["first_name", "last_name", "campaign_type", "state", "source"])
        let detail = S.object([
            "id": S.uuid, "first_name": S.string, "last_name": S.string, "email": S.string, "phone": S.string, "state": S.string,
            "zip_code": S.string, "campaign_type": S.string, "source": S.string, "status": S.leadStatus,
            "ineligible_reason": S.string, "score": S.integer, "score_reasons": S.array(S.ref("ScoreReason")),
            "buyer_id": S.string, "sold_price_cents": S.integer, "notes": S.string, "consent_certificate_id": S.string,
            "created_at": S.timestamp, "updated_at": S.timestamp, "events": S.array(S.ref("LeadEvent")),
            "consent_records": S.array(S.ref("ConsentCertificate")), "calls": S.array(S.ref("Call")),
            "transfers": S.array(S.ref("Transfer")), "dialer": S.nullable(S.ref("DialerStanding")),
        ], required: ["id", "phone", "status", "score", "created_at", "events", "consent_records"],
           nullable: ["first_name", "last_name", "email", "state", "zip_code", "campaign_type", "source", "ineligible_reason",
                      "buyer_id", "sold_price_cents", "notes", "consent_certificate_id"])
        let dateQuery = S.text("A day (`2026-04-22`) or an RFC 3339 time.")
        return [
            Operation(.POST, "/api/v1/leads/inbound", "Leads", "Submit a lead",
                      description: "Validated, consent-certified, de-duplicated and scored; an eligible lead is routed to buyers at once. A duplicate answers 200 with `duplicate: true` and the existing lead.",
                      body: inbound,
                      answers: [.init(status: 201, description: "Created.", schema: created),
                                .init(status: 200, description: "A duplicate of an existing lead.", schema: created)],
                      idempotent: true),
            Operation(.GET, "/api/v1/leads", "Leads", "Search leads",
                      query: [.init(name: "page", schema: S.integer("", minimum: 1), description: "From 1."),
                              .init(name: "per_page", schema: S.integer("", minimum: 1, maximum: 200), description: "Default 25."),
                              .init(name: "status", schema: S.leadStatus, description: "Only leads in this state."),
                              .init(name: "campaign_type", schema: S.string, description: "Only this campaign type."),
                              .init(name: "state", schema: S.orEmpty(S.state), description: "Only this US state."),
                              .init(name: "source", schema: S.string, description: "Only this source."),
                              .init(name: "date_from", schema: dateQuery, description: "Created at or after."),
                              .init(name: "date_to", schema: dateQuery, description: "Created before.")],
                      answers: [.init(status: 200, description: "A page of leads.",
                                      schema: S.page(listItem, ["total": S.integer, "page": S.integer, "per_page": S.integer,
                                                                "total_capped": ["type": "boolean", "description": "Present (true) when more than 10,000 leads match a filter on type, state or source: `total` is then 10,000."]]))]),
            Operation(.GET, "/api/v1/leads/{id}", "Leads", "One lead, with events, consent records, buyer and price",
                      answers: [.init(status: 200, description: "The lead.", schema: detail)]),
            Operation(.PATCH, "/api/v1/leads/{id}", "Leads", "Change a lead's status, contact fields or notes",
                      description: "Each change is an event on the lead. A status change must follow the lifecycle; an illegal one is a 409.",
                      body: S.object(["status": S.leadStatus, "notes": S.text("", max: 10_000), "first_name": S.text("", max: 200),
                                      "last_name": S.text("", max: 200), "email": S.email, "phone": S.phone, "state": S.state,
                                      "zip_code": S.zip]),
                      answers: [.init(status: 200, description: "Changed.", schema: S.object(["id": S.uuid, "status": S.leadStatus,
                                                                                              "updated_at": S.timestamp]))],
                      refusals: [409: "The status change is not one the lifecycle allows."]),
            Operation(.PATCH, "/api/v1/leads/{id}/internal", "Leads", "Set a lead's score, buyer or sold price (admin)",
                      body: S.object(["score": S.integer("", minimum: 0, maximum: 100), "buyer_id": S.id("buyer_"),
                                      "sold_price_cents": S.cents]),
                      answers: [.init(status: 200, description: "Changed.", schema: S.object([
                          "id": S.uuid, "score": S.integer, "buyer_id": S.string, "sold_price_cents": S.integer, "updated_at": S.timestamp,
                      ], nullable: ["buyer_id", "sold_price_cents"]))]),
        ]
    }
}
