import Foundation

/// dnsmasq on a loopback port, answering TXT records the test gives it and nothing else (no upstream): a real DNS
/// server for sending-domain checks. Records can be replaced; each replacement restarts it on the same port.
public final class LocalDNS: @unchecked Sendable {
    public private(set) var port: UInt16 = 0
    private var process: Process?
    private let directory = TemporaryDirectory()

    /// `records`: name → the TXT records there, each a list of strings (a DKIM key is longer than one string's 255).
    public init(_ records: [String: [[String]]] = [:]) throws {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = UInt16.random(in: 20_000...60_000)
            do {
                self.port = port
                try start(records)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("dnsmasq did not start")
    }

    public var address: String { "127.0.0.1:\(port)" }

    public func publish(_ records: [String: [[String]]]) throws {
        stop()
        try start(records)
    }

    private func start(_ records: [String: [[String]]]) throws {
        // local=/#/: every name is answered here (NXDOMAIN when unknown), never refused for want of an upstream.
        var lines = ["no-resolv", "no-hosts", "local=/#/", "port=\(port)", "listen-address=127.0.0.1", "bind-interfaces", "user=root"]
        for (name, texts) in records.sorted(by: { $0.key < $1.key }) {
            for strings in texts {
                lines.append("txt-record=\(name)," + strings.map { "\"\($0)\"" }.joined(separator: ","))
            }
        }
        let conf = directory.file("dnsmasq.conf")
        try lines.joined(separator: "\n").write(toFile: conf, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.fileExists(atPath: $0) }
                                    ?? "/usr/sbin/dnsmasq")
        process.arguments = ["--keep-in-foreground", "--conf-file=\(conf)", "--pid-file="]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready once it answers on its port.
        for _ in 0..<100 {
            if !process.isRunning {
                let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw TestFailure("dnsmasq exited: \(text)")
            }
            if answers() { return }
            usleep(20_000)
        }
        throw TestFailure("dnsmasq did not answer on port \(port)")
    }

    /// Whether something answers a UDP query on the port (a bare query for the root; any reply will do).
    private func answers() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var wait = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let query: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        return recv(fd, &buffer, buffer.count, 0) > 0
    }

    public func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        // Process.waitUntilExit can hang here on Linux; the process is watched until it is gone instead.
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
    }

    deinit { stop() }
}
