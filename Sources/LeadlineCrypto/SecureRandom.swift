import COpenSSL
import Synchronization

/// Cryptographically secure randomness from libcrypto's RAND_bytes.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            fill(UnsafeMutableRawBufferPointer(out))
            initialized = count
        }
    }

    /// Fills `out` with random bytes. Requests of up to 64 bytes (ids: several per lead) are served from a pool
    /// that RAND_bytes fills 4 KB at a time; a RAND_bytes call costs some 7,000 instructions however few bytes it
    /// gives (its generator is set up, locked and checked for reseeding each time). Each pooled byte is given once.
    public static func fill(_ out: UnsafeMutableRawBufferPointer) {
        guard out.count > 0 else { return }
        guard out.count <= 64 else { return generate(out) }
        let count = out.count
        // Copied out under the lock as a value, then into `out`.
        let chunk = pool.withLock { pool -> SIMD64<UInt8> in
            if pool.used + count > pool.bytes.count {
                generate(pool.bytes)
                pool.used = 0
            }
            var chunk = SIMD64<UInt8>()
            withUnsafeMutableBytes(of: &chunk) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: pool.bytes[pool.used..<pool.used + count])) }
            pool.used += count
            return chunk
        }
        withUnsafeBytes(of: chunk) { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    private static func generate(_ out: UnsafeMutableRawBufferPointer) {
        let ok = RAND_bytes(out.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(out.count))
        precondition(ok == 1, "RAND_bytes failed")
    }

    private struct Pool: ~Copyable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        /// Bytes given out already: a new pool starts empty, filled at the first request.
        var used = 4096
    }

    private static let pool = Mutex(Pool())

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A random string over [0-9A-Za-z]; each character carries log2(62) ≈ 5.95 bits.
    public static func base62(length: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(length)
        while out.count < length {
            for byte in bytes(length * 2) where out.count < length {
                // Rejection sampling keeps every character equally likely (248 = 4 × 62).
                if byte < 248 { out.append(alphabet[Int(byte % 62)]) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
