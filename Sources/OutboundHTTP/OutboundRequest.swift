import CCurl

/// One request to a URL a tenant configured. Every request has a timeout: nothing waits on a buyer forever.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The whole request, connecting included, counted from when it is handed to `OutboundClient.send`.
    public var timeout: Duration
    /// Bytes of response body kept; a longer answer is a failure (`tooLarge`), not a truncated success.
    public var maxResponseBytes: Int
    public var policy: AddressPolicy

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                timeout: Duration, maxResponseBytes: Int = 64 << 10, policy: AddressPolicy) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.policy = policy
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no HTTP answer.
public enum OutboundFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not an http or https URL curl can use.
    case invalidURL(String)
    /// The address policy refused every address the host resolved to.
    case refused(String)
    case timedOut
    /// The answer was longer than the request allowed.
    case tooLarge(limit: Int)
    /// Anything else: the host does not resolve, the connection was refused or reset, TLS failed.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidURL(let why): return "invalid URL: \(why)"
        case .refused(let why): return "refused: \(why)"
        case .timedOut: return "timed out"
        case .tooLarge(let limit): return "the response was larger than \(limit) bytes"
        case .failed(let why): return why
        }
    }

    /// A short code for storage and reports: `invalid_url`, `refused`, `timeout`, `too_large`, `failed`.
    public var code: String {
        switch self {
        case .invalidURL: return "invalid_url"
        case .refused: return "refused"
        case .timedOut: return "timeout"
        case .tooLarge: return "too_large"
        case .failed: return "failed"
        }
    }
}

/// What came of a request, and how long it took from `send` to the answer (or the failure).
public struct OutboundResult: Sendable {
    public var outcome: Result<OutboundResponse, OutboundFailure>
    public var elapsed: Duration

    public var milliseconds: Int { elapsed.wholeMilliseconds }
    public var response: OutboundResponse? { try? outcome.get() }
    public var failure: OutboundFailure? {
        if case .failure(let failure) = outcome { return failure }
        return nil
    }
}

public enum OutboundHTTP {
    /// e.g. `libcurl/7.88.1 OpenSSL/3.0.19`
    public static var libraryVersion: String { String(cString: curl_version()) }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var wholeMilliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
