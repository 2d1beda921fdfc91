import HTTPServer

/// Transfer destinations, calls, transfers, revenue postbacks and the calling settings.
extension OpenAPI {
    static var callComponents: [String: JSONValue] {
        let limit = S.integer("", minimum: 0)
        return [
            "DestinationInput": S.object([
                "name": S.text("", max: 200), "phone": S.phone, "buyer_id": S.nullable(S.id("buyer_")),
                "status": S.enumeration(["active", "paused"]), "timezone": S.text("An IANA zone; hours count in it."),
                "hours_of_operation": S.nullable(S.hours), "max_concurrent_transfers": S.nullable(limit),
                "max_transfers_per_day": S.nullable(limit), "price_cents": S.nullable(S.cents),
                "min_duration_seconds": S.nullable(S.integer("A transfer is billable from this long.", minimum: 0)),
                "campaign_ids": S.array(S.id("camp_")), "states": S.array(S.state),
            ], description: "A buyer's phone line that live calls are warm-transferred to."),
            "Destination": S.object([
                "id": S.string, "name": S.string, "phone": S.string, "buyer_id": S.string, "status": S.string, "timezone": S.string,
                "hours_of_operation": S.hours, "max_concurrent_transfers": S.integer, "max_transfers_per_day": S.integer,
                "price_cents": S.integer, "min_duration_seconds": S.integer, "campaign_ids": S.array(S.string),
                "states": S.array(S.string), "live_transfers": S.integer, "transfers_today": S.integer,
                "transfers_total": S.integer, "revenue_cents": S.integer, "created_at": S.timestamp, "updated_at": S.timestamp,
            ], required: ["id", "name", "phone", "status", "live_transfers", "transfers_today", "transfers_total", "revenue_cents"],
               nullable: ["buyer_id", "hours_of_operation", "max_concurrent_transfers", "max_transfers_per_day", "price_cents",
                          "min_duration_seconds"]),
            "Calling": ["allOf": [S.ref("CallSettings"), S.object([
                "server_paused": ["type": "boolean", "description": "Whether the operator paused all calling on this server."],
                "provider": S.nullable(S.text("The voice provider in use: `simulator`, `retell`.")),
            ])]],
            "PostbackURL": S.object(["url": S.text("Paste into the call platform; it carries the tenant's private token.")],
                                    required: ["url"]),
        ]
    }

    static var calls: [Operation] {
        let before = Parameter(name: "before", schema: S.string, description: "`next_before` of the previous page.")
        let limit = Parameter(name: "limit", schema: S.integer("", minimum: 1, maximum: 500), description: "How many (default 50).")
        let matched = Parameter(name: "matched", schema: S.flag, description: "Only matched, or only unmatched.")
        let day = S.text("A day (`2026-04-22`) or an RFC 3339 time.")
        let postbackFields = S.object([
            "token": S.text("The tenant's postback token (from the postback URL)."),
            "caller_id": S.phone, "duration": S.text("Seconds the buyer's line talked."),
            "buyer": S.text("The buyer's name on the call platform."),
            "payout": S.text("Dollars, `12.50`."), "payout_cents": S.text("Cents."), "call_id": S.text("The platform's call id."),
        ], description: "Ringba, Retreaver and TrackDrive spellings of these fields are recognised too.")
        let postbackAnswer = S.object([
            "status": S.enumeration(["matched", "unmatched", "duplicate"]), "postback_id": S.string, "matched": S.boolean,
            "duplicate": S.boolean, "transfer_id": S.string, "revenue_cents": S.integer,
            "warnings": S.array(S.object(["field": S.string, "reason": S.string])),
        ], required: ["status", "postback_id", "matched", "duplicate", "warnings"], nullable: ["transfer_id", "revenue_cents"])
        let postbackDescription = "The call platform's revenue postback, as the quickstart shows it. The token is the tenant's private postback token: a missing or wrong one is a 401 and nothing is stored. A hit with the right token is kept, matched to its transfer or left for review."
        let postbackQuery = ["token", "caller_id", "duration", "buyer", "payout", "payout_cents", "call_id"].map { name in
            Parameter(name: name, schema: S.string, description: name == "token" ? "The tenant's postback token." : "See the body's fields.")
        }
        return [
            Operation(.POST, "/api/v1/destinations", "Calls", "Create a transfer destination",
                      body: ["allOf": [S.ref("DestinationInput"), ["required": ["name", "phone"]]]],
                      answers: [.init(status: 201, description: "Created.", schema: S.ref("Destination"))]),
            Operation(.GET, "/api/v1/destinations", "Calls", "The tenant's destinations, with live and total transfers",
                      answers: [.init(status: 200, description: "Every destination.", schema: S.page(S.ref("Destination"), ["total": S.integer]))]),
            Operation(.GET, "/api/v1/destinations/{id}", "Calls", "One destination",
                      answers: [.init(status: 200, description: "The destination.", schema: S.ref("Destination"))]),
            Operation(.PATCH, "/api/v1/destinations/{id}", "Calls", "Change a destination (fields left out are kept; `null` clears)",
                      body: S.ref("DestinationInput"),
                      answers: [.init(status: 200, description: "Changed.", schema: S.ref("Destination"))]),
            Operation(.DELETE, "/api/v1/destinations/{id}", "Calls", "Delete a destination",
                      answers: [.init(status: 200, description: "Deleted.", schema: S.object(["id": S.string, "deleted": S.boolean]))]),
            Operation(.GET, "/api/v1/transfers", "Calls", "Warm transfers, newest first",
                      query: [.init(name: "buyer_id", schema: S.string, description: "Only this buyer's."),
                              .init(name: "destination_id", schema: S.string, description: "Only this destination's."),
                              .init(name: "date_from", schema: day, description: "Started at or after."),
                              .init(name: "date_to", schema: day, description: "Started before."), matched, limit, before],
                      answers: [.init(status: 200, description: "A page.", schema: S.page(S.ref("Transfer"), ["next_before": S.string],
                                                                                     nullable: ["next_before"]))]),
            Operation(.GET, "/api/v1/transfers/{id}", "Calls", "One transfer",
                      answers: [.init(status: 200, description: "The transfer.", schema: S.ref("Transfer"))]),
            Operation(.GET, "/api/v1/calls/{id}", "Calls", "One call attempt, with its transcript and every step",
                      answers: [.init(status: 200, description: "The call.", schema: S.object([
                          "call": S.ref("Call"),
                          "events": S.array(S.object(["at": S.timestamp, "kind": S.string, "detail": ["description": "Any JSON."]])),
                      ], required: ["call", "events"]))]),
            Operation(.GET, "/api/v1/postbacks", "Calls", "Revenue postbacks received, newest first",
                      query: [matched, limit, before],
                      answers: [.init(status: 200, description: "A page.", schema: S.page(S.ref("Postback"), ["next_before": S.string],
                                                                                     nullable: ["next_before"]))]),
            Operation(.GET, "/api/v1/postbacks/{id}", "Calls", "One postback, with every field the platform sent",
                      answers: [.init(status: 200, description: "The postback.", schema: S.ref("Postback"))]),
            Operation(.POST, "/api/v1/postbacks/{id}/match", "Calls", "Match an unmatched postback to its transfer by hand",
                      body: S.object(["transfer_id": S.string], required: ["transfer_id"]),
                      answers: [.init(status: 200, description: "Matched; the revenue is booked.", schema: S.ref("Postback"))],
                      refusals: [409: "The postback or the transfer is already matched."]),
            Operation(.GET, "/api/v1/calling/settings", "Calls", "The tenant's calling settings and script",
                      answers: [.init(status: 200, description: "The settings.", schema: S.ref("Calling"))]),
            Operation(.PATCH, "/api/v1/calling/settings", "Calls", "Change the calling settings (a JSON merge patch; admin)",
                      body: S.ref("CallSettings"),
                      answers: [.init(status: 200, description: "Changed.", schema: S.ref("Calling"))]),
            Operation(.POST, "/api/v1/calling/pause", "Calls", "Stop placing new calls at once (calls under way finish; admin)",
                      answers: [.init(status: 200, description: "Paused.", schema: S.ref("Calling"))]),
            Operation(.POST, "/api/v1/calling/resume", "Calls", "Resume calling (admin)",
                      answers: [.init(status: 200, description: "Resumed.", schema: S.ref("Calling"))]),
            Operation(.POST, "/api/v1/calling/postback-url", "Calls", "The tenant's revenue postback URL, with its token (admin)",
                      answers: [.init(status: 200, description: "The URL.", schema: S.ref("PostbackURL"))]),
            Operation(.POST, "/api/v1/calling/postback-url/rotate", "Calls", "A new postback token; the old URL stops working (admin)",
                      answers: [.init(status: 200, description: "The new URL.", schema: S.ref("PostbackURL"))]),
            Operation(.GET, "/v1/postbacks/calls", "lead2inbound", "Receive a revenue postback (query string)",
                      description: postbackDescription, query: postbackQuery,
                      answers: [.init(status: 200, description: "Received.", schema: postbackAnswer)],
                      refusals: [401: "The token is missing, or not this server's (it may have been rotated)."]),
            Operation(method: .POST, path: "/v1/postbacks/calls", tag: "lead2inbound", summary: "Receive a revenue postback (form or JSON body)",
                      description: postbackDescription,
                      query: [Parameter(name: "token", schema: S.string, description: "The tenant's postback token, if not in the body.")],
                      body: Body(contentTypes: ["application/x-www-form-urlencoded", "application/json"], schema: postbackFields, required: false),
                      answers: [.init(status: 200, description: "Received.", schema: postbackAnswer)],
                      refusals: [401: "The token is missing, or not this server's (it may have been rotated)."]),
        ]
    }
}
