import Foundation
import GRDB
import LeadlineCrypto
import Store

/// Revenue postbacks: call platforms report what a transferred call paid, authenticated by the tenant's private
/// token. A hit is matched to its transfer by an id Leadline gave out and the platform echoed, else by the caller id
/// (the consumer's number, presented on the transfer) within ±4 hours, nearest first, among transfers not matched
/// yet. The revenue lands on the transfer and in the ledger in the same transaction. The same platform call id, or
/// the same hit without one, is recorded once; a hit that matches nothing waits for review.
public struct Postbacks: Sendable {
    public static let matchWindow: TimeInterval = 4 * 3600
    static let tokenPrefix = "pbt_"

    let store: SQLiteStore
    let clock: any Clock
    let secrets: StoredSecrets

    public init(store: SQLiteStore, clock: any Clock, secrets: StoredSecrets) {
        self.store = store
        self.clock = clock
        self.secrets = secrets
    }

    // MARK: The token

    /// The URL a tenant gives its call platforms: `base` (where they reach this server) and the token.
    public static func url(base: String, token: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/postbacks/calls?token=" + token
    }

    /// The tenant's postback token, made on first use.
    public func token(tenantID: String) async throws -> String {
        if let existing = try store.read({ db in try sealedToken(db, tenantID: tenantID) }) { return existing }
        return try await rotate(tenantID: tenantID, onlyIfNone: true)
    }

    /// Replaces the tenant's token: the old one stops working at once.
    @discardableResult
    public func rotate(tenantID: String, onlyIfNone: Bool = false) async throws -> String {
        let token = Self.tokenPrefix + SecureRandom.base62(length: 40)
        let sealed = Data(secrets.seal(token, context: "\(tenantID):postback_token"))
        let hash = Digest.sha256(token).hex
        return try await store.write { [self] db in
            if onlyIfNone, let existing = try sealedToken(db, tenantID: tenantID) { return existing }
            try db.execute(sql: "UPDATE tenants SET postback_token = ?, postback_token_hash = ? WHERE id = ?", arguments: [sealed, hash, tenantID])
            guard db.changesCount == 1 else { throw CoreError.notFound("tenant \(tenantID)") }
            return token
        }
    }

    private func sealedToken(_ db: GRDB.Database, tenantID: String) throws -> String? {
        guard let sealed = try Data?.fetchOne(db, sql: "SELECT postback_token FROM tenants WHERE id = ?", arguments: [tenantID]) ?? nil else {
            return nil
        }
        return try secrets.open(Array(sealed), context: "\(tenantID):postback_token")
    }

    /// The tenant whose token this is; nil for any other text. Looked up by the token's digest (no token is stored
    /// in the clear, and the comparison does not depend on how much of it matched).
    public func tenant(forToken token: String) throws -> String? {
        guard token.hasPrefix(Self.tokenPrefix), token.count < 100 else { return nil }
        let hash = Digest.sha256(token).hex
        return try store.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM tenants WHERE postback_token_hash = ?"), arguments: [hash])
        }
    }

    // MARK: Receiving

    public struct Receipt: Sendable, Equatable {
        public var postback: Postback
        /// The same hit (or platform call id) was recorded before: this one changed nothing.
        public var duplicate: Bool
        /// Fields that could not be read (kept as received).
        public var problems: [CoreError.FieldProblem] = []
    }

    public func receive(tenantID: String, fields: [(name: String, value: String)], actor: String = "postback") async throws -> Receipt {
        let report = PostbackReport(fields: fields)
        let now = clock.now, stamp = Timestamp.format(now)
        var raw = CanonicalJSON()
        for (name, value) in fields.prefix(100) where name.lowercased() != "token" { raw.add(String(name.prefix(100)), String(value.prefix(1000))) }
        let id = Identifier.sortable("pb", at: now), fieldsJSON = raw.string
        return try await store.write { db in
            if let earlier = try Self.earlier(db, tenantID: tenantID, report) {
                return Receipt(postback: earlier, duplicate: true, problems: report.problems)
            }
            try db.cachedStatement(sql: """
                INSERT INTO postbacks (id, tenant_id, platform_call_id, echoed_id, caller_id, duration_seconds, buyer_name, revenue_cents,
                                       fingerprint, fields, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, tenantID, report.platformCallID, report.echoedID, report.callerID, report.durationSeconds, report.buyer,
                                 report.revenueCents, report.fingerprint, fieldsJSON, stamp])
            if let (transferID, method) = try Self.candidate(db, tenantID: tenantID, report, at: now) {
                try Self.attach(db, postbackID: id, cents: report.revenueCents ?? 0, transferID: transferID, method: method, actor: actor, at: stamp)
            }
            return Receipt(postback: try Self.fetch(db, tenantID: tenantID, id: id), duplicate: false, problems: report.problems)
        }
    }

    /// The postback this hit repeats: the same platform call id, or without one the same fields.
    static func earlier(_ db: GRDB.Database, tenantID: String, _ report: PostbackReport) throws -> Postback? {
        if let callID = report.platformCallID {
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM postbacks WHERE tenant_id = ? AND platform_call_id = ?"),
                                          arguments: [tenantID, callID]) { return Postback(row: row) }
        }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM postbacks WHERE tenant_id = ? AND fingerprint = ?"),
                                arguments: [tenantID, report.fingerprint]).map(Postback.init)
    }

    /// The transfer a hit belongs to: the echoed one, else the nearest unmatched connected transfer from the caller
    /// within the window.
    static func candidate(_ db: GRDB.Database, tenantID: String, _ report: PostbackReport, at now: Date) throws -> (String, String)? {
        if let echoed = report.echoedID {
            let sql = echoed.hasPrefix("xfer_")
                ? "SELECT id FROM transfers WHERE tenant_id = ? AND id = ? AND postback_id IS NULL"
                : "SELECT id FROM transfers WHERE tenant_id = ? AND attempt_id = ? AND postback_id IS NULL AND status IN ('bridged', 'ended') ORDER BY started_at DESC LIMIT 1"
            if let id = try String.fetchOne(db, sql: sql, arguments: [tenantID, echoed]) { return (id, "echoed_id") }
        }
        guard let caller = report.callerID, caller.hasPrefix("+") else { return nil }
        let from = Timestamp.format(now.addingTimeInterval(-matchWindow)), to = Timestamp.format(now.addingTimeInterval(matchWindow))
        let reference = now.timeIntervalSince1970
        let nearby = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, started_at FROM transfers
            WHERE tenant_id = ? AND caller_id = ? AND started_at >= ? AND started_at <= ? AND postback_id IS NULL
              AND status IN ('bridged', 'ended')
            """), arguments: [tenantID, caller, from, to])
        let nearest = nearby.min { a, b in
            abs((Timestamp.parse(a["started_at"])?.timeIntervalSince1970 ?? 0) - reference)
                < abs((Timestamp.parse(b["started_at"])?.timeIntervalSince1970 ?? 0) - reference)
        }
        return nearest.map { ($0["id"], "caller_id") }
    }

    /// Matches a postback of `cents` to a transfer: the revenue goes on the transfer, the lead's events and the ledger.
    /// Every statement is cached: this runs once per postback on the single writer.
    static func attach(_ db: GRDB.Database, postbackID: String, cents: Int, transferID: String, method: String, actor: String,
                       at stamp: String) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT tenant_id, lead_id, buyer_id FROM transfers WHERE id = ?"),
                                         arguments: [transferID]) else {
            throw CoreError.notFound("transfer \(transferID)")
        }
        let tenantID: String = row["tenant_id"], leadID: String = row["lead_id"], buyerID: String? = row["buyer_id"]
        try db.cachedStatement(sql: "UPDATE postbacks SET transfer_id = ?, match_method = ?, matched_at = ?, matched_by = ? WHERE id = ?")
            .execute(arguments: [transferID, method, stamp, actor, postbackID])
        try db.cachedStatement(sql: "UPDATE transfers SET revenue_cents = ?, postback_id = ? WHERE id = ?")
            .execute(arguments: [cents, postbackID, transferID])
        try Ledger.chargeCall(db, tenantID: tenantID, transferID: transferID, buyerID: buyerID, leadID: leadID,
                              cents: cents, actor: actor, at: stamp)
        var detail = CanonicalJSON()
        detail.add("transfer_id", transferID)
        detail.add("postback_id", postbackID)
        detail.add("revenue_cents", cents)
        detail.add("match_method", method)
        try Lead.record(db, leadID: leadID, "call_revenue", moving: nil, detail: detail, actor: actor, at: stamp)
    }

    /// Matches a postback waiting for review to a transfer by hand.
    public func match(tenantID: String, postbackID: String, transferID: String, actor: String) async throws -> Postback {
        let stamp = Timestamp.format(clock.now)
        return try await store.write { db in
            let postback = try Self.fetch(db, tenantID: tenantID, id: postbackID)
            if let already = postback.transferID {
                throw CoreError.refused(code: "already_matched", "postback \(postbackID) is matched to transfer \(already)")
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM transfers WHERE id = ? AND tenant_id = ?", arguments: [transferID, tenantID]) else {
                throw CoreError.notFound("transfer \(transferID)")
            }
            let transfer = Transfer(row: row)
            if let other = transfer.postbackID {
                throw CoreError.refused(code: "transfer_has_revenue", "transfer \(transferID) already has postback \(other)")
            }
            guard transfer.status == .bridged || transfer.status == .ended else {
                throw CoreError.refused(code: "transfer_not_connected", "transfer \(transferID) \(transfer.status.rawValue): it never reached the buyer")
            }
            try Self.attach(db, postbackID: postbackID, cents: postback.revenueCents ?? 0, transferID: transferID, method: "manual",
                            actor: actor, at: stamp)
            return try Self.fetch(db, tenantID: tenantID, id: postbackID)
        }
    }

    // MARK: Reading

    public func postback(tenantID: String, id: String) throws -> Postback {
        try store.read { db in try Self.fetch(db, tenantID: tenantID, id: id) }
    }

    /// Newest first; `matched` false lists those waiting for review.
    public func list(tenantID: String, matched: Bool?, limit: Int, before: String?) throws -> [Postback] {
        try store.read { db in
            var sql = "SELECT * FROM postbacks WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let matched { sql += matched ? " AND transfer_id IS NOT NULL" : " AND transfer_id IS NULL" }
            if let before { sql += " AND id < ?"; arguments.append(before) }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Postback.init)
        }
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, id: String) throws -> Postback {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM postbacks WHERE id = ? AND tenant_id = ?"), arguments: [id, tenantID]) else {
            throw CoreError.notFound("postback \(id)")
        }
        return Postback(row: row)
    }
}

/// A revenue postback as stored.
public struct Postback: Sendable, Equatable {
    public var id: String
    public var platformCallID: String?
    public var echoedID: String?
    public var callerID: String?
    public var durationSeconds: Int?
    public var buyerName: String?
    public var revenueCents: Int?
    public var transferID: String?
    public var matchMethod: String?
    public var matchedAt: String?
    /// Every field as received (the token left out).
    public var fields: [String: String]
    public var receivedAt: String

    init(row: Row) {
        id = row["id"]; platformCallID = row["platform_call_id"]; echoedID = row["echoed_id"]; callerID = row["caller_id"]
        durationSeconds = row["duration_seconds"]; buyerName = row["buyer_name"]; revenueCents = row["revenue_cents"]
        transferID = row["transfer_id"]; matchMethod = row["match_method"]; matchedAt = row["matched_at"]
        fields = StoredJSON.decode([String: String].self, row["fields"]) ?? [:]
        receivedAt = row["received_at"]
    }
}
