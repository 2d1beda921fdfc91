import ArgumentParser
import Foundation
import Logging

// Exit codes: 0 ok, 1 failure, 2 usage.
do {
    var command = try Leadline.parseAsRoot()
    // A simulation's own server logs only warnings (its report is the output); `serve` logs every request.
    let quiet = command is SimulateCommand.RunScenario
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = ProcessInfo.processInfo.environment["LEADLINE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? (quiet ? .warning : .info)
        return handler
    }
    try command.run()
} catch {
    let code = Leadline.exitCode(for: error)
    let message = Leadline.fullMessage(for: error)
    // --help and --version end this way too: their text is the output asked for, so it goes to standard output.
    if !message.isEmpty {
        (code == .success ? FileHandle.standardOutput : FileHandle.standardError).write(Data((message + "\n").utf8))
    }
    if code == .success { exit(0) }
    exit(code == .validationFailure || error is ValidationError ? 2 : 1)
}
