import CMicroHTTPD
import Foundation
import Logging
import Synchronization

public struct ServerConfiguration: Sendable {
    /// `HOST:PORT`, `[::1]:PORT`; port 0 picks a free one.
    public var listen: String
    /// Server threads, each with its own epoll loop. Defaults to the number of cores.
    public var threads: Int
    /// Idle connections are closed after this many seconds.
    public var connectionTimeoutSeconds: Int
    /// How long a shutdown waits for requests in flight.
    public var drainTimeout: Duration
    /// Where bodies of `bodyToFile` routes are written as they arrive.
    public var uploadDirectory: String
    /// The loop that drives this server, with others, from one thread (`threads` is then ignored); nil: the server has
    /// threads of its own.
    public var loop: ServerLoop?

    public init(listen: String = "127.0.0.1:8080", threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                connectionTimeoutSeconds: Int = 30, drainTimeout: Duration = .seconds(30),
                uploadDirectory: String = NSTemporaryDirectory(), loop: ServerLoop? = nil) {
        self.listen = listen
        self.threads = max(1, threads)
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.drainTimeout = drainTimeout
        self.uploadDirectory = uploadDirectory
        self.loop = loop
    }
}

public enum ServerError: Error, CustomStringConvertible {
    case badListenAddress(String)
    case cannotStart(String)

    public var description: String {
        switch self {
        case .badListenAddress(let text): return "cannot listen on '\(text)': expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"
        case .cannotStart(let text): return "cannot start the HTTP server on \(text) (address in use, or not allowed?)"
        }
    }
}

/// libmicrohttpd in internal-polling epoll mode with a thread pool. Responses are always queued on the access
/// handler's second call or later, never its first, so keep-alive is preserved. Handlers that finish asynchronously
/// suspend their connection and resume it when their response is ready.
public final class HTTPServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    let responder: Responder
    let logger: Logger
    private var daemon: OpaquePointer?
    /// Requests between their first access-handler call and libmicrohttpd's completion notice.
    let inFlight = Atomic<Int>(0)
    /// Connections suspended while an asynchronous handler works; each must be resumed before the daemon stops.
    let suspended = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    public private(set) var port: UInt16 = 0

    public init(configuration: ServerConfiguration, responder: Responder, logger: Logger = Logger(label: "leadline.http")) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
    }

    public func start() throws {
        let address = try ListenAddress(configuration.listen)
        // Turbo: optimistic non-blocking reads and writes with epoll (the configuration the research spike measured).
        // On a loop, the daemon has no thread: the loop runs it when its epoll set has work, or when this server tells it
        // that a connection was resumed (libmicrohttpd signals that to no one without a thread of its own).
        var flags = UInt32(MHD_USE_EPOLL.rawValue) | UInt32(MHD_ALLOW_SUSPEND_RESUME.rawValue) | UInt32(MHD_USE_TURBO.rawValue)
        if configuration.loop == nil { flags |= UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue) }
        if address.isIPv6 { flags |= UInt32(MHD_USE_IPv6.rawValue) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        // Address reuse stays at libmicrohttpd's default, SO_REUSEADDR (a restart right after a crash can bind again).
        // Not SO_REUSEPORT: with it two servers can hold one port and the kernel splits connections between them.
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .NOTIFY_COMPLETED, value: unsafeBitCast(requestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                           ptr_value: context),
        ]
        if configuration.threads > 1 && configuration.loop == nil {
            options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
        }
        let started: OpaquePointer? = address.withSockaddr { sockaddr in
            var all = options
            all.append(MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(mutating: sockaddr)))
            all.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return all.withUnsafeMutableBufferPointer { buffer in
                leadline_mhd_start(flags, address.port, accessHandler, context, buffer.baseAddress)
            }
        }
        guard let started else { throw ServerError.cannotStart(configuration.listen) }
        if let loop = configuration.loop {
            do { try loop.attach(started) } catch {
                MHD_stop_daemon(started)
                throw error
            }
        }
        daemon = started
        port = leadline_mhd_bound_port(started)
        logger.info("listening", metadata: ["address": .string("\(address.host):\(port)"),
                                            "threads": configuration.loop == nil ? .stringConvertible(configuration.threads) : "a server loop's"])
    }

    /// Stops accepting, lets requests in flight finish (up to the drain timeout, and always every suspended one), then stops.
    /// Not from the thread of the server's loop, which must go on running it while it drains.
    public func stop() {
        guard let daemon else { return }
        draining.store(true, ordering: .sequentiallyConsistent)
        // The listening socket is ours to close, but only after MHD_stop_daemon: its threads may still hold it, and a
        // closed number can be reused by the next file opened. shutdown() stops it listening at once (new connections
        // are refused rather than left waiting in the backlog) while the descriptor stays valid.
        let handle = MHDHandle(pointer: daemon)
        let listener = configuration.loop?.onLoop { MHD_quiesce_daemon(handle.pointer) } ?? MHD_quiesce_daemon(daemon)
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        let deadline = ContinuousClock.now + configuration.drainTimeout
        while inFlight.load(ordering: .sequentiallyConsistent) > 0 {
            // Suspended connections must be resumed before MHD_stop_daemon, so their handlers are always awaited.
            if ContinuousClock.now > deadline && suspended.load(ordering: .sequentiallyConsistent) == 0 { break }
            usleep(5_000)
        }
        configuration.loop?.detach(daemon)
        MHD_stop_daemon(daemon)
        if listener >= 0 { close(listener) }
        self.daemon = nil
        logger.info("stopped")
    }
}

/// Per-request state, kept in libmicrohttpd's `con_cls` from the first access-handler call to the completion notice.
final class RequestState: @unchecked Sendable {
    let method: HTTPMethod
    let path: String
    let match: Router.Match
    let maxBodyBytes: Int
    let receivedAt: ContinuousClock.Instant
    var body: [UInt8] = []
    var bodyTooLarge = false
    /// Where the body goes for a `bodyToFile` route; nil otherwise (or when the file could not be created).
    var spool: BodySpool?
    var spoolError: HTTPError?
    /// Set by an asynchronous handler before it resumes the connection.
    let pending = Mutex<Response?>(nil)

    init(method: HTTPMethod, path: String, match: Router.Match, maxBodyBytes: Int) {
        self.method = method
        self.path = path
        self.match = match
        self.maxBodyBytes = maxBodyBytes
        self.receivedAt = .now
    }
}

/// A libmicrohttpd handle (a connection, a daemon) handed from one thread to another.
struct MHDHandle: @unchecked Sendable, Equatable {
    let pointer: OpaquePointer
}

private func accessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
    version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>?,
    conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let conCls, let uploadDataSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

    // First call: only the headers are in. Find the route now, since it sets the body limit.
    guard let existing = conCls.pointee else {
        server.inFlight.add(1, ordering: .relaxed)
        let requestMethod = HTTPMethod(rawValue: method.map { String(cString: $0) } ?? "GET")
        let path = url.map { String(cString: $0) } ?? "/"
        let match = server.responder.router.match(requestMethod, path)
        let state = RequestState(method: requestMethod, path: path, match: match, maxBodyBytes: server.responder.maxBodyBytes(for: match))
        conCls.pointee = Unmanaged.passRetained(state).toOpaque()
        if case .found(let route, _) = match, route.bodyToFile {
            // An upload is screened (its key checked) before a byte of it is written to disk.
            if let refused = server.responder.screen(server.makeRequest(connection, state: state), match: match) {
                state.spoolError = refused
                return server.answer(connection, state: state)
            }
            do { state.spool = try BodySpool(directory: server.configuration.uploadDirectory) } catch let error as HTTPError {
                state.spoolError = error
            } catch {}
        }
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
           let length = Int(String(cString: declared)), length > state.maxBodyBytes {
            // Refuse before reading a body we would throw away; libmicrohttpd closes the connection after this answer.
            state.bodyTooLarge = true
            return server.answer(connection, state: state)
        }
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue()

    // Middle calls: body data.
    if uploadDataSize.pointee > 0 {
        let count = uploadDataSize.pointee
        if !state.bodyTooLarge {
            if state.body.count + (state.spool?.size ?? 0) + count > state.maxBodyBytes {
                state.bodyTooLarge = true
                state.body = []
            } else if let spool = state.spool, let uploadData {
                spool.append(UnsafeRawBufferPointer(start: uploadData, count: count))
            } else if state.spoolError == nil, let uploadData {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: count) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }

    // Resumed after an asynchronous handler finished.
    if let response = state.pending.withLock({ $0.take() }) {
        return server.queue(response, on: connection)
    }
    return server.answer(connection, state: state)
}

private func requestCompleted(cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                              code: MHD_RequestTerminationCode) {
    guard let cls, let conCls, let existing = conCls.pointee else { return }
    Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue().spool?.discard()
    Unmanaged<RequestState>.fromOpaque(existing).release()
    conCls.pointee = nil
    Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().inFlight.subtract(1, ordering: .relaxed)
}

private func collectHeader(cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let headers = cls.assumingMemoryBound(to: HTTPHeaders.self)
    headers.pointee.add(String(cString: key), value.map { String(cString: $0) } ?? "")
    return .YES
}

private func collectQuery(cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let query = cls.assumingMemoryBound(to: [String: String].self)
    let name = String(cString: key)
    if query.pointee[name] == nil { query.pointee[name] = value.map { String(cString: $0) } ?? "" }
    return .YES
}

extension HTTPServer {
    /// Builds the request, runs it, and queues the answer, or suspends the connection until an async handler answers.
    /// The request as far as it has arrived: method, path, query, headers, and the body read so far.
    fileprivate func makeRequest(_ connection: OpaquePointer, state: RequestState) -> Request {
        var headers = HTTPHeaders(capacity: 16)
        _ = withUnsafeMutablePointer(to: &headers) { MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, $0) }
        var query: [String: String] = [:]
        _ = withUnsafeMutablePointer(to: &query) { MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectQuery, $0) }
        let remote = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            leadline_mhd_client_address(connection, buffer.baseAddress, 64) == 0 ? String(cString: buffer.baseAddress!) : nil
        }
        return Request(method: state.method, path: state.path, query: query, headers: headers, body: state.body,
                       remoteAddress: remote, receivedAt: state.receivedAt)
    }

    fileprivate func answer(_ connection: OpaquePointer, state: RequestState) -> MHD_Result {
        var request = makeRequest(connection, state: state)
        state.body = []
        if let spool = state.spool {
            if let failure = spool.failure {
                state.spoolError = .insufficientStorage("the upload could not be stored: \(failure)")
            } else {
                request.bodyFile = spool.finish()
            }
        }

        let bodyError = state.bodyTooLarge ? HTTPError.payloadTooLarge(limit: state.maxBodyBytes) : state.spoolError
        switch responder.respond(to: request, match: state.match, bodyError: bodyError) {
        case .now(let response):
            return queue(response, on: connection)
        case .later(let produce):
            let resume = suspend(connection, state: state)
            // Runs on this server thread until the handler first suspends (a database write, a buyer's answer), so
            // the decoding and checking before that costs no thread hop; after that, on the handler threads.
            Task.immediate(executorPreference: HandlerExecutor.shared) {
                resume(await produce())
            }
            return .YES
        case .deferred(let start):
            start(suspend(connection, state: state))
            return .YES
        }
    }

    /// Suspends the connection until the returned function is called, once, from any thread, with its answer.
    private func suspend(_ connection: OpaquePointer, state: RequestState) -> @Sendable (Response) -> Void {
        suspended.add(1, ordering: .sequentiallyConsistent)
        MHD_suspend_connection(connection)
        let handle = MHDHandle(pointer: connection), daemon = self.daemon.map(MHDHandle.init)
        return { response in
            state.pending.withLock { $0 = response }
            MHD_resume_connection(handle.pointer)
            if let loop = self.configuration.loop, let daemon { loop.resumed(daemon.pointer) }
            self.suspended.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    fileprivate func queue(_ response: Response, on connection: OpaquePointer) -> MHD_Result {
        var response = response
        if draining.load(ordering: .relaxed) { response.headers.set("Connection", "close") }
        guard let mhdResponse = makeMHDResponse(response.body) else {
            return queue(HTTPError.notFound("file not found").response, on: connection)
        }
        for (name, value) in response.headers {
            MHD_add_response_header(mhdResponse, name, value)
        }
        let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        MHD_destroy_response(mhdResponse)
        return result
    }

    private func makeMHDResponse(_ body: Response.Body) -> OpaquePointer? {
        switch body {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            var info = stat()
            guard fstat(fd, &info) == 0 else { close(fd); return nil }
            // From here libmicrohttpd owns the descriptor and closes it with the response.
            guard let response = MHD_create_response_from_fd64(UInt64(info.st_size), fd) else { close(fd); return nil }
            return response
        case .stream(let length, let stream):
            let box = Unmanaged.passRetained(StreamBox(stream)).toOpaque()
            return MHD_create_response_from_callback(length ?? UInt64.max, 64 * 1024, readStream, box, releaseStream)
        }
    }
}

final class StreamBox {
    let stream: any ResponseStream
    init(_ stream: any ResponseStream) { self.stream = stream }
}

private func readStream(cls: UnsafeMutableRawPointer?, position: UInt64, buffer: UnsafeMutablePointer<CChar>?, max: Int) -> Int {
    guard let cls, let buffer else { return MHD_CONTENT_READER_END_WITH_ERROR }
    let box = Unmanaged<StreamBox>.fromOpaque(cls).takeUnretainedValue()
    let count = box.stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max), at: position)
    if count == 0 { return MHD_CONTENT_READER_END_OF_STREAM }
    return count < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : count
}

private func releaseStream(cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<StreamBox>.fromOpaque(cls).release()
}
