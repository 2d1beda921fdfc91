import LeadlineCrypto

/// `X-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>`, the EZLeeds reference's scheme. The body itself
/// carries the event's id and time, so the signature covers them: a receiver that remembers ids it has seen and refuses
/// old timestamps is safe from replays.
public enum WebhookSignature {
    public static func sign(body: [UInt8], secret: String) -> String {
        "sha256=" + Digest.hmacSHA256(key: Array(secret.utf8), message: body).hex
    }

    /// Whether `signature` is the one `secret` gives `body`, compared in constant time.
    public static func isValid(_ signature: String, body: [UInt8], secret: String) -> Bool {
        Digest.constantTimeEquals(Array(signature.trimmingSpaces.lowercased().utf8), Array(sign(body: body, secret: secret).utf8))
    }
}
