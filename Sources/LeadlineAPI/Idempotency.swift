import HTTPServer
import LeadlineCore
import LeadlineCrypto
import Synchronization

/// `Idempotency-Key` on a POST: the first successful answer is kept for a day and replayed (with
/// `Idempotent-Replayed: true`) to any retry of the same request; the same key with a different request is a 422,
/// and a retry while the first is still running is a 409. Answers that failed are not kept, so they can be retried.
struct Idempotency: Sendable {
    let records: IdempotencyRecords
    private let inFlight = InFlight()

    private final class InFlight: Sendable {
        let keys = Mutex<Set<String>>([])
        func claim(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }
        func release(_ key: String) { _ = keys.withLock { $0.remove(key) } }
    }

    init(records: IdempotencyRecords) { self.records = records }

    func run(_ request: Request, tenantID: String, _ body: () async throws -> Response) async throws -> Response {
        guard let key = request.headers["Idempotency-Key"] else { return try await body() }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw HTTPError.validation([.init(field: "Idempotency-Key", reason: "must be 1 to 255 visible ASCII characters")])
        }
        let fingerprint = Digest.sha256(Array("\(request.method.rawValue) \(request.path)\n".utf8) + request.body).hex
        if let stored = try records.find(tenantID: tenantID, key: key) {
            return try replay(stored, fingerprint)
        }
        let slot = tenantID + "\u{0}" + key
        guard inFlight.claim(slot) else {
            throw HTTPError.conflict("a request with this Idempotency-Key is still being processed; retry shortly",
                                     code: "idempotency_in_progress")
        }
        defer { inFlight.release(slot) }
        // It may have finished between the lookup and the claim.
        if let stored = try records.find(tenantID: tenantID, key: key) { return try replay(stored, fingerprint) }
        let response = try await body()
        if (200..<300).contains(response.status), case .bytes(let bytes) = response.body {
            try await records.save(tenantID: tenantID, key: key,
                                   .init(requestHash: fingerprint, status: response.status,
                                         contentType: response.headers["Content-Type"], body: bytes))
        }
        return response
    }

    private func replay(_ stored: IdempotencyRecords.Record, _ fingerprint: String) throws -> Response {
        guard stored.requestHash == fingerprint else {
            throw HTTPError.validation([.init(field: "Idempotency-Key", reason: "was already used with a different request")])
        }
        var headers = HTTPHeaders()
        if let type = stored.contentType { headers.add("Content-Type", type) }
        headers.add("Idempotent-Replayed", "true")
        return Response(status: stored.status, headers: headers, body: .bytes(stored.body))
    }
}
