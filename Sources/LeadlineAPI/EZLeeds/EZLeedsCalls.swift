import Foundation
import HTTPServer
import LeadlineCore

/// The call side in the EZLeeds dialect: destinations (`/api/v1/destinations`), transfers, postbacks waiting for
/// review, calls with their steps, and the tenant's calling settings, pause switch and postback URL (`/api/v1/calling`).
extension Routes {
    struct DestinationView: Encodable {
        let id: String, name: String, phone: String
        @Nullable var buyer_id: String?
        let status: String, timezone: String
        @Nullable var hours_of_operation: [String: DailyHours]?
        @Nullable var max_concurrent_transfers: Int?
        @Nullable var max_transfers_per_day: Int?
        @Nullable var price_cents: Int?
        @Nullable var min_duration_seconds: Int?
        let campaign_ids: [String], states: [String]
        let live_transfers: Int, transfers_today: Int, transfers_total: Int, revenue_cents: Int
        let created_at: String, updated_at: String

        init(_ d: Destination, _ usage: DestinationUsage?) {
            let s = d.settings, u = usage ?? DestinationUsage()
            id = d.id; name = d.name; phone = d.phone; buyer_id = d.buyerID; status = d.status.rawValue; timezone = s.timezone
            hours_of_operation = s.hoursOfOperation; max_concurrent_transfers = s.maxConcurrentTransfers
            max_transfers_per_day = s.maxTransfersPerDay; price_cents = s.priceCents; min_duration_seconds = s.minDurationSeconds
            campaign_ids = s.campaignIDs; states = s.states
            live_transfers = u.live; transfers_today = u.today; transfers_total = u.transfers; revenue_cents = u.revenueCents
            created_at = d.createdAt; updated_at = d.updatedAt
        }
    }

    mutating func addEZLeedsCalls(destinations: Destinations, calls: Calls, dialer: Dialer, records: CallRecords, postbacks: Postbacks) {
        @Sendable func view(_ destination: Destination) throws -> DestinationView {
            DestinationView(destination, try destinations.usage([destination])[destination.id])
        }
        addAsync(.POST, "/api/v1/destinations") { request in
            let caller = try request.caller
            return try .json(try view(try await destinations.create(tenantID: caller.tenantID, try request.decode(DestinationInput.self))),
                             status: 201)
        }
        add(.GET, "/api/v1/destinations") { request in
            let caller = try request.caller
            let all = try destinations.all(tenantID: caller.tenantID)
            let usage = try destinations.usage(all)
            struct Page: Encodable { let items: [DestinationView], total: Int }
            return try .json(Page(items: all.map { DestinationView($0, usage[$0.id]) }, total: all.count))
        }
        add(.GET, "/api/v1/destinations/{id}") { request in
            let caller = try request.caller
            return try .json(try view(try destinations.destination(tenantID: caller.tenantID, destinationID: try request.parameter("id"))))
        }
        addAsync(.PATCH, "/api/v1/destinations/{id}") { request in
            let caller = try request.caller
            return try .json(try view(try await destinations.update(tenantID: caller.tenantID, destinationID: try request.parameter("id"),
                                                                      try request.decode(DestinationInput.self))))
        }
        addAsync(.DELETE, "/api/v1/destinations/{id}") { request in
            let caller = try request.caller
            let id = try request.parameter("id")
            try await destinations.delete(tenantID: caller.tenantID, destinationID: id)
            struct Answer: Encodable { let id: String, deleted: Bool }
            return try .json(Answer(id: id, deleted: true))
        }

        add(.GET, "/api/v1/transfers") { request in
            let caller = try request.caller
            var filter = CallRecords.TransferFilter(buyerID: request.query["buyer_id"], destinationID: request.query["destination_id"])
            var problems: [HTTPError.FieldError] = []
            for (name, keyPath) in [("date_from", \CallRecords.TransferFilter.from), ("date_to", \CallRecords.TransferFilter.to)] {
                guard let text = request.query[name] else { continue }
                if let date = Timestamp.parse(text) ?? Self.day(text) { filter[keyPath: keyPath] = Timestamp.format(date) } else {
                    problems.append(.init(field: name, reason: "must be a date (2026-04-22) or an RFC 3339 time"))
                }
            }
            filter.matched = try request.booleanQuery("matched")
            if !problems.isEmpty { throw HTTPError.validation(problems) }
            let limit = try request.integerQuery("limit", default: 50, range: 1...500)
            let items = try records.transfers(tenantID: caller.tenantID, filter, limit: limit, before: request.query["before"])
            struct Page: Encodable { let items: [TransferView]; @Nullable var next_before: String? }
            return try .json(Page(items: items.map(TransferView.init), next_before: items.count == limit ? items.last?.id : nil))
        }
        add(.GET, "/api/v1/transfers/{id}") { request in
            let caller = try request.caller
            return try .json(TransferView(try records.transfer(tenantID: caller.tenantID, id: try request.parameter("id"))))
        }
        add(.GET, "/api/v1/calls/{id}") { request in
            let caller = try request.caller
            let (call, events) = try records.call(tenantID: caller.tenantID, id: try request.parameter("id"))
            struct Detail: Encodable {
                let call: CallView, events: [CallEventView]
                func encode(to encoder: any Encoder) throws {
                    try call.encode(to: encoder)
                    enum Keys: String, CodingKey { case events }
                    var c = encoder.container(keyedBy: Keys.self)
                    try c.encode(events, forKey: .events)
                }
            }
            return try .json(Detail(call: CallView(call), events: events.map(CallEventView.init)))
        }

        add(.GET, "/api/v1/postbacks") { request in
            let caller = try request.caller
            let matched = try request.booleanQuery("matched")
            let limit = try request.integerQuery("limit", default: 50, range: 1...500)
            let items = try postbacks.list(tenantID: caller.tenantID, matched: matched, limit: limit, before: request.query["before"])
            struct Page: Encodable { let items: [PostbackView]; @Nullable var next_before: String? }
            return try .json(Page(items: items.map(PostbackView.init), next_before: items.count == limit ? items.last?.id : nil))
        }
        add(.GET, "/api/v1/postbacks/{id}") { request in
            let caller = try request.caller
            return try .json(PostbackView(try postbacks.postback(tenantID: caller.tenantID, id: try request.parameter("id"))))
        }
        struct Match: Decodable { let transfer_id: String? }
        addAsync(.POST, "/api/v1/postbacks/{id}/match") { request in
            let caller = try request.caller
            guard let transferID = try request.decode(Match.self).transfer_id, !transferID.isEmpty else {
                throw HTTPError.validation([.init(field: "transfer_id", reason: "is required: the transfer this postback pays for")])
            }
            return try .json(PostbackView(try await postbacks.match(tenantID: caller.tenantID, postbackID: try request.parameter("id"),
                                                                     transferID: transferID, actor: request.eventActor)))
        }

        add(.GET, "/api/v1/calling/settings") { request in
            let caller = try request.caller
            return try .json(CallingView(settings: try calls.settings(tenantID: caller.tenantID), serverPaused: try dialer.isPaused(),
                                         provider: calls.provider?.name))
        }
        addAsync(.PATCH, "/api/v1/calling/settings", access: .admin) { request in
            let caller = try request.caller
            let current = try calls.settings(tenantID: caller.tenantID)
            let merged = try MergePatch.apply(request.body, to: current)
            let saved = try await calls.setSettings(tenantID: caller.tenantID, merged)
            return try .json(CallingView(settings: saved, serverPaused: try dialer.isPaused(), provider: calls.provider?.name))
        }
        for (path, paused) in [("/api/v1/calling/pause", true), ("/api/v1/calling/resume", false)] {
            addAsync(.POST, path, access: .admin) { request in
                let caller = try request.caller
                var settings = try calls.settings(tenantID: caller.tenantID)
                settings.paused = paused
                let saved = try await calls.setSettings(tenantID: caller.tenantID, settings)
                return try .json(CallingView(settings: saved, serverPaused: try dialer.isPaused(), provider: calls.provider?.name))
            }
        }
        addAsync(.POST, "/api/v1/calling/postback-url", access: .admin) { request in
            let caller = try request.caller
            let token = try await postbacks.token(tenantID: caller.tenantID)
            return try .json(PostbackURLView(url: Postbacks.url(base: request.publicBase, token: token)))
        }
        addAsync(.POST, "/api/v1/calling/postback-url/rotate", access: .admin) { request in
            let caller = try request.caller
            let token = try await postbacks.rotate(tenantID: caller.tenantID)
            return try .json(PostbackURLView(url: Postbacks.url(base: request.publicBase, token: token)))
        }
    }
}

struct PostbackURLView: Encodable { let url: String }

struct CallingView: Encodable {
    let settings: CallSettings
    /// The server-wide kill switch (`leadline dialer pause`).
    let server_paused: Bool
    @Nullable var provider: String?

    init(settings: CallSettings, serverPaused: Bool, provider: String?) {
        self.settings = settings; server_paused = serverPaused; self.provider = provider
    }

    func encode(to encoder: any Encoder) throws {
        try settings.encode(to: encoder)
        enum Keys: String, CodingKey { case server_paused, provider }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(server_paused, forKey: .server_paused)
        try c.encode(_provider, forKey: .provider)
    }
}

/// Where a lead stands with the dialer (both dialects' lead detail).
struct DialerView: Encodable {
    let status: String, next_attempt_at: String
    @Nullable var reason: String?
    let attempts: Int

    init(_ d: DialerStanding) {
        status = d.status; next_attempt_at = d.nextAttemptAt; reason = d.reason; attempts = d.attempts
    }
}

struct CallView: Encodable {
    let id: String
    @Nullable var campaign_id: String?
    let attempt: Int, provider: String
    @Nullable var provider_call_id: String?
    @Nullable var from_number: String?
    let to_number: String, status: String
    @Nullable var outcome: String?
    let compliance: JSONValue
    let disclosures: [String], answers: [String: String], transcript: [TranscriptLine]
    @Nullable var end_reason: String?
    @Nullable var ring_seconds: Int?
    @Nullable var talk_seconds: Int?
    let created_at: String
    @Nullable var answered_at: String?
    @Nullable var ended_at: String?

    init(_ c: CallAttempt) {
        id = c.id; campaign_id = c.campaignID; attempt = c.attemptNo; provider = c.provider; provider_call_id = c.providerCallID
        from_number = c.fromNumber; to_number = c.toNumber; status = c.status.rawValue; outcome = c.outcome?.rawValue
        compliance = JSONValue(text: c.compliance); disclosures = c.disclosures; answers = c.answers; transcript = c.transcript
        end_reason = c.endReason; ring_seconds = c.ringSeconds; talk_seconds = c.talkSeconds; created_at = c.createdAt
        answered_at = c.answeredAt; ended_at = c.endedAt
    }
}

struct CallEventView: Encodable {
    let at: String, kind: String, detail: JSONValue
    init(_ e: CallEventRecord) { at = e.at; kind = e.kind; detail = JSONValue(text: e.detail) }
}

struct TransferView: Encodable {
    let id: String, lead_id: String, call_id: String, destination_id: String
    @Nullable var buyer_id: String?
    let destination_phone: String, caller_id: String, status: String
    @Nullable var failure: String?
    @Nullable var price_cents: Int?
    let started_at: String
    @Nullable var bridged_at: String?
    @Nullable var ended_at: String?
    @Nullable var duration_seconds: Int?
    @Nullable var revenue_cents: Int?
    @Nullable var postback_id: String?

    init(_ t: Transfer) {
        id = t.id; lead_id = t.leadID; call_id = t.attemptID; destination_id = t.destinationID; buyer_id = t.buyerID
        destination_phone = t.destinationPhone; caller_id = t.callerID; status = t.status.rawValue; failure = t.failure
        price_cents = t.priceCents; started_at = t.startedAt; bridged_at = t.bridgedAt; ended_at = t.endedAt
        duration_seconds = t.durationSeconds; revenue_cents = t.revenueCents; postback_id = t.postbackID
    }
}

struct PostbackView: Encodable {
    let id: String, matched: Bool
    @Nullable var transfer_id: String?
    @Nullable var match_method: String?
    @Nullable var matched_at: String?
    @Nullable var caller_id: String?
    @Nullable var duration_seconds: Int?
    @Nullable var buyer: String?
    @Nullable var revenue_cents: Int?
    @Nullable var platform_call_id: String?
    @Nullable var echoed_id: String?
    let fields: [String: String], received_at: String

    init(_ p: Postback) {
        id = p.id; matched = p.transferID != nil; transfer_id = p.transferID; match_method = p.matchMethod; matched_at = p.matchedAt
        caller_id = p.callerID; duration_seconds = p.durationSeconds; buyer = p.buyerName; revenue_cents = p.revenueCents
        platform_call_id = p.platformCallID; echoed_id = p.echoedID; fields = p.fields; received_at = p.receivedAt
    }
}

extension Request {
    /// Where this server is reached, for URLs handed to others: the `Host` the request came to.
    var publicBase: String {
        let host = headers["Host"] ?? "127.0.0.1"
        let scheme = headers["X-Forwarded-Proto"] == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }
}
