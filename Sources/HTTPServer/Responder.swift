import Logging

/// Runs a request through the server's middleware, the router, the route's middleware and its handler, and turns
/// whatever is thrown into the one JSON error shape. The libmicrohttpd glue in `HTTPServer` only moves bytes.
public final class Responder: Sendable {
    public enum Outcome: Sendable {
        case now(Response)
        case later(@Sendable () async -> Response)
        /// Started on the server thread; calls its argument once, from any thread, with the answer.
        case deferred(@Sendable (@escaping @Sendable (Response) -> Void) -> Void)
    }

    public let router: Router
    let middleware: [any Middleware]
    let defaultMaxBodyBytes: Int
    let logger: Logger

    public init(router: Router, middleware: [any Middleware], defaultMaxBodyBytes: Int = 1 << 20,
                logger: Logger = Logger(label: "leadline.http")) {
        self.router = router
        self.middleware = middleware
        self.defaultMaxBodyBytes = defaultMaxBodyBytes
        self.logger = logger
    }

    func maxBodyBytes(for match: Router.Match) -> Int {
        if case .found(let route, _) = match { return route.maxBodyBytes ?? defaultMaxBodyBytes }
        return defaultMaxBodyBytes
    }

    /// Answers a request. `match` is the router's answer, found while the body was still arriving (it sets the body
    /// limit); `bodyError` says why the body could not be taken (too large, or an upload that could not be stored).
    public func respond(to incoming: Request, match: Router.Match, bodyError: HTTPError? = nil) -> Outcome {
        var request = incoming
        var prepared = 0
        do {
            for stage in middleware {
                prepared += 1
                if let early = try stage.prepare(&request) { return .now(finish(request, early, route: [], global: prepared)) }
            }
            let route: Route
            switch match {
            case .notFound:
                throw HTTPError.notFound("no route for \(request.method) \(request.path)")
            case .methodNotAllowed(let allowed):
                throw HTTPError.methodNotAllowed(allowed: allowed)
            case .found(let found, let parameters):
                route = found
                request.route = found.pattern
                request.parameters = parameters
            }
            if let bodyError { throw bodyError }
            if request.hasBody, !route.accepts.isEmpty {
                guard let media = request.mediaType, route.accepts.contains(where: { accepts($0, media) }) else {
                    throw HTTPError.unsupportedMediaType(request.headers["Content-Type"], expected: route.accepts.joined(separator: " or "))
                }
            }
            var routePrepared = 0
            do {
                for stage in route.middleware {
                    routePrepared += 1
                    if let early = try stage.prepare(&request) {
                        return .now(finish(request, early, route: route.middleware.prefix(routePrepared), global: prepared))
                    }
                }
                switch route.handler {
                case .sync(let handler):
                    let response = try handler(request)
                    return .now(finish(request, response, route: route.middleware[...], global: prepared))
                case .async(let handler):
                    let ready = request, globalPrepared = prepared
                    return .later { [self] in
                        let response: Response
                        do { response = try await handler(ready) } catch { response = errorResponse(error, ready) }
                        return finish(ready, response, route: route.middleware[...], global: globalPrepared)
                    }
                case .deferred(let handler):
                    let ready = request, globalPrepared = prepared
                    return .deferred { [self] deliver in
                        handler(ready, Reply { deliver(self.finish(ready, $0, route: route.middleware[...], global: globalPrepared)) })
                    }
                }
            } catch {
                return .now(finish(request, errorResponse(error, request), route: route.middleware.prefix(routePrepared), global: prepared))
            }
        } catch {
            return .now(finish(request, errorResponse(error, request), route: [], global: prepared))
        }
    }

    /// Runs the route's `screen` checks on a request whose body has not been read yet; nil when it may send its body.
    func screen(_ request: Request, match: Router.Match) -> HTTPError? {
        guard case .found(let route, _) = match else { return nil }
        do {
            for stage in route.middleware { try stage.screen(request) }
            return nil
        } catch let error as any HTTPErrorConvertible {
            return error.httpError
        } catch {
            return HTTPError.internalError
        }
    }

    private func accepts(_ accepted: String, _ media: String) -> Bool {
        accepted == media || (accepted == "application/json" && media.hasSuffix("+json"))
    }

    private func finish(_ request: Request, _ response: Response, route: ArraySlice<any Middleware>, global: Int) -> Response {
        var response = response
        for stage in route.reversed() { stage.finish(request, &response) }
        for stage in middleware.prefix(global).reversed() { stage.finish(request, &response) }
        return response
    }

    private func errorResponse(_ error: any Error, _ request: Request) -> Response {
        if let convertible = error as? any HTTPErrorConvertible { return convertible.httpError.response }
        logger.error("unhandled error", metadata: [
            "request_id": .string(request.requestID), "route": .string(request.route ?? "-"),
            "error": .string(String(describing: error)),
        ])
        return HTTPError.internalError.response
    }
}
