import Foundation
import GRDB
import LeadlineCrypto
import Store

/// A DNS record a tenant publishes for its sending domain.
public struct DNSRecord: Sendable, Equatable {
    public var type: String
    public var name: String
    public var value: String
}

/// A tenant's sending domain: its DKIM key and what the last DNS check found.
public struct SendingDomain: Sendable, Equatable {
    public enum Status: String, Sendable { case pendingVerification = "pending_verification", verified, failed }

    public var id: String
    public var domain: String
    public var status: Status
    public var selector: String
    /// Base64 SubjectPublicKeyInfo.
    public var publicKey: String
    public var spfValid: Bool
    public var dkimValid: Bool
    public var dmarcValid: Bool
    /// What the last check found wrong, by record (`spf`, `dkim`, `dmarc`).
    public var problems: [String: String]
    public var checkedAt: String?
    public var verifiedAt: String?
    public var createdAt: String

    init(row: Row) {
        id = row["id"]; domain = row["domain"]; status = Status(rawValue: row["status"]) ?? .pendingVerification
        selector = row["dkim_selector"]; publicKey = row["dkim_public_key"]
        spfValid = row["spf_valid"]; dkimValid = row["dkim_valid"]; dmarcValid = row["dmarc_valid"]
        problems = StoredJSON.decode([String: String].self, row["problems"]) ?? [:]
        checkedAt = row["checked_at"]; verifiedAt = row["verified_at"]; createdAt = row["created_at"]
    }

    public var dkimName: String { "\(selector)._domainkey.\(domain)" }
}

/// Sending domains: registering one makes its DKIM key pair (RSA-2048, the private key sealed at rest) and answers the
/// records to publish; verifying looks them up in DNS through the configured resolver.
public struct SendingDomains: Sendable {
    public static let selector = "leadline"

    let store: SQLiteStore
    let clock: any Clock
    let secrets: StoredSecrets
    let resolver: DNSClient?
    /// The SPF mechanism the mail relay needs (`include:_spf.relay.example`); nil: any SPF record passes.
    let spfInclude: String?

    public init(store: SQLiteStore, clock: any Clock, secrets: StoredSecrets, resolver: DNSClient?, spfInclude: String?) {
        self.store = store
        self.clock = clock
        self.secrets = secrets
        self.resolver = resolver
        self.spfInclude = spfInclude
    }

    /// The records to publish: SPF, DKIM and DMARC.
    public func records(_ domain: SendingDomain) -> [DNSRecord] {
        [DNSRecord(type: "TXT", name: domain.domain, value: spfInclude.map { "v=spf1 include:\($0) ~all" } ?? "v=spf1 a mx ~all"),
         DNSRecord(type: "TXT", name: domain.dkimName, value: "v=DKIM1; k=rsa; p=\(domain.publicKey)"),
         DNSRecord(type: "TXT", name: "_dmarc.\(domain.domain)", value: "v=DMARC1; p=none")]
    }

    public func create(tenantID: String, domain text: String?) async throws -> SendingDomain {
        let domain = try Self.checkedName(text)
        let key = try RSAKey.generate(bits: 2048)
        let now = clock.now, stamp = Timestamp.format(now), id = Identifier.sortable("dom", at: now)
        let sealed = Data(secrets.seal(Data(key.privateDER).base64EncodedString(), context: "\(id):dkim"))
        return try await store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sending_domains WHERE domain = ? AND deleted_at IS NULL", arguments: [domain]) == true {
                throw CoreError.refused(code: "domain_taken", "\(domain) is already registered")
            }
            try db.execute(sql: """
                INSERT INTO sending_domains (id, tenant_id, domain, dkim_selector, dkim_public_key, dkim_private_key, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'pending_verification', ?)
                """, arguments: [id, tenantID, domain, Self.selector, Data(key.publicDER).base64EncodedString(), sealed, stamp])
            return try Self.fetch(db, tenantID: tenantID, id: id)
        }
    }

    public func all(tenantID: String) throws -> [SendingDomain] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sending_domains WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
                             arguments: [tenantID]).map(SendingDomain.init)
        }
    }

    public func domain(tenantID: String, id: String) throws -> SendingDomain {
        try store.read { db in try Self.fetch(db, tenantID: tenantID, id: id) }
    }

    /// Removes the domain (its key with it: mail can no longer be signed for it).
    public func delete(tenantID: String, id: String) async throws -> SendingDomain {
        let stamp = Timestamp.format(clock.now)
        return try await store.write { db in
            let domain = try Self.fetch(db, tenantID: tenantID, id: id)
            try db.execute(sql: "UPDATE sending_domains SET deleted_at = ?, dkim_private_key = x'' WHERE id = ?", arguments: [stamp, id])
            return domain
        }
    }

    /// Looks the records up and stores what it found: `verified` when SPF, DKIM and DMARC all pass; `failed` when a
    /// domain that was verified no longer passes; otherwise still pending.
    public func verify(tenantID: String, id: String) async throws -> SendingDomain {
        let domain = try domain(tenantID: tenantID, id: id)
        guard let resolver else { throw DNSClient.Failure.unreachable("no DNS resolver is configured") }
        let check = try await onOwnThread { try self.check(domain, resolver: resolver) }
        let stamp = Timestamp.format(clock.now)
        return try await store.write { db in
            let passed = check.spf && check.dkim && check.dmarc
            let status: SendingDomain.Status = passed ? .verified : domain.verifiedAt != nil ? .failed : .pendingVerification
            try db.execute(sql: """
                UPDATE sending_domains SET status = ?, spf_valid = ?, dkim_valid = ?, dmarc_valid = ?, problems = ?, checked_at = ?,
                       verified_at = CASE WHEN ? THEN ? ELSE verified_at END
                WHERE id = ? AND deleted_at IS NULL
                """, arguments: [status.rawValue, check.spf, check.dkim, check.dmarc, try StoredJSON.text(check.problems), stamp,
                                 passed, stamp, id])
            return try Self.fetch(db, tenantID: tenantID, id: id)
        }
    }

    struct Check { var spf = false, dkim = false, dmarc = false, problems: [String: String] = [:] }

    func check(_ domain: SendingDomain, resolver: DNSClient) throws -> Check {
        var check = Check()
        let spf = try resolver.txt(domain.domain).filter { $0.lowercased().hasPrefix("v=spf1") }
        switch spf.count {
        case 0: check.problems["spf"] = "no SPF record (TXT \"v=spf1 …\") at \(domain.domain)"
        case 1:
            if let spfInclude, !spf[0].lowercased().split(separator: " ").contains("include:\(spfInclude.lowercased())") {
                check.problems["spf"] = "the SPF record does not include:\(spfInclude)"
            } else {
                check.spf = true
            }
        default: check.problems["spf"] = "\(spf.count) SPF records at \(domain.domain); there must be one (RFC 7208)"
        }
        let dkim = try resolver.txt(domain.dkimName).map(Self.tags)
        if dkim.isEmpty {
            check.problems["dkim"] = "no DKIM record at \(domain.dkimName)"
        } else if dkim.contains(where: { ($0["p"] ?? "") == domain.publicKey && ($0["k"] ?? "rsa") == "rsa" }) {
            check.dkim = true
        } else {
            check.problems["dkim"] = "the DKIM record at \(domain.dkimName) does not carry this domain's public key"
        }
        let dmarc = try resolver.txt("_dmarc.\(domain.domain)").filter { $0.uppercased().hasPrefix("V=DMARC1") }.map(Self.tags)
        switch dmarc.count {
        case 0: check.problems["dmarc"] = "no DMARC record (TXT \"v=DMARC1; p=…\") at _dmarc.\(domain.domain)"
        case 1:
            if ["none", "quarantine", "reject"].contains(dmarc[0]["p"]?.lowercased() ?? "") {
                check.dmarc = true
            } else {
                check.problems["dmarc"] = "the DMARC record has no policy (p=none, quarantine or reject)"
            }
        default: check.problems["dmarc"] = "\(dmarc.count) DMARC records; there must be one"
        }
        return check
    }

    /// `tag=value; tag=value` (DKIM and DMARC records), whitespace removed from values as DKIM's `p=` allows.
    static func tags(_ record: String) -> [String: String] {
        var tags: [String: String] = [:]
        for part in record.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            tags[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = pair[1].filter { !$0.isWhitespace }
        }
        return tags
    }

    /// A host name to send from: ASCII letters, digits and hyphens in labels of 1–63 (IDNA names in their `xn--`
    /// form), at least two labels, 253 characters in all; lowercased.
    static func checkedName(_ text: String?) throws -> String {
        func refuse(_ reason: String) -> CoreError { .invalid([.init("domain", reason)]) }
        var name = (text ?? "").trimmingSpaces.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw refuse("is required") }
        guard name.allSatisfy(\.isASCII) else {
            throw refuse("must be written in ASCII: give an internationalised name in its IDNA form (xn--…)")
        }
        guard name.count <= 253 else { throw refuse("must be at most 253 characters") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw refuse("must be a full domain name, such as mail.example.com") }
        for label in labels {
            guard (1...63).contains(label.count) else { throw refuse("each label must be 1 to 63 characters") }
            guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), label.first != "-", label.last != "-" else {
                throw refuse("'\(label)' may hold only letters, digits and inner hyphens")
            }
            if label.count >= 4, label.dropFirst(2).hasPrefix("--"), !label.hasPrefix("xn--") {
                throw refuse("'\(label)' has hyphens in the third and fourth places, reserved for IDNA (xn--)")
            }
        }
        guard !labels.last!.allSatisfy(\.isNumber) else { throw refuse("must be a name, not an IP address") }
        return name
    }

    static func fetch(_ db: GRDB.Database, tenantID: String, id: String) throws -> SendingDomain {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sending_domains WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
                                         arguments: [id, tenantID]) else { throw CoreError.notFound("domain \(id)") }
        return SendingDomain(row: row)
    }
}
