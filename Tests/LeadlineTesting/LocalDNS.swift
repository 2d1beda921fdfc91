import Foundation
import LeadlineCore

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

    /// Whether it answers on its port (an unknown name's NXDOMAIN will do).
    private func answers() -> Bool {
        (try? DNSClient(host: "127.0.0.1", port: port, timeout: 0.05, attempts: 1).txt("ready.test")) != nil
    }

    public func stop() {
        guard let process else { return }
        self.process = nil
        killAndReap(process)
    }

    deinit { stop() }
}
