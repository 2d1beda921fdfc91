import Prometheus
import Synchronization

/// Counts requests by route, method and status, and records their latency, into a Prometheus registry.
/// The metric handles are kept per route and status, so the registry's own lookups (which build names and hash
/// label lists) happen once per combination, not once per request.
public struct MetricsMiddleware: Middleware {
    let registry: PrometheusCollectorRegistry
    private let handles = Handles()

    private final class Handles: Sendable {
        struct CounterKey: Hashable { let route: String; let method: String; let status: Int }
        let counters = Mutex<[CounterKey: Counter]>([:])
        let histograms = Mutex<[String: DurationHistogram]>([:])
    }

    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]
    nonisolated(unsafe) static let requests = MetricNameDescriptor(namespace: "leadline", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests answered, by route, method and status")
    nonisolated(unsafe) static let latency = MetricNameDescriptor(namespace: "leadline", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                              helpText: "Time from a request's headers to its answer being ready, by route")

    static let knownMethods: Set<HTTPMethod> = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    public func finish(_ request: Request, _ response: inout Response) {
        let route = request.route ?? "unmatched"
        // Clients choose the method: only the known ones become label values, so a scanner cannot grow the metrics.
        let method = Self.knownMethods.contains(request.method) ? request.method.rawValue : "OTHER"
        let key = Handles.CounterKey(route: route, method: method, status: response.status)
        let counter = handles.counters.withLock { counters in
            if let known = counters[key] { return known }
            let made = registry.makeCounter(descriptor: Self.requests,
                                            labels: [("route", route), ("method", key.method), ("status", String(key.status))])
            counters[key] = made
            return made
        }
        counter.increment()
        let histogram = handles.histograms.withLock { histograms in
            if let known = histograms[route] { return known }
            let made = registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)], buckets: Self.latencyBuckets)
            histograms[route] = made
            return made
        }
        histogram.record(ContinuousClock.now - request.receivedAt)
    }
}
