import COpenSSL

/// AES-256-GCM for secrets stored at rest (webhook secrets, provider credentials).
/// Sealed form: 12-byte nonce ‖ ciphertext ‖ 16-byte tag. The associated data binds a ciphertext to its row,
/// so a secret copied into another row does not open.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable { case badKeyLength, tooShort, authenticationFailed }

    private let key: [UInt8]

    public init(key: [UInt8]) throws {
        guard key.count == 32 else { throw Failure.badKeyLength }
        self.key = key
    }

    public static func generateKey() -> [UInt8] { SecureRandom.bytes(32) }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        let nonce = SecureRandom.bytes(12)
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil)
        ok &= leadline_gcm_set_ivlen(ctx, 12)
        ok &= EVP_EncryptInit_ex(ctx, nil, nil, key, nonce)
        var length: Int32 = 0
        if !associatedData.isEmpty {
            ok &= EVP_EncryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count))
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var produced: Int32 = 0
        if !plaintext.isEmpty {
            ok &= EVP_EncryptUpdate(ctx, &ciphertext, &produced, plaintext, Int32(plaintext.count))
        }
        var finalLength: Int32 = 0
        ok &= ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(ctx, $0.baseAddress! + Int(produced), &finalLength) }
        var tag = [UInt8](repeating: 0, count: 16)
        ok &= leadline_gcm_get_tag(ctx, 16, &tag)
        precondition(ok == 1, "AES-256-GCM seal failed")
        return nonce + ciphertext[0..<Int(produced + finalLength)] + tag
    }

    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard sealed.count >= 28 else { throw Failure.tooShort }
        let nonce = Array(sealed[0..<12])
        let body = Array(sealed[12..<(sealed.count - 16)])
        var tag = Array(sealed[(sealed.count - 16)...])
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil)
        ok &= leadline_gcm_set_ivlen(ctx, 12)
        ok &= EVP_DecryptInit_ex(ctx, nil, nil, key, nonce)
        var length: Int32 = 0
        if !associatedData.isEmpty {
            ok &= EVP_DecryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count))
        }
        var plaintext = [UInt8](repeating: 0, count: body.count + 16)
        var produced: Int32 = 0
        if !body.isEmpty {
            ok &= EVP_DecryptUpdate(ctx, &plaintext, &produced, body, Int32(body.count))
        }
        ok &= leadline_gcm_set_tag(ctx, 16, &tag)
        var finalLength: Int32 = 0
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(ctx, $0.baseAddress! + Int(produced), &finalLength) }
        guard ok == 1, verified == 1 else { throw Failure.authenticationFailed }
        return Array(plaintext[0..<Int(produced + finalLength)])
    }
}
