import Prometheus

/// Counts requests by route, method and status, and records their latency, into a Prometheus registry.
public struct MetricsMiddleware: Middleware {
    let registry: PrometheusCollectorRegistry
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]

    nonisolated(unsafe) static let requests = MetricNameDescriptor(namespace: "leadline", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests answered, by route, method and status")
    nonisolated(unsafe) static let latency = MetricNameDescriptor(namespace: "leadline", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                              helpText: "Time from a request's headers to its answer being ready, by route")

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    public func finish(_ request: Request, _ response: inout Response) {
        let route = request.route ?? "unmatched"
        registry.makeCounter(descriptor: Self.requests,
                             labels: [("route", route), ("method", request.method.rawValue), ("status", String(response.status))])
            .increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)], buckets: Self.latencyBuckets)
            .record(ContinuousClock.now - request.receivedAt)
    }
}
