import Foundation
import LeadlineCrypto

/// Secrets Leadline must be able to read back (buyers' webhook secrets, provider credentials), sealed with
/// AES-256-GCM under a key kept in a file beside the database, never in it: a copied database or backup holds no
/// usable secret. Each sealed value is bound to its row, so it does not open if moved to another.
public struct StoredSecrets: Sendable {
    private let box: SecretBox
    /// For tags on values given out and read back (unsubscribe links): derived from the key, never the key itself.
    private let tagKey: [UInt8]

    public enum Failure: Error, CustomStringConvertible {
        case unreadableKeyFile(String)
        public var description: String {
            switch self { case .unreadableKeyFile(let why): return why }
        }
    }

    /// The key file for a database: `leadline.db` keeps its key in `leadline.db.secret-key`.
    public static func keyFile(forDatabase path: String) -> String { path + ".secret-key" }

    /// Reads the key file, creating it (mode 0600, 32 random bytes as hex) when there is none.
    public static func open(keyFile path: String) throws -> StoredSecrets {
        if !FileManager.default.fileExists(atPath: path) {
            let created = SecretBox.generateKey().hex + "\n"
            // O_EXCL: two processes starting at once must not each write a key.
            let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                let written = created.utf8CString.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, created.utf8.count) }
                fsync(fd)
                close(fd)
                guard written == created.utf8.count else { throw Failure.unreadableKeyFile("could not write the secret key file \(path)") }
            }
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure.unreadableKeyFile("cannot read the secret key file \(path)")
        }
        let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard hex.count == 64, let key = [UInt8](hex: hex) else {
            throw Failure.unreadableKeyFile("the secret key file \(path) must hold 64 hexadecimal digits")
        }
        return try StoredSecrets(key: key)
    }

    public init(key: [UInt8]) throws {
        box = try SecretBox(key: key)
        tagKey = Digest.hmacSHA256(key: key, message: Array("leadline tag key".utf8))
    }

    /// `context` names the row and purpose, e.g. `buyer_x:webhook_secret`.
    public func seal(_ secret: String, context: String) -> [UInt8] {
        box.seal(Array(secret.utf8), associatedData: Array(context.utf8))
    }

    public func open(_ sealed: [UInt8], context: String) throws -> String {
        String(decoding: try box.open(sealed, associatedData: Array(context.utf8)), as: UTF8.self)
    }

    /// An HMAC-SHA256 tag of `text` for `purpose`: a value handed out can be recognised as ours when it comes back.
    public func tag(_ text: String, purpose: String) -> [UInt8] {
        Digest.hmacSHA256(key: tagKey, message: Array("\(purpose)\u{0}\(text)".utf8))
    }
}
