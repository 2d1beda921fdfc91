import COpenSSL

/// An RSA key pair (libcrypto): made for a sending domain's DKIM signatures, kept as DER so the private half can be
/// sealed at rest, and able to sign with RSASSA-PKCS1-v1_5 over SHA-256 (DKIM's rsa-sha256).
public struct RSAKey: Sendable {
    /// The private key, DER (PKCS#8 or PKCS#1, as libcrypto writes it).
    public let privateDER: [UInt8]
    /// The public key as a SubjectPublicKeyInfo, DER: what a DKIM record's `p=` carries, base64.
    public let publicDER: [UInt8]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func generate(bits: Int = 2048) throws -> RSAKey {
        guard let key = leadline_rsa_generate(Int32(bits)) else { throw Failure(description: "RSA key generation failed") }
        defer { EVP_PKEY_free(key) }
        return RSAKey(privateDER: try der { i2d_PrivateKey(key, $0) }, publicDER: try der { i2d_PUBKEY(key, $0) })
    }

    /// The key stored as `privateDER`.
    public init(privateDER: [UInt8]) throws {
        let key = try Self.load(privateDER)
        defer { EVP_PKEY_free(key) }
        self.init(privateDER: privateDER, publicDER: try Self.der { i2d_PUBKEY(key, $0) })
    }

    private init(privateDER: [UInt8], publicDER: [UInt8]) {
        self.privateDER = privateDER
        self.publicDER = publicDER
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    public func signSHA256(_ message: [UInt8]) throws -> [UInt8] {
        let key = try Self.load(privateDER)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Failure(description: "no digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else { throw Failure(description: "signing could not start") }
        var length = 0
        guard message.withUnsafeBufferPointer({ EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) }) == 1 else {
            throw Failure(description: "signing failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = signature.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { EVP_DigestSign(context, out.baseAddress, &length, $0.baseAddress, $0.count) }
        }
        guard signed == 1 else { throw Failure(description: "signing failed") }
        return Array(signature.prefix(length))
    }

    private static func load(_ der: [UInt8]) throws -> OpaquePointer {
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let key else { throw Failure(description: "not an RSA private key") }
        return key
    }

    /// Runs an i2d_ function twice: once for the length, once to write.
    private static func der(_ write: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
        let length = write(nil)
        guard length > 0 else { throw Failure(description: "the key could not be written") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return write(&cursor)
        }
        guard written == length else { throw Failure(description: "the key could not be written") }
        return bytes
    }
}
