import HTTPServer
import Prometheus

extension Routes {
    /// `GET /healthz` for load balancers and supervisors (no key); `GET /metrics` in Prometheus text for an admin key
    /// or a caller on this machine (a reverse proxy's forwarded requests do not count as local).
    mutating func addOperations(metrics: PrometheusCollectorRegistry) {
        add(.GET, "/healthz", access: .open) { _ in
            try .json(["status": "ok"])
        }
        add(.GET, "/metrics", access: .admin, allowLoopback: true) { _ in
            .text(metrics.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
