import CCurl
import Foundation
import Synchronization

/// Outbound HTTP over one libcurl multi handle driven by its own thread through curl's socket interface (`SocketEvents`):
/// requests run in parallel, connections to the same host are kept and reused, and a caller awaits its answer without
/// holding a thread. Every transfer has a timeout and a response size limit, and connects only to addresses its
/// `AddressPolicy` admits.
public final class OutboundClient: Sendable {
    private struct Queue: ~Copyable {
        var incoming: [Transfer] = []
        var stopping = false
    }

    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private nonisolated(unsafe) let events: SocketEvents
    private let queue = Mutex(Queue())
    private let finished = Mutex(false)
    private let userAgent: String

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Up to `maxConnectionsPerHost` requests to one buyer run at once; more wait for a connection. A buyer answering
    /// pings in 20 ms takes about 20 at once at 1,000 pings/s, and the pings of a burst arrive together: at 16 the
    /// exchange's live pings were capped near 700/s by this limit alone.
    public init(userAgent: String = "Leadline", maxConnectionsPerHost: Int = 64) {
        _ = Self.globalInit
        multi = curl_multi_init()
        events = SocketEvents(driving: multi)
        self.userAgent = userAgent
        _ = leadline_curl_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = leadline_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, 1024)
        let thread = Thread { [self] in run() }
        thread.name = "leadline-outbound"
        thread.start()
    }

    /// Sends the request and waits for its answer or failure; it never throws.
    public func send(_ request: OutboundRequest) async -> OutboundResult {
        await sendAll([request])[0]
    }

    /// Sends the requests at once and waits until every one has its answer or failure (each within its own
    /// timeout); the results are in the requests' order. The caller is woken once, not once per request, which is
    /// most of the cost of an auction's live bids.
    public func sendAll(_ requests: [OutboundRequest]) async -> [OutboundResult] {
        guard !requests.isEmpty else { return [] }
        let started = ContinuousClock.now
        return await withCheckedContinuation { continuation in
            let gather = Gather(count: requests.count, continuation: continuation)
            let transfers = requests.enumerated().map { index, request in
                Transfer(request: request, started: started) { gather.deliver($0, at: index) }
            }
            let accepted = queue.withLock { queue -> Bool in
                guard !queue.stopping else { return false }
                queue.incoming += transfers
                return true
            }
            if accepted {
                events.wake()
            } else {
                for transfer in transfers { transfer.finish(.failure(.failed("the outbound client has stopped"))) }
            }
        }
    }

    /// Fails what is still in flight, stops the thread and frees curl's state. Waits until the thread is done.
    public func shutdown() {
        let first = queue.withLock { queue -> Bool in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        events.wake()
        while !finished.withLock({ $0 }) { usleep(1000) }
        curl_multi_cleanup(multi)
    }

    // MARK: The transfer thread

    private func run() {
        var active: [ObjectIdentifier: Transfer] = [:]
        // Easy handles of finished transfers, reset and used again rather than made and freed per request (at 10,000
        // requests a second, malloc and free were about 8% of this thread's work).
        var idle: [UnsafeMutableRawPointer] = []
        func recycle(_ easy: UnsafeMutableRawPointer) {
            if idle.count < 256 {
                curl_easy_reset(easy)
                idle.append(easy)
            } else {
                curl_easy_cleanup(easy)
            }
        }
        while true {
            let (incoming, stopping) = queue.withLock { queue in
                defer { queue.incoming = [] }
                return (queue.incoming, queue.stopping)
            }
            if stopping {
                for transfer in Array(active.values) + incoming {
                    if let easy = transfer.easy {
                        curl_multi_remove_handle(multi, easy)
                        curl_easy_cleanup(easy)
                    }
                    transfer.finish(.failure(.failed("the server is shutting down")))
                }
                for easy in idle { curl_easy_cleanup(easy) }
                finished.withLock { $0 = true }
                return
            }
            for transfer in incoming {
                let easy = idle.popLast() ?? curl_easy_init()!
                if let refusal = transfer.configure(easy, userAgent: userAgent) {
                    transfer.finish(.failure(refusal))
                    recycle(easy)
                } else {
                    active[ObjectIdentifier(transfer)] = transfer
                    curl_multi_add_handle(multi, easy)
                }
            }
            events.waitAndAct()
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let transfer = Unmanaged<Transfer>.fromOpaque(leadline_curl_info_private(easy)!).takeUnretainedValue()
                curl_multi_remove_handle(multi, easy)
                active[ObjectIdentifier(transfer)] = nil
                transfer.complete(leadline_curl_msg_result(message))
                recycle(easy)
            }
        }
    }
}

/// One request in flight. Created by `send`, then touched only by the transfer thread (and curl's callbacks on it).
private final class Transfer: @unchecked Sendable {
    let request: OutboundRequest
    let started: ContinuousClock.Instant
    let done: @Sendable (OutboundResult) -> Void
    /// The curl handle the transfer thread lent it (`configure`); the thread takes it back when the transfer is done.
    private(set) var easy: UnsafeMutableRawPointer?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var tooLarge = false
    var refusal: String?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var retained: Unmanaged<Transfer>?

    init(request: OutboundRequest, started: ContinuousClock.Instant, done: @escaping @Sendable (OutboundResult) -> Void) {
        self.request = request
        self.started = started
        self.done = done
    }

    /// Sets the handle up; a failure when the request cannot be made at all.
    func configure(_ easy: UnsafeMutableRawPointer, userAgent: String) -> OutboundFailure? {
        self.easy = easy
        let scheme = request.url.prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https" else { return .invalidURL("only http and https URLs can be used") }
        let me = Unmanaged.passRetained(self)
        retained = me
        let opaque = me.toOpaque()
        // The timeout runs from when the request was handed over (`send`), not from when this thread took it up: an
        // auction's deadline holds even when the thread was slow to wake.
        let milliseconds = max(1, (request.timeout - (ContinuousClock.now - started)).wholeMilliseconds)
        _ = leadline_curl_set_string(easy, CURLOPT_URL, request.url)
        _ = leadline_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = leadline_curl_set_string(easy, CURLOPT_PROXY, "")  // never through a proxy named in the environment
        _ = leadline_curl_set_string(easy, CURLOPT_USERAGENT, userAgent)
        _ = leadline_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = leadline_curl_set_long(easy, CURLOPT_TIMEOUT_MS, milliseconds)
        _ = leadline_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        _ = leadline_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        _ = leadline_curl_set_pointer(easy, CURLOPT_PRIVATE, opaque)
        _ = leadline_curl_set_pointer(easy, CURLOPT_WRITEDATA, opaque)
        _ = leadline_curl_set_pointer(easy, CURLOPT_HEADERDATA, opaque)
        _ = leadline_curl_set_pointer(easy, CURLOPT_OPENSOCKETDATA, opaque)
        _ = leadline_curl_set_write_function(easy, receiveBody)
        _ = leadline_curl_set_header_function(easy, receiveHeader)
        _ = leadline_curl_set_open_socket_function(easy, openSocket)
        _ = leadline_curl_set_pointer(easy, CURLOPT_PREREQDATA, opaque)
        _ = leadline_curl_set_prereq_function(easy, checkConnection)
        switch request.method.uppercased() {
        case "GET" where request.body.isEmpty:
            _ = leadline_curl_set_long(easy, CURLOPT_HTTPGET, 1)
        case let method:
            if method != "POST" { _ = leadline_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, method) }
            _ = leadline_curl_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if request.body.isEmpty {
                _ = leadline_curl_set_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                request.body.withUnsafeBytes { _ = leadline_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!)) }
            }
        }
        // No "Expect: 100-continue" round trip (curl waits up to a second for it on larger bodies).
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        _ = leadline_curl_set_slist(easy, CURLOPT_HTTPHEADER, headerList)
        return nil
    }

    /// After curl is done with the handle.
    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            let status = leadline_curl_info_long(easy!, CURLINFO_RESPONSE_CODE)
            finish(.success(OutboundResponse(status: status, headers: headers, body: body)))
            return
        }
        let failure: OutboundFailure
        switch code {
        case CURLE_OPERATION_TIMEDOUT: failure = .timedOut
        case CURLE_WRITE_ERROR where tooLarge, CURLE_FILESIZE_EXCEEDED: failure = .tooLarge(limit: request.maxResponseBytes)
        case CURLE_COULDNT_CONNECT where refusal != nil, CURLE_ABORTED_BY_CALLBACK where refusal != nil: failure = .refused(refusal!)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: failure = .invalidURL(String(cString: curl_easy_strerror(code)))
        default: failure = .failed(String(cString: curl_easy_strerror(code)).lowercased())
        }
        finish(.failure(failure))
    }

    func finish(_ outcome: Result<OutboundResponse, OutboundFailure>) {
        let elapsed = ContinuousClock.now - started
        if let headerList { curl_slist_free_all(headerList) }
        retained?.release()
        retained = nil
        done(OutboundResult(outcome: outcome, elapsed: elapsed))
    }
}

/// Collects the results of one `sendAll` and resumes its caller when the last arrives.
private final class Gather: Sendable {
    private let state: Mutex<(results: [OutboundResult?], left: Int)>
    private let continuation: CheckedContinuation<[OutboundResult], Never>

    init(count: Int, continuation: CheckedContinuation<[OutboundResult], Never>) {
        state = Mutex((Array(repeating: nil, count: count), count))
        self.continuation = continuation
    }

    func deliver(_ result: OutboundResult, at index: Int) {
        let finished = state.withLock { state -> [OutboundResult]? in
            state.results[index] = result
            state.left -= 1
            return state.left == 0 ? state.results.map { $0! } : nil
        }
        if let finished { continuation.resume(returning: finished) }
    }
}

private func transfer(_ pointer: UnsafeMutableRawPointer?) -> Transfer {
    Unmanaged<Transfer>.fromOpaque(pointer!).takeUnretainedValue()
}

private let receiveBody: curl_write_callback = { data, size, count, context in
    let transfer = transfer(context)
    let length = size * count
    guard transfer.body.count + length <= transfer.request.maxResponseBytes else {
        transfer.tooLarge = true
        return 0  // curl stops the transfer with CURLE_WRITE_ERROR
    }
    if let data { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
    return length
}

private let receiveHeader: curl_write_callback = { data, size, count, context in
    let transfer = transfer(context)
    let length = size * count
    guard let data else { return length }
    // Read as bytes: Foundation's trimming was a measurable share of a live auction's cost.
    let line = UnsafeRawBufferPointer(start: data, count: length).bindMemory(to: UInt8.self)
    if line.starts(with: "HTTP/".utf8) {
        transfer.headers = []  // a new response (after a 100 Continue, say) starts its own headers
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")), transfer.headers.count < 100 {
        transfer.headers.append((trimmed(line[..<colon]), trimmed(line[(colon + 1)...])))
    }
    return length
}

/// The text without surrounding spaces, tabs and line ends.
private func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(decoding: bytes[first...last], as: UTF8.self)
}

/// Checks the address of the connection a request is about to be sent on, whether just opened or reused from the
/// cache: a connection another request's policy allowed (a loopback one, say) must not carry a request whose policy
/// does not. New connections were already checked as they were opened (`openSocket`).
private let checkConnection: curl_prereq_callback = { context, primaryIP, _, _, _ in
    let transfer = transfer(context)
    guard let primaryIP, let address = IPAddress(String(cString: primaryIP)) else {
        if transfer.request.policy.allowPrivate { return Int32(CURL_PREREQFUNC_OK) }
        transfer.refusal = "only IP addresses can be reached"
        return Int32(CURL_PREREQFUNC_ABORT)
    }
    if let refusal = transfer.request.policy.refusal(for: address) {
        transfer.refusal = refusal
        return Int32(CURL_PREREQFUNC_ABORT)
    }
    return Int32(CURL_PREREQFUNC_OK)
}

/// Opens each socket curl asks for only after checking the address it is for.
private let openSocket: curl_opensocket_callback = { context, purpose, address in
    guard let address else { return CURL_SOCKET_BAD }
    let transfer = transfer(context)
    let target = withUnsafePointer(to: &address.pointee.addr) { IPAddress($0) }
    if let target, let refusal = transfer.request.policy.refusal(for: target) {
        transfer.refusal = refusal
        return CURL_SOCKET_BAD
    }
    if target == nil && !transfer.request.policy.allowPrivate {
        transfer.refusal = "only IP addresses can be reached"
        return CURL_SOCKET_BAD
    }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}
