import CCurl

/// Outbound HTTP over libcurl: buyers' ping and post URLs, webhooks, voice and SMS providers. The client itself
/// arrives with buyers and webhooks; for now this module reports the libcurl it is linked with.
public enum OutboundHTTP {
    /// e.g. `libcurl/7.88.1 OpenSSL/3.0.19`
    public static var libraryVersion: String { String(cString: curl_version()) }
}
