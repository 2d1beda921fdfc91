/// What a route does with a request: answer on the server thread, or suspend the connection and answer later
/// (the ping-post auction waits on buyers that way without holding a server thread).
public enum Handler: Sendable {
    case sync(@Sendable (Request) throws -> Response)
    case async(@Sendable (Request) async throws -> Response)
    /// Called on the server thread with the connection suspended; answers through its `Reply`, from any thread, with
    /// no task in between (a mock buyer's late answer comes from one timer thread).
    case deferred(@Sendable (Request, Reply) -> Void)
}

public struct Route: Sendable {
    public var method: HTTPMethod
    public var pattern: String
    public var handler: Handler
    public var middleware: [any Middleware]
    /// Largest body accepted, in bytes.
    public var maxBodyBytes: Int?
    /// Media types accepted for a non-empty body.
    public var accepts: [String]
    /// The body goes to a file (`Request.bodyFile`) as it arrives instead of into memory: uploads of up to `maxBodyBytes`.
    public var bodyToFile: Bool

    fileprivate var segments: [Segment]

    fileprivate enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        /// `{name...}`, last: the rest of the path, slashes included (`/assets/{path...}`).
        case rest(String)
    }

    public init(method: HTTPMethod, pattern: String, middleware: [any Middleware] = [], maxBodyBytes: Int? = nil,
                accepts: [String] = ["application/json"], bodyToFile: Bool = false, handler: Handler) {
        self.method = method
        self.pattern = pattern
        self.handler = handler
        self.middleware = middleware
        self.maxBodyBytes = maxBodyBytes
        self.accepts = accepts
        self.bodyToFile = bodyToFile
        self.segments = Router.split(pattern).map { part in
            guard part.hasPrefix("{") && part.hasSuffix("}") else { return .literal(String(part)) }
            let name = part.dropFirst().dropLast()
            return name.hasSuffix("...") ? .rest(String(name.dropLast(3))) : .parameter(String(name))
        }
        precondition(!segments.dropLast().contains { if case .rest = $0 { true } else { false } },
                     "a {name...} segment must come last in \(pattern)")
    }
}

/// Matches method and path to a route. A path that exists under another method answers 405 with `Allow`;
/// a trailing slash is not significant (`/api/v1/leads/` and `/api/v1/leads` are one route).
public struct Router: Sendable {
    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private var routesBySegmentCount: [Int: [Route]] = [:]
    /// Routes without parameters, by their path: a path that is one of them is matched by a lookup (no pattern is
    /// more specific than an all-literal one), which is most requests (intake, pings, keys).
    private var literalRoutes: [String: [Route]] = [:]
    /// Routes ending in `{name...}`, which match paths of any greater length.
    private var restRoutes: [Route] = []
    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ route: Route) {
        precondition(!routes.contains { $0.method == route.method && $0.segments == route.segments },
                     "route \(route.method) \(route.pattern) registered twice")
        routes.append(route)
        if case .rest = route.segments.last {
            restRoutes.append(route)
        } else {
            routesBySegmentCount[route.segments.count, default: []].append(route)
        }
        let literals = route.segments.compactMap { if case .literal(let text) = $0 { text } else { nil } }
        if literals.count == route.segments.count { literalRoutes[literals.joined(separator: "/"), default: []].append(route) }
    }

    public mutating func add(_ method: HTTPMethod, _ pattern: String, middleware: [any Middleware] = [],
                             maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"], bodyToFile: Bool = false,
                             _ handler: @escaping @Sendable (Request) throws -> Response) {
        add(Route(method: method, pattern: pattern, middleware: middleware, maxBodyBytes: maxBodyBytes,
                  accepts: accepts, bodyToFile: bodyToFile, handler: .sync(handler)))
    }

    public mutating func addAsync(_ method: HTTPMethod, _ pattern: String, middleware: [any Middleware] = [],
                                  maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"], bodyToFile: Bool = false,
                                  _ handler: @escaping @Sendable (Request) async throws -> Response) {
        add(Route(method: method, pattern: pattern, middleware: middleware, maxBodyBytes: maxBodyBytes,
                  accepts: accepts, bodyToFile: bodyToFile, handler: .async(handler)))
    }

    public mutating func addDeferred(_ method: HTTPMethod, _ pattern: String, middleware: [any Middleware] = [],
                                     maxBodyBytes: Int? = nil, accepts: [String] = ["application/json"],
                                     _ handler: @escaping @Sendable (Request, Reply) -> Void) {
        add(Route(method: method, pattern: pattern, middleware: middleware, maxBodyBytes: maxBodyBytes, accepts: accepts,
                  handler: .deferred(handler)))
    }

    /// The most specific pattern that matches `path` decides: `/leads/inbound` is that route's alone, so a `GET` of
    /// it is a 405, not a lookup of a lead called "inbound" by `/leads/{id}`. Among patterns, a literal segment is
    /// more specific than a parameter, and a parameter than a `{rest...}`, compared from the left.
    public func match(_ method: HTTPMethod, _ path: String) -> Match {
        let parts = Router.split(path)
        let lookup = method == .HEAD ? HTTPMethod.GET : method
        var best: [(route: Route, parameters: [String: String])] = []
        func consider(_ route: Route) {
            guard let parameters = Router.bind(route.segments, parts) else { return }
            if let first = best.first {
                let order = Router.specificity(route.segments, first.route.segments)
                if order < 0 { return }
                if order > 0 { best.removeAll() }
            }
            best.append((route, parameters))
        }
        if let literal = literalRoutes[parts.joined(separator: "/")] {
            best = literal.map { ($0, [:]) }
        } else {
            for route in routesBySegmentCount[parts.count] ?? [] { consider(route) }
            for route in restRoutes { consider(route) }
        }
        if let found = best.first(where: { $0.route.method == lookup }) { return .found(found.route, parameters: found.parameters) }
        if best.isEmpty { return .notFound }
        var allowed = best.map(\.route.method)
        if allowed.contains(.GET) { allowed.append(.HEAD) }
        return .methodNotAllowed(allowed)
    }

    /// Positive when `a` is more specific than `b`, negative when less, zero when alike.
    private static func specificity(_ a: [Route.Segment], _ b: [Route.Segment]) -> Int {
        func rank(_ segment: Route.Segment) -> Int {
            switch segment {
            case .literal: return 2
            case .parameter: return 1
            case .rest: return 0
            }
        }
        for (x, y) in zip(a, b) where rank(x) != rank(y) { return rank(x) - rank(y) }
        return a.count - b.count
    }

    private static func bind(_ segments: [Route.Segment], _ parts: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                guard index < parts.count, text == parts[index] else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                parameters[name] = String(parts[index])
            case .rest(let name):
                guard index < parts.count else { return nil }
                parameters[name] = parts[index...].joined(separator: "/")
            }
        }
        return segments.count == parts.count || segments.last.map({ if case .rest = $0 { true } else { false } }) == true
            ? parameters : nil
    }

    static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
