import COpenSSL

/// Passwords hashed with scrypt (OpenSSL 3.0 has no Argon2), encoded with their parameters so they can be raised later:
/// `scrypt$N$r$p$<salt hex>$<hash hex>`.
public struct PasswordHash: Sendable {
    public var n: UInt64 = 1 << 15
    public var r: UInt64 = 8
    public var p: UInt64 = 1

    public init() {}
    /// Cheap parameters, for tests only.
    public init(n: UInt64, r: UInt64, p: UInt64) { self.n = n; self.r = r; self.p = p }

    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = Self.scrypt(Array(password.utf8), salt: salt, n: n, r: r, p: p)
        return "scrypt$\(n)$\(r)$\(p)$\(salt.hex)$\(derived.hex)"
    }

    public static func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
              let n = UInt64(parts[1]), let r = UInt64(parts[2]), let p = UInt64(parts[3]),
              let salt = [UInt8](hex: parts[4]), let expected = [UInt8](hex: parts[5]), expected.count == 32
        else { return false }
        let derived = scrypt(Array(password.utf8), salt: salt, n: n, r: r, p: p)
        return Digest.constantTimeEquals(derived, expected)
    }

    public static func scrypt(_ password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int = 32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        let maxMemory: UInt64 = 256 * 1024 * 1024
        let ok = password.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                pw.withMemoryRebound(to: CChar.self) { pwc in
                    EVP_PBE_scrypt(pwc.baseAddress, pw.count, s.baseAddress, s.count, n, r, p, maxMemory, &out, length)
                }
            }
        }
        precondition(ok == 1, "EVP_PBE_scrypt failed (N=\(n) r=\(r) p=\(p))")
        return out
    }
}

public extension Array where Element == UInt8 {
    /// Bytes from lowercase or uppercase hex; nil when the text is not hex.
    init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
