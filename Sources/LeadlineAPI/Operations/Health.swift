import HTTPServer
import Prometheus

extension Routes {
    /// `GET /healthz` for load balancers and supervisors (no key); `GET /metrics` in Prometheus text for an admin key
    /// or a caller on this machine (a reverse proxy's forwarded requests do not count as local).
    mutating func addOperations(metrics: PrometheusCollectorRegistry) {
        let healthy = Array(#"{"status":"ok"}"#.utf8)
        add(.GET, "/healthz", access: .open) { _ in
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            return Response(status: 200, headers: headers, body: .bytes(healthy))
        }
        add(.GET, "/metrics", access: .admin, allowLoopback: true) { _ in
            .text(metrics.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
