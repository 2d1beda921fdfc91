import HTTPServer
import LeadlineAdmin
import LeadlineCore

/// Registers routes with the access rule each needs; the key dialect follows from the path.
struct Routes {
    private(set) var router = Router()
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
        router.add(method, path, middleware: middleware(for: method, path, access: access, allowLoopback: allowLoopback),
                   maxBodyBytes: maxBodyBytes, accepts: accepts, bodyToFile: bodyToFile, handler)
    }

    mutating func addAsync(_ method: HTTPMethod, _ path: String, access: Access? = nil,
                           maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"], bodyToFile: Bool = false,
                           _ handler: @escaping @Sendable (Request) async throws -> Response) {
        router.addAsync(method, path, middleware: middleware(for: method, path, access: access),
                        maxBodyBytes: maxBodyBytes, accepts: accepts, bodyToFile: bodyToFile, handler)
    }

    /// The web console's pages (`/admin`); they use sessions, not API keys.
    mutating func addConsole(_ console: Console) { console.register(&router) }
}
