import Foundation

/// The real `leadline` binary, run as a child process (for signals, `kill -9` and the command line).
public enum LeadlineBinary {
    public static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [beside, beside.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("leadline")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        // Fall back to the package's build folder, found from this source file.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent(".build/debug/leadline").path
    }

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a command to completion.
    @discardableResult
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LEADLINE_LOG_LEVEL"] = "warning"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                       stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// `leadline serve` as a child process on an ephemeral port.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port: UInt16 = 0
    private let output = Pipe()
    public private(set) var printed = ""

    /// `softOpenFileLimit`: started by a shell that lowers its soft limit on open files first (`ulimit -Sn`).
    public init(database: String, extraArguments: [String] = [], softOpenFileLimit: Int? = nil) throws {
        let arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0"] + extraArguments
        if let softOpenFileLimit {
            // The shell execs the binary, so the process is the server itself.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -Sn \(softOpenFileLimit) && exec \"$0\" \"$@\"", LeadlineBinary.path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: LeadlineBinary.path)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["LEADLINE_LOG_LEVEL"] = "warning"
        process.environment = env
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // Wait for "listening on http://127.0.0.1:PORT".
        let deadline = Date().addingTimeInterval(30)
        while port == 0 {
            guard Date() < deadline, process.isRunning else { throw TestFailure("server did not start: \(printed)") }
            let data = output.fileHandleForReading.availableData
            printed += String(decoding: data, as: UTF8.self)
            if let range = printed.range(of: #"listening on http://[0-9.]+:([0-9]+)"#, options: .regularExpression) {
                let match = printed[range]
                port = UInt16(match.split(separator: ":").last!)!
            }
        }
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit and returns the status and whatever else it printed.
    public func wait() -> (status: Int32, reason: Process.TerminationReason, output: String) {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        printed += String(decoding: rest, as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, printed)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
