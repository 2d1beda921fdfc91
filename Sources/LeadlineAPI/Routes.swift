import HTTPServer
import LeadlineAdmin
import LeadlineCore

/// Registers routes with the access rule each needs; the key dialect follows from the path.
struct Routes {
    private(set) var router = Router()
    /// Each API route's access rule, for the OpenAPI description (console routes are not here: they use sessions).
    private(set) var access: [RouteKey: RouteAccess] = [:]
    let keys: APIKeys
    let limiter: RateLimiter
    /// Replays first answers to retried POSTs; nil where a router is built without a store (tests of the dialects).
    let idempotency: Idempotency?

    init(keys: APIKeys, limiter: RateLimiter, idempotency: Idempotency? = nil) {
        self.keys = keys
        self.limiter = limiter
        self.idempotency = idempotency
    }

    /// Runs `body` under the request's `Idempotency-Key`, when it has one.
    func idempotent(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        guard let idempotency else { return try await body() }
        return try await idempotency.run(request, tenantID: try request.caller.tenantID, body)
    }

    func middleware(for method: HTTPMethod, _ path: String, access: Access?, allowLoopback: Bool = false) -> [any Middleware] {
        let access = access ?? Access.defaultFor(method)
        if case .open = access { return [] }
        return [KeyAuthentication(keys: keys, limiter: limiter, dialect: KeyDialect.forPath(path), access: access,
                                  allowLoopbackWithoutKey: allowLoopback)]
    }

    mutating func add(_ method: HTTPMethod, _ path: String, access: Access? = nil, allowLoopback: Bool = false,
                      maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"], bodyToFile: Bool = false,
                      _ handler: @escaping @Sendable (Request) throws -> Response) {
        self.access[RouteKey(method, path)] = RouteAccess(rule: access ?? Access.defaultFor(method), loopbackWithoutKey: allowLoopback)
        router.add(method, path, middleware: middleware(for: method, path, access: access, allowLoopback: allowLoopback),
                   maxBodyBytes: maxBodyBytes, accepts: accepts, bodyToFile: bodyToFile, handler)
    }

    mutating func addAsync(_ method: HTTPMethod, _ path: String, access: Access? = nil,
                           maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"], bodyToFile: Bool = false,
                           _ handler: @escaping @Sendable (Request) async throws -> Response) {
        self.access[RouteKey(method, path)] = RouteAccess(rule: access ?? Access.defaultFor(method), loopbackWithoutKey: false)
        router.addAsync(method, path, middleware: middleware(for: method, path, access: access),
                        maxBodyBytes: maxBodyBytes, accepts: accepts, bodyToFile: bodyToFile, handler)
    }

    /// `GET /openapi.json`: the description of every route registered before it, written once; answers it too, for
    /// the console's API reference.
    mutating func addOpenAPI(version: String) -> JSONValue {
        var rules = access
        rules[RouteKey(.GET, "/openapi.json")] = RouteAccess(rule: .open, loopbackWithoutKey: false)
        let description = OpenAPI.document(access: rules, version: version)
        let document: [UInt8]
        do { document = try JSON.encode(description) } catch {
            preconditionFailure("the OpenAPI description does not encode: \(error)")
        }
        add(.GET, "/openapi.json", access: .open) { _ in
            var response = Response(status: 200, body: .bytes(document))
            response.headers.set("Content-Type", "application/json")
            response.headers.set("Access-Control-Allow-Origin", "*")
            return response
        }
        return description
    }

    /// The web console's pages (`/admin`); they use sessions, not API keys.
    mutating func addConsole(_ console: Console, apiDocument: JSONValue) { console.register(&router, apiDocument: apiDocument) }
}
