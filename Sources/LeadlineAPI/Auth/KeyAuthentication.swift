import HTTPServer
import LeadlineCore

enum CallerKey: AttributeKey { typealias Value = Caller }
enum RateLimitKey: AttributeKey { typealias Value = RateLimiter.Decision }

extension Request {
    /// The authenticated caller; routes behind `KeyAuthentication` always have one.
    public var caller: Caller {
        get throws {
            guard let caller = attributes[CallerKey.self] else { throw HTTPError.unauthorized("this endpoint needs an API key") }
            return caller
        }
    }
}

/// Checks the key (401 when missing, malformed, unknown or revoked), counts the request against the key's
/// per-minute limit (429 with `Retry-After`), then checks the scope (403). Every answer to an authenticated request
/// carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
struct KeyAuthentication: Middleware {
    let keys: APIKeys
    let limiter: RateLimiter
    let dialect: KeyDialect
    let access: Access
    /// Lets a request without a key through when it comes from this machine (`/metrics`).
    var allowLoopbackWithoutKey = false

    /// Before an upload's body is read: a valid key with the scope (the rate limit is counted once, in `prepare`).
    func screen(_ request: Request) throws {
        guard let caller = try authenticate(request) else { return }
        try checkScope(caller)
    }

    func prepare(_ request: inout Request) throws -> Response? {
        guard let caller = try authenticate(request) else { return nil }
        request.attributes[CallerKey.self] = caller
        request.actor = caller.keyID

        let decision = limiter.admit(key: caller.keyID, limit: caller.rateLimitPerMinute)
        request.attributes[RateLimitKey.self] = decision
        guard decision.allowed else { throw HTTPError.tooManyRequests(retryAfter: decision.retryAfter) }
        try checkScope(caller)
        return nil
    }

    /// The caller the request's key belongs to; nil for a keyless request from this machine where that is allowed.
    private func authenticate(_ request: Request) throws -> Caller? {
        guard let presented = dialect.presentedKey(request.headers) else {
            if allowLoopbackWithoutKey && request.isFromLoopback { return nil }
            throw unauthorized("missing API key; \(dialect.howToSend)")
        }
        let token: String
        switch presented {
        case .failure(let error): throw withChallenge(error)
        case .success(let value): token = value
        }
        let caller: Caller
        switch try keys.check(token) {
        case .malformed: throw unauthorized("malformed API key; keys look like ll_ followed by 40 letters and digits")
        case .unknown: throw unauthorized("unknown API key")
        case .revoked: throw unauthorized("this API key has been revoked")
        case .valid(let found): caller = found
        }
        return caller
    }

    private func checkScope(_ caller: Caller) throws {
        switch access {
        case .open, .authenticated:
            break
        case .anyOf(let scopes):
            guard scopes.contains(where: caller.has) else {
                let names = scopes.map(\.rawValue).joined(separator: " or ")
                throw HTTPError.forbidden("this key lacks the \(names) scope needed here (it has: \(caller.scopes.map(\.rawValue).joined(separator: ", ")))")
            }
        }
    }

    func finish(_ request: Request, _ response: inout Response) {
        guard let decision = request.attributes[RateLimitKey.self], decision.limit > 0 else { return }
        response.headers.set("X-RateLimit-Limit", String(decision.limit))
        response.headers.set("X-RateLimit-Remaining", String(decision.remaining))
        response.headers.set("X-RateLimit-Reset", String(decision.reset))
    }

    private func unauthorized(_ message: String) -> HTTPError { withChallenge(.unauthorized(message)) }

    private func withChallenge(_ error: HTTPError) -> HTTPError {
        var error = error
        if dialect == .bearer { error.headers["WWW-Authenticate"] = "Bearer" }
        return error
    }
}
