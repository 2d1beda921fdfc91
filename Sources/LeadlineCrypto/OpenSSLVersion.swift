import COpenSSL

public enum OpenSSL {
    /// The libcrypto this binary is linked with, e.g. `OpenSSL 3.0.19 27 Jan 2026`.
    public static var version: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}
