import Foundation
import GRDB
import Store

/// Stored first answers to requests that carried an `Idempotency-Key`, kept for `lifetime`.
public struct IdempotencyRecords: Sendable {
    public struct Record: Sendable, Equatable {
        public var requestHash: String
        public var status: Int
        public var contentType: String?
        public var body: [UInt8]

        public init(requestHash: String, status: Int, contentType: String?, body: [UInt8]) {
            self.requestHash = requestHash
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public static let lifetime: TimeInterval = 24 * 3600
    let store: SQLiteStore
    let clock: any Clock

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public func find(tenantID: String, key: String) throws -> Record? {
        let cutoff = Timestamp.format(clock.now.addingTimeInterval(-Self.lifetime))
        return try store.lookup { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT request_hash, status, content_type, body FROM idempotency_keys
                WHERE tenant_id = ? AND key = ? AND created_at >= ?
                """), arguments: [tenantID, key, cutoff]) else { return nil }
            let body: Data = row["body"]
            return Record(requestHash: row["request_hash"], status: row["status"], contentType: row["content_type"], body: [UInt8](body))
        }
    }

    /// Keeps the answer (replacing an expired one under the same key) and forgets answers past their lifetime.
    public func save(tenantID: String, key: String, _ record: Record) async throws {
        let now = clock.now
        let stamp = Timestamp.format(now), cutoff = Timestamp.format(now.addingTimeInterval(-Self.lifetime))
        try await store.write { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE created_at < ?").execute(arguments: [cutoff])
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO idempotency_keys (tenant_id, key, request_hash, status, content_type, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [tenantID, key, record.requestHash, record.status, record.contentType, Data(record.body), stamp])
        }
    }
}
