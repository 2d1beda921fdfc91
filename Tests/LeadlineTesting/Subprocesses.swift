import Foundation

/// Runs a Python script (`python3 -c`) with `arguments`, `input` on its standard input, and answers what it printed,
/// trimmed: the tests' independent implementations (HMACs, DKIM verification) and servers (SMTP) are Python's.
/// Blocking; call it from `blocking {}`.
public func python(_ script: String, _ arguments: [String] = [], input: [UInt8] = []) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let stdin = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    stdin.fileHandleForWriting.write(Data(input))
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let problems = errors.fileHandleForReading.readDataToEndOfFile()
    let status = reap(process)
    guard status == 0 else {
        throw TestFailure("python3 exited \(status): \(String(decoding: problems, as: UTF8.self).suffix(2000))")
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// HMAC-SHA256 of `body` with `secret` as Python's standard library computes it: an implementation independent of
/// Leadline's, to check its signatures against. Blocking; call it from `blocking {}`.
public func pythonHMACSHA256(secret: String, body: [UInt8]) throws -> String {
    try python("import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
               [secret], input: body)
}

/// Waits for a child to end and answers its exit status (128 + the signal when a signal ended it). Foundation's
/// `waitUntilExit` has been seen to wait forever on Linux for a child already gone (a zombie nobody reaped): its
/// SIGCHLD handling does not always hear of the exit. waitpid does.
public func reap(_ process: Process) -> Int32 {
    var status: Int32 = 0
    while waitpid(process.processIdentifier, &status, 0) == -1 && errno == EINTR {}
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

/// Ends a helper server the test started (SIGKILL: nothing of it needs saving) and reaps it.
public func killAndReap(_ process: Process) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    _ = reap(process)
}
