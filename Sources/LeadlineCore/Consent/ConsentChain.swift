import Foundation
import GRDB
import Store

/// A tenant's consent certificates form a hash chain: each certificate's hash covers its content and the previous
/// certificate's hash.
public enum ConsentChain {
    /// A certificate ready to be chained: everything but its place in the chain, with its content digest computed.
    struct Pending: Sendable {
        var certificate: ConsentCertificate
        let contentDigest: String

        init(_ consent: ConsentInput.Valid, id: String, tenantID: String, leadID: String?, createdAt: String) {
            certificate = ConsentCertificate(
                id: id, tenantID: tenantID, sequence: 0, leadID: leadID, consentType: consent.consentType, channel: consent.channel,
                mechanism: consent.mechanism, consentText: consent.text, consentTextVersion: consent.textVersion,
                pageURL: consent.pageURL, ipAddress: consent.ipAddress, userAgent: consent.userAgent,
                consentedAt: Timestamp.format(consent.consentedAt), createdAt: createdAt, previousHash: "", hash: "",
                revokedAt: nil, revokedReason: nil)
            contentDigest = certificate.contentDigest
        }
    }

    /// The newest link of a tenant's chain, read once per write transaction and carried from one append to the next.
    struct Head {
        var sequence: Int
        var hash: String

        static func read(tenantID: String, _ db: GRDB.Database) throws -> Head {
            let last = try db.cachedStatement(sql: """
                SELECT sequence, hash FROM consent_certificates WHERE tenant_id = ? ORDER BY sequence DESC LIMIT 1
                """).first({ $0.add(tenantID) }) { Head(sequence: $0.int(0) ?? 0, hash: $0.text(1) ?? "") }
            return last ?? Head(sequence: 0, hash: ConsentCertificate.genesisHash)
        }
    }

    /// Appends a certificate (inside the caller's write transaction, on the single writer, so sequences never race).
    static func append(_ pending: Pending, _ db: GRDB.Database) throws -> ConsentCertificate {
        var head = try Head.read(tenantID: pending.certificate.tenantID, db)
        let certificate = link(pending, after: &head)
        try db.insert([certificate], ConsentCertificate.insertRow) { $0.bind(&$1) }
        return certificate
    }

    /// The certificate as the link after `head` (read in this transaction), and the head moved on; the caller inserts
    /// it.
    static func link(_ pending: Pending, after head: inout Head) -> ConsentCertificate {
        var certificate = pending.certificate
        certificate.sequence = head.sequence + 1
        certificate.previousHash = head.hash
        certificate.hash = ConsentCertificate.chainHash(contentDigest: pending.contentDigest, sequence: certificate.sequence,
                                                        previousHash: certificate.previousHash)
        head = Head(sequence: certificate.sequence, hash: certificate.hash)
        return certificate
    }

    public enum Verdict: Sendable, Equatable {
        case valid
        case revoked
        /// The certificate's content no longer matches its hash, or the chain is broken at or before it.
        case tampered(String)
    }

    /// Checks a certificate: its own hash, and the chain from the tenant's first certificate up to it.
    static func verify(_ certificate: ConsentCertificate, _ db: GRDB.Database) throws -> Verdict {
        let chain = try ConsentCertificate.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM consent_certificates WHERE tenant_id = ? AND sequence <= ? ORDER BY sequence
            """), arguments: [certificate.tenantID, certificate.sequence])
        var previous = ConsentCertificate.genesisHash
        for (offset, link) in chain.enumerated() {
            if link.sequence != offset + 1 { return .tampered("certificate \(offset + 1) of the chain is missing") }
            if link.previousHash != previous { return .tampered("the chain is broken at certificate \(link.id)") }
            if link.computedHash != link.hash { return .tampered("certificate \(link.id) was changed after it was recorded") }
            previous = link.hash
        }
        return certificate.revokedAt == nil ? .valid : .revoked
    }
}
