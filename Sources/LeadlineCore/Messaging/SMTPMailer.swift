import Foundation
import GRDB
import LeadlineCrypto
import OutboundMail
import Store

/// Sequences' emails over SMTP. A tenant with a verified sending domain sends as the configured sender's local part
/// at that domain (`hello@mail.acme.com`), DKIM-signed with the domain's key; one without sends as the configured
/// sender, unsigned (the relay may sign). Every email carries an unsubscribe link, in `List-Unsubscribe` (one click)
/// and in its footer.
public final class SMTPMailer: MessageSender {
    let store: SQLiteStore
    let clock: any Clock
    let secrets: StoredSecrets
    let transport: SMTPTransport
    let sender: MailAddress
    let unsubscribes: Unsubscribes

    public init(store: SQLiteStore, clock: any Clock, secrets: StoredSecrets, smtp: SMTPSettings, sender: MailAddress, unsubscribes: Unsubscribes) {
        self.store = store
        self.clock = clock
        self.secrets = secrets
        transport = SMTPTransport(smtp)
        self.sender = sender
        self.unsubscribes = unsubscribes
    }

    enum Failure: Error, CustomStringConvertible {
        case badRecipient(String)
        case unreadableKey(domain: String)
        var description: String {
            switch self {
            case .badRecipient(let address): "\(address) is not an email address"
            case .unreadableKey(let domain): "the DKIM key of \(domain) cannot be read"
            }
        }
    }

    /// Hands the email to the relay; answers its Message-ID.
    public func send(_ message: OutboundMessage) async throws -> String {
        guard let to = MailAddress.parse(message.to) else { throw Failure.badRecipient(message.to) }
        let (from, signer) = try identity(tenantID: message.tenantID)
        let now = clock.now
        let messageID = SecureRandom.base62(length: 24) + "@" + from.domain
        let unsubscribe = unsubscribes.url(leadID: message.leadID)
        var mail = MailMessage(
            from: from, to: to, subject: message.subject ?? "", text: message.text + "\n\n--\nUnsubscribe: \(unsubscribe)\n",
            html: message.html.map { Self.document($0, unsubscribe: unsubscribe) }, date: now, messageID: messageID,
            extraHeaders: [.init(name: "List-Unsubscribe", value: "<\(unsubscribe)>"),
                           .init(name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click")])
        try signer?.sign(&mail, at: now)
        let bytes = mail.bytes, transport = transport, envelope = from.address
        try await onOwnThread { try transport.send(from: envelope, to: [to.address], message: bytes) }
        return messageID
    }

    /// Who the tenant's mail is from, and the signer for it: its newest verified sending domain, when it has one.
    func identity(tenantID: String) throws -> (MailAddress, DKIMSigner?) {
        let row = try store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, domain, dkim_selector, dkim_private_key FROM sending_domains
                WHERE tenant_id = ? AND status = 'verified' AND deleted_at IS NULL ORDER BY verified_at DESC, id DESC LIMIT 1
                """, arguments: [tenantID])
        }
        guard let row else { return (sender, nil) }
        let id: String = row["id"], domain: String = row["domain"], sealed: Data = row["dkim_private_key"]
        guard let der = Data(base64Encoded: try secrets.open(Array(sealed), context: "\(id):dkim")) else {
            throw Failure.unreadableKey(domain: domain)
        }
        let signer = DKIMSigner(domain: domain, selector: row["dkim_selector"], key: try RSAKey(privateDER: Array(der)))
        return (MailAddress(name: sender.name, address: sender.localPart + "@" + domain), signer)
    }

    /// The HTML part as a document, with the unsubscribe footer. A template without markup keeps its line breaks.
    static func document(_ html: String, unsubscribe: String) -> String {
        let content = html.contains("<") ? html : html.replacingOccurrences(of: "\n", with: "<br>\n")
        return """
            <!doctype html>
            <html><body>
            \(content)
            <p style="margin-top:2em;font-size:12px;color:#666">Don't want these emails? \
            <a href="\(HTMLEscaping.escape(unsubscribe))">Unsubscribe</a>.</p>
            </body></html>
            """
    }
}
