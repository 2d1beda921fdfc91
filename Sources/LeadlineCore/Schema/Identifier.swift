import LeadlineCrypto

/// Random ids with the type prefixes the EZLeeds reference shows (`buyer_`, `cert_`, …): `key_3kq9x0c7m2vd8hza`.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    public static func make(_ prefix: String, length: Int = 16) -> String {
        var out = Array(prefix.utf8) + [UInt8(ascii: "_")]
        while out.count < prefix.utf8.count + 1 + length {
            // 252 = 7 × 36: rejection sampling keeps each character uniform.
            for byte in SecureRandom.bytes(length * 2) where byte < 252 && out.count < prefix.utf8.count + 1 + length {
                out.append(alphabet[Int(byte % 36)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
