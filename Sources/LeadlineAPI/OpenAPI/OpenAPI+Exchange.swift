import HTTPServer

/// EZLeeds campaigns, buyers and the ping-post auction.
extension OpenAPI {
    static var exchangeComponents: [String: JSONValue] {
        let limit = S.integer("", minimum: 0)
        return [
            "CallScript": S.object([
                "greeting": S.string, "ai_disclosure": S.string, "recording_notice": S.string,
                "questions": S.array(S.object(["id": S.string, "text": S.string, "qualify": S.array(S.string),
                                               "disqualify": S.array(S.string)], required: ["id", "text"])),
                "transfer_line": S.string, "no_agent_line": S.string, "closing": S.string, "opt_out_line": S.string,
            ], description: "What the AI agent says; `{{first_name}}` is the lead's first name."),
            "CallSettings": S.object([
                "enabled": S.boolean, "paused": S.boolean, "max_attempts": S.integer("Calls placed to a lead at most.", minimum: 1),
                "retry_minutes": S.array(S.integer), "max_concurrent_calls": S.integer("", minimum: 1),
                "caller_id": S.nullable(S.phone), "script": S.ref("CallScript"),
            ], description: "How leads are called and transferred."),
            "CampaignInput": S.object([
                "name": S.text("", max: 200), "campaign_type": S.text("`auto_insurance`, `solar`, … (lower case, digits, _).", max: 100),
                "status": S.enumeration(["active", "paused"]), "states": S.array(S.state),
                "budget_cents": S.nullable(S.cents), "max_leads_per_day": S.nullable(limit),
                "delivery_webhook": S.nullable(S.url), "webhook_secret": S.nullable(S.text("Signs delivery webhooks; never returned.")),
                "floor_price_cents": S.nullable(S.cents), "return_window_days": S.integer("", minimum: 0),
                "dedup_window_days": S.nullable(limit), "max_buyers_per_lead": S.integer("1 is exclusive.", minimum: 1),
                "timezone": S.text("An IANA zone, `America/New_York`."), "calling": S.nullable(S.ref("CallSettings")),
            ]),
            "Campaign": S.object([
                "id": S.id("camp_"), "name": S.string, "campaign_type": S.string, "status": S.string, "states": S.array(S.string),
                "budget_cents": S.integer, "max_leads_per_day": S.integer, "delivery_webhook": S.string, "webhook_secret_set": S.boolean,
                "floor_price_cents": S.integer, "return_window_days": S.integer, "dedup_window_days": S.integer,
                "max_buyers_per_lead": S.integer, "timezone": S.string, "calling": S.ref("CallSettings"),
                "leads_delivered": S.integer, "leads_accepted": S.integer, "leads_returned": S.integer,
                "acceptance_rate": S.number, "avg_cost_cents": S.integer, "budget_remaining_cents": S.integer,
                "leads_delivered_today": S.integer, "created_at": S.timestamp, "updated_at": S.timestamp,
            ], required: ["id", "name", "campaign_type", "status", "states", "leads_delivered", "leads_accepted", "leads_returned"],
               nullable: ["budget_cents", "max_leads_per_day", "delivery_webhook", "floor_price_cents", "dedup_window_days", "calling",
                          "acceptance_rate", "avg_cost_cents", "budget_remaining_cents"]),
            "BuyerInput": S.object([
                "name": S.text("", max: 200), "status": S.enumeration(["active", "paused"]),
                "campaign_types": S.array(S.string), "states": S.array(S.state), "zip_codes": S.array(S.zip),
                "bid_cents": S.nullable(S.cents), "max_price_cents": S.nullable(S.cents),
                "exclusivity": S.enumeration(["exclusive", "shared"]),
                "max_leads_per_hour": S.nullable(limit), "max_leads_per_day": S.nullable(limit),
                "max_leads_per_week": S.nullable(limit), "max_leads_per_month": S.nullable(limit),
                "monthly_budget_cents": S.nullable(S.cents), "timezone": S.text("An IANA zone; caps and hours count in it."),
                "hours_of_operation": S.nullable(S.hours), "webhook_url": S.nullable(S.url),
                "webhook_secret": S.nullable(S.text("Signs deliveries (`X-Signature: sha256=…`); encrypted at rest, never returned.")),
                "ping_url": S.nullable(S.url), "post_url": S.nullable(S.url),
                "timeout_ms": S.integer("How long a live bid may take.", minimum: 50, maximum: 10_000),
                "response_parsing": S.nullable(S.ref("ResponseRule")),
                "billing": S.enumeration(["prepaid", "invoice"]), "credit_limit_cents": S.nullable(S.cents),
                "return_cap_percent": S.nullable(S.integer("", minimum: 0, maximum: 100)), "auto_approve_returns": S.boolean,
            ], description: "A fixed bid (`bid_cents`) or a live one (`ping_url`), never above `max_price_cents`."),
            "Buyer": S.object([
                "id": S.id("buyer_"), "name": S.string, "status": S.string, "paused_reason": S.string,
                "campaign_types": S.array(S.string), "states": S.array(S.string), "zip_codes": S.array(S.string),
                "bid_cents": S.integer, "max_price_cents": S.integer, "exclusivity": S.string,
                "max_leads_per_hour": S.integer, "max_leads_per_day": S.integer, "max_leads_per_week": S.integer,
                "max_leads_per_month": S.integer, "monthly_budget_cents": S.integer, "timezone": S.string,
                "hours_of_operation": S.hours, "webhook_url": S.string, "webhook_secret_set": S.boolean, "ping_url": S.string,
                "post_url": S.string, "timeout_ms": S.integer, "response_parsing": S.ref("ResponseRule"),
                "bidding": S.enumeration(["fixed", "live"]), "billing": S.string, "credit_limit_cents": S.integer,
                "return_cap_percent": S.integer, "auto_approve_returns": S.boolean, "leads_purchased": S.integer,
                "leads_accepted": S.integer, "leads_returned": S.integer, "acceptance_rate": S.number,
                "avg_response_time_ms": S.integer, "total_spent_cents": S.integer, "created_at": S.timestamp, "updated_at": S.timestamp,
            ], required: ["id", "name", "status", "exclusivity", "bidding", "webhook_secret_set", "leads_purchased", "total_spent_cents"],
               nullable: ["paused_reason", "bid_cents", "max_price_cents", "max_leads_per_hour", "max_leads_per_day", "max_leads_per_week",
                          "max_leads_per_month", "monthly_budget_cents", "hours_of_operation", "webhook_url", "ping_url", "post_url",
                          "response_parsing", "credit_limit_cents", "return_cap_percent", "acceptance_rate", "avg_response_time_ms"]),
        ]
    }

    static var exchange: [Operation] {
        let ping = S.object([
            "campaign_type": S.text("", max: 100), "state": S.state, "zip_code": S.zip, "source": S.text("", max: 200),
            "campaign_id": S.id("camp_"), "phone_hash": S.text("SHA-256 of the E.164 phone, hex, for dedup without the number."),
        ], description: "No personal data: a ping carrying `phone`, `email`, names, `address` or `ip_address` is refused.")
        let bid = S.object(["buyer_id": S.string, "buyer_name": S.string, "bid_cents": S.integer, "exclusivity": S.string],
                           required: ["buyer_id", "bid_cents"])
        let post = S.object([
            "ping_id": S.id("ping_"), "buyer_id": S.id("buyer_"),
            "lead": S.object(["first_name": S.text("", max: 200), "last_name": S.text("", max: 200), "phone": S.phone,
                              "email": S.email, "state": S.state, "zip_code": S.zip], required: ["phone"]),
            "consent": S.ref("ConsentInput"),
        ], required: ["ping_id", "buyer_id", "lead"])
        let attempt = S.object(["buyer_id": S.string, "price_cents": S.integer, "status": S.string, "reason": S.string,
                                "response_ms": S.integer], required: ["buyer_id", "price_cents", "status"], nullable: ["reason", "response_ms"])
        let auctionBuyer = S.object([
            "buyer_id": S.string, "buyer_name": S.string, "outcome": S.string, "reason": S.string, "detail": S.string,
            "bid_cents": S.integer, "bidding": S.string, "exclusivity": S.string, "response_ms": S.integer,
            "response_status": S.integer, "response_body": S.string, "result": S.text("Why this buyer won or lost."),
        ], required: ["buyer_id", "outcome", "result"],
           nullable: ["reason", "detail", "bid_cents", "response_ms", "response_status", "response_body"])
        return [
            Operation(.POST, "/api/v1/campaigns", "Campaigns", "Create a campaign",
                      body: ["allOf": [S.ref("CampaignInput"), ["required": ["name", "campaign_type"]]]],
                      answers: [.init(status: 201, description: "Created.", schema: S.ref("Campaign"))]),
            Operation(.GET, "/api/v1/campaigns", "Campaigns", "The tenant's campaigns, with metrics",
                      answers: [.init(status: 200, description: "Every campaign.", schema: S.page(S.object([
                          "id": S.id("camp_"), "name": S.string, "campaign_type": S.string, "status": S.string,
                          "leads_delivered": S.integer, "budget_remaining_cents": S.integer,
                      ], required: ["id", "name", "campaign_type", "status"], nullable: ["budget_remaining_cents"]), ["total": S.integer]))]),
            Operation(.GET, "/api/v1/campaigns/{id}", "Campaigns", "One campaign, with metrics from real data",
                      answers: [.init(status: 200, description: "The campaign.", schema: S.ref("Campaign"))]),
            Operation(.PATCH, "/api/v1/campaigns/{id}", "Campaigns", "Change a campaign (fields left out are kept; `null` clears)",
                      body: S.ref("CampaignInput"),
                      answers: [.init(status: 200, description: "Changed.", schema: S.ref("Campaign"))]),
            Operation(.POST, "/api/v1/buyers", "Buyers", "Create a buyer",
                      body: ["allOf": [S.ref("BuyerInput"), ["required": ["name"]]]],
                      answers: [.init(status: 201, description: "Created.", schema: S.ref("Buyer"))]),
            Operation(.GET, "/api/v1/buyers", "Buyers", "The tenant's buyers, with performance",
                      answers: [.init(status: 200, description: "Every buyer.", schema: S.page(S.object([
                          "id": S.id("buyer_"), "name": S.string, "status": S.string, "bidding": S.string,
                          "campaign_types": S.array(S.string), "states": S.array(S.string), "bid_cents": S.integer,
                          "exclusivity": S.string, "leads_purchased": S.integer, "total_spent_cents": S.integer,
                      ], required: ["id", "name", "status"], nullable: ["bid_cents"]), ["total": S.integer]))]),
            Operation(.GET, "/api/v1/buyers/match", "Buyers", "The buyers whose filters, schedule, caps and budget admit a lead profile",
                      query: [.init(name: "campaign_type", schema: S.string, description: "The lead's campaign type."),
                              .init(name: "state", schema: S.orEmpty(S.state), description: "The lead's state."),
                              .init(name: "zip_code", schema: S.orEmpty(S.zip), description: "The lead's zip code."),
                              .init(name: "explain", schema: S.flag, description: "`true` adds the buyers left out, and why.")],
                      answers: [.init(status: 200, description: "Matching buyers, best first.", schema: S.object([
                          "matches": S.array(S.object(["buyer_id": S.string, "name": S.string, "bid_cents": S.nullable(S.integer),
                                                       "exclusivity": S.string, "bidding": S.string])),
                          "excluded": S.array(S.object(["buyer_id": S.string, "name": S.string, "reason": S.string, "detail": S.string])),
                      ], required: ["matches"]))]),
            Operation(.GET, "/api/v1/buyers/{id}", "Buyers", "One buyer, with performance",
                      answers: [.init(status: 200, description: "The buyer.", schema: S.ref("Buyer"))]),
            Operation(.PATCH, "/api/v1/buyers/{id}", "Buyers", "Change a buyer (fields left out are kept; `null` clears)",
                      body: S.ref("BuyerInput"),
                      answers: [.init(status: 200, description: "Changed.", schema: S.ref("Buyer"))]),
            Operation(.POST, "/api/v1/pingpost/ping", "Ping-Post", "Collect bids for a lead profile, without personal data",
                      description: "Fixed bids and live pings to each matching buyer's `ping_url`, in parallel, under one deadline (default 1 s). Caps are reserved until the bid expires (60 s) or loses.",
                      body: ping,
                      answers: [.init(status: 200, description: "The bids at or above the floor, best first.", schema: S.object([
                          "ping_id": S.id("ping_"), "expires_at": S.timestamp, "bids": S.array(bid), "floor_price_cents": S.integer,
                      ], required: ["ping_id", "expires_at", "bids", "floor_price_cents"]))],
                      refusals: [409: "The campaign is paused, or this person (`phone_hash`) is already in an open auction."]),
            Operation(.POST, "/api/v1/pingpost/post", "Ping-Post", "Sell the lead to a buyer that bid",
                      description: "The lead goes through the same intake (validation, dedup, consent certificate) and is delivered at the bid's price; if the buyer says no, the next bid may be tried.",
                      body: post,
                      answers: [.init(status: 200, description: "The sale's outcome.", schema: S.object([
                          "accepted": S.boolean, "lead_id": S.uuid, "buyer_id": S.string, "price_cents": S.integer,
                          "consent_certificate_id": S.string, "delivery_status": S.string, "attempts": S.array(attempt),
                      ], required: ["accepted", "lead_id", "buyer_id", "price_cents", "delivery_status"], nullable: ["consent_certificate_id"]))],
                      refusals: [409: "The buyer did not bid, the ping was already posted, or the lead contradicts what was pinged.",
                                 410: "The ping has expired."]),
            Operation(.GET, "/api/v1/pingpost/pings/{id}", "Ping-Post", "A stored auction: what was pinged, each buyer's outcome and why",
                      answers: [.init(status: 200, description: "The auction.", schema: S.object([
                          "ping_id": S.string, "status": S.string, "profile": S.anyObject, "campaign_id": S.string, "lead_id": S.string,
                          "floor_price_cents": S.integer, "deadline_ms": S.integer, "took_ms": S.integer, "created_at": S.timestamp,
                          "expires_at": S.timestamp, "buyers": S.array(auctionBuyer),
                      ], required: ["ping_id", "status", "buyers"], nullable: ["campaign_id", "lead_id"]))]),
        ]
    }
}
