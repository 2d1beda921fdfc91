/// A stage every request of a route (or of the server) passes through.
/// `prepare` runs before the handler and may answer at once (a 401, a 429) or add to the request;
/// `finish` runs on every response on its way out, in reverse order, whatever produced it.
/// `screen` runs first, on the headers alone, for routes that write their body to a file (`Route.bodyToFile`): what it
/// throws is answered before any of the body is read, so nobody can fill the disk without passing it.
public protocol Middleware: Sendable {
    func screen(_ request: Request) throws
    func prepare(_ request: inout Request) throws -> Response?
    func finish(_ request: Request, _ response: inout Response)
}

extension Middleware {
    public func screen(_ request: Request) throws {}
    public func prepare(_ request: inout Request) throws -> Response? { nil }
    public func finish(_ request: Request, _ response: inout Response) {}
}
