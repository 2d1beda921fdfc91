import COpenSSL

/// SHA-256 and HMAC through libcrypto's one-shot EVP calls.
public enum Digest {
    public static func sha256<Bytes: Sequence>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        if let digest = data.withContiguousStorageIfAvailable({ sha256(UnsafeRawBufferPointer($0)) }) { return digest }
        return Array(data).withUnsafeBytes { sha256($0) }
    }

    public static func sha256(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { sha256(UnsafeRawBufferPointer($0)) }
    }

    private static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var length: UInt32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            let ok = EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &length, sha256Algorithm, nil)
            precondition(ok == 1 && length == 32, "EVP_Digest(sha256) failed")
            count = 32
        }
        return out
    }

    /// SHA-256 fetched from the provider once: `EVP_sha256()` makes every digest look its implementation up again
    /// (a quarter of the work for a short input; certificates are hashed on every lead). Immutable once fetched.
    private nonisolated(unsafe) static let sha256Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(EVP_sha256(), size: 32, key: key, message: message) }

    /// HMAC-SHA1: only where a provider's signature scheme requires it (Twilio's request signatures).
    public static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(EVP_sha1(), size: 20, key: key, message: message) }

    private static func hmac(_ digest: OpaquePointer?, size: Int, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                HMAC(digest, k.baseAddress, Int32(k.count), m.bindMemory(to: UInt8.self).baseAddress, m.count, &out, &length)
            }
        }
        precondition(result != nil, "HMAC failed")
        return out
    }

    /// Compares in time that depends only on the length, so a signature check leaks nothing.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 } }
    }
}

public extension Collection where Element == UInt8 {
    /// Lowercase hexadecimal, written straight into the string's storage (digests are hexed on every lead; inlinable,
    /// so it is compiled for the caller's collection instead of walking a generic one).
    @inlinable var hex: String {
        String(unsafeUninitializedCapacity: count * 2) { out in
            var index = 0
            for byte in self {
                out[index] = hexDigit(byte >> 4)
                out[index + 1] = hexDigit(byte & 0x0f)
                index += 2
            }
            return index
        }
    }
}

@inline(__always) @usableFromInline func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? nibble + 0x30 : nibble + 0x57
}
