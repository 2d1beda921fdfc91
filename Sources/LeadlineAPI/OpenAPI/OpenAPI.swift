import HTTPServer
import LeadlineCore

/// The OpenAPI 3.1 description of both dialects, served at `GET /openapi.json`.
///
/// Each area's operations are written out in its own file (`OpenAPI+Leads.swift`, …). What the routes themselves
/// know is not restated there: the security of an operation comes from the access rule its route was registered with,
/// its path parameters from its path, and the error answers every operation can give from what it takes
/// (a body, a query, a path parameter, a key). A test checks that every routed path is described and vice versa.
enum OpenAPI {
    /// One operation: what a reader needs beyond what its route already says.
    struct Operation {
        let method: HTTPMethod
        let path: String
        let tag: String
        let summary: String
        var description: String? = nil
        var query: [Parameter] = []
        var headers: [Parameter] = []
        var body: Body? = nil
        var answers: [Answer]
        /// Refusals particular to this operation (409 for a conflict, 410 for an expired ping, …), beyond the
        /// common ones added from its shape.
        var refusals: [Int: String] = [:]
        /// Set for a route served only when a provider is configured (`twilio`, `retell`): described only when routed.
        var servedWhen: String? = nil
    }

    struct Parameter {
        let name: String
        let schema: JSONValue
        let description: String
        var required = false
    }

    struct Body {
        var contentTypes = ["application/json"]
        let schema: JSONValue
        var required = true
    }

    struct Answer {
        let status: Int
        let description: String
        var schema: JSONValue? = nil
        var contentType = "application/json"
    }

    /// Every operation of both dialects, in the order a reader meets them.
    static var operations: [Operation] {
        lead2Inbound + leads + exchange + billing + calls + compliance + outreach + operational
    }

    static let tags: [(name: String, description: String)] = [
        ("lead2inbound", "The lead2inbound quickstart's API (`/v1`, `Authorization: Bearer <key>`)."),
        ("Leads", "EZLeeds leads (`/api/v1`, `X-API-Key`)."),
        ("Campaigns", "EZLeeds campaigns."),
        ("Buyers", "EZLeeds buyers."),
        ("Ping-Post", "The real-time auction: a ping without personal data, then a post of the lead to the winner."),
        ("Billing", "Accepts, returns, credits, invoices and the ledger's transactions."),
        ("Reports", "Totals and CSV exports."),
        ("Calls", "Transfer destinations, calls, transfers, revenue postbacks and calling settings."),
        ("Compliance", "Consent certificates, state calling rules, do-not-call lists and blackout days."),
        ("Outreach", "Text and email sequences, their templates, and sending domains."),
        ("Webhooks", "Tools for testing a webhook receiver, and the providers' webhooks Leadline receives."),
        ("Operations", "Health, metrics and this description."),
    ]

    /// The document, with each operation's security taken from the access rule its route was registered with.
    static func document(access: [RouteKey: RouteAccess], version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            let key = RouteKey(operation.method, operation.path)
            if operation.servedWhen != nil && access[key] == nil { continue }
            paths[operation.path, default: [:]][operation.method.rawValue.lowercased()] =
                operation.json(access: access[key] ?? RouteAccess(rule: Access.defaultFor(operation.method), loopbackWithoutKey: false))
        }
        for (path, parameters) in paths.keys.map({ ($0, pathParameters($0)) }) where !parameters.isEmpty {
            paths[path]?["parameters"] = .array(parameters)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Leadline",
                "version": .string(version),
                "description": """
                    Leadline serves two wire formats over one core: the lead2inbound quickstart's `/v1` API (a key as \
                    `Authorization: Bearer <key>`) and the EZLeeds reference's `/api/v1` API (a key as `X-API-Key`, or \
                    `X-Compliance-API-Key` for ping-post and compliance). Money is integer cents; times are RFC 3339 UTC. \
                    Every error answers `{"error": {"code", "message", "fields": [{"field", "reason"}]}}`. \
                    Authenticated answers carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`; \
                    a 429 carries `Retry-After`. A `POST` that creates may carry `Idempotency-Key`: a retry answers as the first did.
                    """,
            ],
            "tags": .array(tags.map { ["name": .string($0.name), "description": .string($0.description)] }),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "lead2inbound: `Authorization: Bearer <key>`."],
                    "apiKey": ["type": "apiKey", "in": "header", "name": "X-API-Key", "description": "EZLeeds: `X-API-Key: <key>`."],
                    "complianceKey": ["type": "apiKey", "in": "header", "name": "X-Compliance-API-Key",
                                      "description": "EZLeeds ping-post and compliance: `X-Compliance-API-Key: <key>`."],
                ],
                "schemas": .object(components),
                "responses": .object(Dictionary(uniqueKeysWithValues: commonRefusals.map { status, description in
                    (String(status), ["description": .string(description),
                                      "content": ["application/json": ["schema": Schema.ref("Error")]]] as JSONValue)
                })),
            ],
        ]
    }

    /// The answers any operation may give, by what causes them.
    static let commonRefusals: [Int: String] = [
        400: "The body is not valid JSON, or not the shape expected.",
        401: "No key, or a key that is unknown or revoked.",
        403: "The key lacks the scope this needs.",
        404: "No such object in the caller's tenant.",
        413: "The body is larger than this endpoint takes.",
        415: "The body's Content-Type is not one this endpoint takes.",
        422: "A field is invalid; `fields` names each one and why.",
        429: "Too many requests for this key this minute; see `Retry-After`.",
    ]

    static func pathParameters(_ path: String) -> [JSONValue] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { part in
            let name = String(part.dropFirst().dropLast())
            return ["name": .string(name), "in": "path", "required": true,
                    "description": .string(pathParameterDescriptions[name] ?? "The object's id."),
                    "schema": ["type": "string", "minLength": 1]]
        }
    }

    static let pathParameterDescriptions = [
        "id": "The object's id.",
        "lead_id": "The lead's id (a UUID).",
        "phone": "The phone number, E.164 (`+15551234567`) or a common US spelling.",
        "state": "A US state's two-letter code, or DC.",
        "token": "The unsubscribe token from the message's link.",
    ]
}

/// Who may call a route, as registered.
struct RouteAccess: Sendable {
    let rule: Access
    /// A caller on this machine needs no key (`/metrics`).
    let loopbackWithoutKey: Bool
}

/// A route's method and path, the key under which its access rule is recorded.
struct RouteKey: Hashable, Sendable {
    let method: HTTPMethod
    let path: String
    init(_ method: HTTPMethod, _ path: String) { self.method = method; self.path = path }
}

extension OpenAPI.Operation {
    /// `idempotent`: the route answers a retry carrying the same `Idempotency-Key` as it answered the first.
    init(_ method: HTTPMethod, _ path: String, _ tag: String, _ summary: String, description: String? = nil,
         query: [OpenAPI.Parameter] = [], headers: [OpenAPI.Parameter] = [], body: JSONValue? = nil,
         answers: [OpenAPI.Answer], refusals: [Int: String] = [:], idempotent: Bool = false) {
        var headers = headers, refusals = refusals
        if idempotent {
            headers.append(.init(name: "Idempotency-Key", schema: ["type": "string", "maxLength": 200],
                                 description: "A retried request with the same key answers as the first did."))
            refusals[409] = (refusals[409].map { $0 + " Or: " } ?? "") + "A request with this Idempotency-Key is still being processed."
        }
        self.init(method: method, path: path, tag: tag, summary: summary, description: description, query: query,
                  headers: headers, body: body.map { OpenAPI.Body(schema: $0) }, answers: answers, refusals: refusals)
    }

    func json(access: RouteAccess) -> JSONValue {
        var operation: [String: JSONValue] = [
            "tags": [.string(tag)],
            "summary": .string(summary),
            "operationId": .string(operationID),
        ]
        if let description { operation["description"] = .string(description) }
        let parameters = query.map { $0.json(in: "query") } + headers.map { $0.json(in: "header") }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body {
            operation["requestBody"] = ["required": .bool(body.required),
                                        "content": .object(Dictionary(uniqueKeysWithValues: body.contentTypes.map {
                                            ($0, ["schema": body.schema] as JSONValue)
                                        }))]
        }
        var responses: [String: JSONValue] = [:]
        for answer in answers {
            var response: [String: JSONValue] = ["description": .string(answer.description)]
            if let schema = answer.schema { response["content"] = [answer.contentType: ["schema": schema]] }
            responses[String(answer.status)] = .object(response)
        }
        for (status, description) in refusals {
            responses[String(status)] = ["description": .string(description),
                                         "content": ["application/json": ["schema": OpenAPI.Schema.ref("Error")]]]
        }
        for status in commonStatuses(access: access.rule) where responses[String(status)] == nil {
            responses[String(status)] = ["$ref": .string("#/components/responses/\(status)")]
        }
        operation["responses"] = .object(responses)
        var schemes = security(access.rule)
        if access.loopbackWithoutKey, case .array(let keyed) = schemes { schemes = .array([[:]] + keyed) }
        operation["security"] = schemes
        return .object(operation)
    }

    /// `post_api_v1_leads_inbound`, unique because method and path are.
    var operationID: String {
        let words = path.split(separator: "/").map { $0.filter { $0.isLetter || $0.isNumber || $0 == "_" } }.filter { !$0.isEmpty }
        return ([method.rawValue.lowercased()] + words).joined(separator: "_")
    }

    /// What any operation of this shape may answer: a body may be malformed, too large or of the wrong type; a body,
    /// a query or a path names values that may be invalid (422) and objects that may not exist (404).
    func commonStatuses(access: Access) -> [Int] {
        var statuses: [Int] = []
        if body != nil { statuses += [400, 413, 415] }
        if body != nil || !query.isEmpty || path.contains("{") { statuses += [404, 422] }
        if case .open = access {} else { statuses += [401, 403, 429] }
        return statuses
    }

    /// The schemes that carry a key on this path, each with the scopes (any one of them) the route needs.
    func security(_ access: Access) -> JSONValue {
        let scopes: [JSONValue]
        switch access {
        case .open: return []
        case .authenticated: scopes = []
        case .anyOf(let needed): scopes = Array(Set(needed + [.admin])).map(\.rawValue).sorted().map { .string($0) }
        }
        let schemes: [String] = switch KeyDialect.forPath(path) {
        case .bearer: ["bearer"]
        case .ezleeds: ["apiKey", "complianceKey"]
        case .any: ["bearer", "apiKey"]
        }
        return .array(schemes.map { [$0: .array(scopes)] })
    }
}

extension OpenAPI.Parameter {
    func json(in location: String) -> JSONValue {
        ["name": .string(name), "in": .string(location), "required": .bool(required), "description": .string(description),
         "schema": schema]
    }
}
