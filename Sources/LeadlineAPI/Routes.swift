import HTTPServer
import LeadlineCore

/// Registers routes with the access rule each needs; the key dialect follows from the path.
struct Routes {
    private(set) var router = Router()
    let keys: APIKeys
    let limiter: RateLimiter

    init(keys: APIKeys, limiter: RateLimiter) {
        self.keys = keys
        self.limiter = limiter
    }

    func middleware(for method: HTTPMethod, _ path: String, access: Access?, allowLoopback: Bool = false) -> [any Middleware] {
        let access = access ?? Access.defaultFor(method)
        if case .open = access { return [] }
        return [KeyAuthentication(keys: keys, limiter: limiter, dialect: KeyDialect.forPath(path), access: access,
                                  allowLoopbackWithoutKey: allowLoopback)]
    }

    mutating func add(_ method: HTTPMethod, _ path: String, access: Access? = nil, allowLoopback: Bool = false,
                      maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"],
                      _ handler: @escaping @Sendable (Request) throws -> Response) {
        router.add(method, path, middleware: middleware(for: method, path, access: access, allowLoopback: allowLoopback),
                   maxBodyBytes: maxBodyBytes, accepts: accepts, handler)
    }

    mutating func addAsync(_ method: HTTPMethod, _ path: String, access: Access? = nil,
                           maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"],
                           _ handler: @escaping @Sendable (Request) async throws -> Response) {
        router.addAsync(method, path, middleware: middleware(for: method, path, access: access),
                        maxBodyBytes: maxBodyBytes, accepts: accepts, handler)
    }
}
