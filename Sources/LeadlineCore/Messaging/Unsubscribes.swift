import Foundation
import GRDB
import LeadlineCrypto
import Store

/// The unsubscribe link every email carries, in its `List-Unsubscribe` header (one click, RFC 8058) and its footer.
/// The token names the lead and carries a tag only this server can make, so it needs no row and cannot be guessed.
/// Using it is an opt-out from the tenant's outreach: the lead's number goes on the internal do-not-call list, which
/// ends its sequences and stops its calls as well (the conservative reading of an unsubscribe).
public struct Unsubscribes: Sendable {
    static let purpose = "unsubscribe"

    let store: SQLiteStore
    let secrets: StoredSecrets
    let dnc: DNCRegistry
    /// Where the server is reached from outside, e.g. `https://leads.example.com` (no trailing slash).
    let publicURL: String

    public init(store: SQLiteStore, secrets: StoredSecrets, dnc: DNCRegistry, publicURL: String) {
        self.store = store
        self.secrets = secrets
        self.dnc = dnc
        self.publicURL = publicURL
    }

    public func url(leadID: String) -> String { "\(publicURL)/unsubscribe/\(token(leadID: leadID))" }

    func token(leadID: String) -> String {
        leadID + "." + Base64URL.encode(secrets.tag(leadID, purpose: Self.purpose).prefix(16))
    }

    /// The lead a token names, when the token is ours: the whole token must be the one this server makes for that lead
    /// (compared as text, so no other spelling of the same bytes passes).
    func leadID(token: String) -> String? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let leadID = String(token[..<dot])
        guard Digest.constantTimeEquals(Array(token.utf8), Array(self.token(leadID: leadID).utf8)) else { return nil }
        return leadID
    }

    /// Whether the token is one of ours for a lead that still exists.
    public func isValid(token: String) throws -> Bool {
        guard let leadID = leadID(token: token) else { return false }
        return try store.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM leads WHERE id = ?", arguments: [leadID]) } == true
    }

    /// Opts the token's lead out; false when the token is not ours or the lead is gone. Using a link twice is fine.
    public func unsubscribe(token: String) async throws -> Bool {
        guard let leadID = leadID(token: token),
              let (tenantID, phone) = try store.read({ db in
                  try Row.fetchOne(db, sql: "SELECT tenant_id, phone FROM leads WHERE id = ?", arguments: [leadID]).map { ($0[0] as String, $0[1] as String) }
              }) else { return false }
        try await dnc.add(tenantID: tenantID, phone: phone, reason: "unsubscribed with an email's link", channel: "email", actor: "unsubscribe")
        return true
    }
}

/// Base64 with the URL's alphabet and no padding.
enum Base64URL {
    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
