import Foundation

/// A small blocking HTTP/1.1 client over a plain socket, so tests control exactly what goes on the wire
/// (keep-alive, chunked bodies, a Content-Length the body never matches) and see exactly what comes back.
public final class HTTPConnection: @unchecked Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw TestFailure("body is not a JSON object: \(text)")
            }
            return object
        }
        /// The `error.code` of the one error shape.
        public var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }
        /// The fields a 422 names.
        public var fields: [String] {
            ((((try? json())?["error"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: UInt16, host: String = "127.0.0.1") throws {
        // The descriptor becomes the object's only once connected: if init throws, deinit does not run and must not,
        // since closing it twice would close whatever the process opened next under the same number.
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socketFD)
            throw TestFailure("cannot connect to \(host):\(port)")
        }
        fd = socketFD
    }

    deinit { close(fd) }

    public func sendRaw(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send failed (connection closed?)") }
            sent += n
        }
    }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) throws -> Reply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body, headers.keys.contains(where: { $0.lowercased() == "transfer-encoding" }) == false {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        do {
            try sendRaw(Array(head.utf8) + (body ?? []))
        } catch {
            // A server may answer (413, say) and close before the whole body is sent: its answer is still there to read.
            if let early = try? readReply(headRequest: method == "HEAD") { return early }
            throw error
        }
        return try readReply(headRequest: method == "HEAD")
    }

    public func readReply(headRequest: Bool = false) throws -> Reply {
        let headEnd = try readUntil([13, 10, 13, 10])
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line in \(headText)") }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var reply = Reply(status: status, headers: headers, body: [])
        if headRequest || status == 204 || status == 304 { return reply }
        if let length = reply.header("Content-Length").flatMap(Int.init) {
            try fill(length)
            reply.body = Array(buffer.prefix(length))
            buffer.removeFirst(length)
        } else if reply.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                let lineEnd = try readUntil([13, 10])
                let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
                buffer.removeFirst(lineEnd + 2)
                try fill(size + 2)
                reply.body += buffer.prefix(size)
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            while try receive() > 0 {}
            reply.body = buffer
            buffer = []
        }
        return reply
    }

    /// True when the server has closed its side (a read returns end of file).
    public func isClosedByPeer() -> Bool {
        (try? receive()) == 0
    }

    private func receive() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw TestFailure("receive failed or timed out (errno \(errno))") }
        buffer += chunk[0..<n]
        return n
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count {
            guard try receive() > 0 else { throw TestFailure("connection closed before the whole body arrived") }
        }
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                for i in searchFrom...(buffer.count - marker.count) where buffer[i..<(i + marker.count)].elementsEqual(marker) {
                    return i
                }
                searchFrom = max(0, buffer.count - marker.count + 1)
            }
            guard try receive() > 0 else { throw TestFailure("connection closed before a complete response head") }
        }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One request on a connection of its own.
public func http(_ port: UInt16, _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) throws -> HTTPConnection.Reply {
    try HTTPConnection(port: port).request(method, path, headers: headers, body: body)
}

public func jsonBody(_ object: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: object))
}

/// Runs blocking work (sockets, waits, child processes) on a thread of its own, never on Swift's cooperative pool:
/// the server's asynchronous handlers need that pool, and a test blocking it would starve them.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Runs `body` on `count` threads at once and waits for all of them (dispatch's global queue grows its threads too
/// slowly for many blocking clients).
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// Starts `body` on a thread of its own and returns at once; `wait` on the group to join it.
public func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    let thread = Thread {
        body()
        group.leave()
    }
    thread.start()
}
