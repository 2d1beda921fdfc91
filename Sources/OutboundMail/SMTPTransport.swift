import CCurl
import Foundation

/// The SMTP relay mail is handed to.
public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:587` (STARTTLS) or `smtps://host:465` (TLS from the first byte).
    public var url: String
    public var username: String?
    public var password: String?
    /// With `smtp://`: refuse to send unless the relay agrees to STARTTLS (the default). Off only for a relay on the
    /// same machine that has no certificate.
    public var requireTLS = true
    /// A PEM file of certificates to trust instead of the system's (a relay with a private CA).
    public var caFile: String?
    public var timeout: Duration = .seconds(30)

    public init(url: String, username: String? = nil, password: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
    }

    /// The relay's URL checked: smtp or smtps, with a host.
    public static func checkedURL(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = url.host, !host.isEmpty else { return nil }
        return text
    }
}

/// Why the relay did not take a message: curl's reason and the relay's last reply code (0 when it never answered).
public struct SMTPFailure: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public let replyCode: Int
    /// A refusal the relay means as final (a 5xx reply): sending again will not help.
    public var isPermanent: Bool { (500..<600).contains(replyCode) }
    public var description: String { replyCode > 0 ? "the mail relay answered \(replyCode): \(reason)" : "the mail relay: \(reason)" }
}

/// Hands one message at a time to the relay through libcurl's SMTP: EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA
/// (libcurl stuffs leading dots). Blocking: call it from a thread of its own, never from Swift's cooperative pool.
public struct SMTPTransport: Sendable {
    public let settings: SMTPSettings

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(_ settings: SMTPSettings) {
        _ = Self.globalInit
        self.settings = settings
    }

    /// Sends `message` (the whole RFC 5322 text, CRLF line ends) from the envelope sender `from` to `recipients`.
    public func send(from: String, to recipients: [String], message: [UInt8]) throws(SMTPFailure) {
        guard let easy = curl_easy_init() else { throw SMTPFailure(reason: "libcurl could not start", replyCode: 0) }
        defer { curl_easy_cleanup(easy) }
        var rcpt: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(rcpt) }
        for recipient in recipients { rcpt = curl_slist_append(rcpt, "<\(recipient)>") }

        let upload = Upload(message)
        let opaque = Unmanaged.passUnretained(upload).toOpaque()
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let milliseconds = max(1, Int(settings.timeout.components.seconds * 1000))
        let code = errorText.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            _ = leadline_curl_set_string(easy, CURLOPT_URL, settings.url)
            _ = leadline_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            _ = leadline_curl_set_long(easy, CURLOPT_USE_SSL, Int(settings.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
            if let caFile = settings.caFile { _ = leadline_curl_set_string(easy, CURLOPT_CAINFO, caFile) }
            if let username = settings.username { _ = leadline_curl_set_string(easy, CURLOPT_USERNAME, username) }
            if let password = settings.password { _ = leadline_curl_set_string(easy, CURLOPT_PASSWORD, password) }
            _ = leadline_curl_set_string(easy, CURLOPT_MAIL_FROM, "<\(from)>")
            _ = leadline_curl_set_slist(easy, CURLOPT_MAIL_RCPT, rcpt)
            _ = leadline_curl_set_long(easy, CURLOPT_UPLOAD, 1)
            _ = leadline_curl_set_pointer(easy, CURLOPT_READDATA, opaque)
            _ = leadline_curl_set_read_function(easy, readMessage)
            _ = leadline_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = leadline_curl_set_long(easy, CURLOPT_TIMEOUT_MS, milliseconds)
            _ = leadline_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 10_000))
            _ = leadline_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!))
            return curl_easy_perform(easy)
        }
        withExtendedLifetime(upload) {}
        guard code != CURLE_OK else { return }
        let detail = String(cString: errorText)
        throw SMTPFailure(reason: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                          replyCode: leadline_curl_info_long(easy, CURLINFO_RESPONSE_CODE))
    }
}

/// The message as curl reads it, a piece at a time.
private final class Upload {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func readMessage(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ data: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let data else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(data).takeUnretainedValue()
    let length = min(size * count, upload.bytes.count - upload.offset)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}
