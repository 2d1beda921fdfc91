import Logging

/// One line per request: method, route pattern (never the raw path, which can carry a phone number or an email),
/// status, milliseconds and the calling key's id.
public struct AccessLogMiddleware: Middleware {
    let logger: Logger

    public init(logger: Logger = Logger(label: "leadline.access")) { self.logger = logger }

    public func finish(_ request: Request, _ response: inout Response) {
        let elapsed = ContinuousClock.now - request.receivedAt
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(request.route ?? "unmatched"),
            "status": .stringConvertible(response.status),
            "ms": .string(String(format: "%.2f", ms)),
            "key": .string(request.actor ?? "-"),
            "request_id": .string(request.requestID),
        ])
    }
}
