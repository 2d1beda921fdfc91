import ArgumentParser
import Foundation
import LeadlineAPI

struct Leadline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadline",
        abstract: "Leadline: leads in, consent checked, sold by ping-post or called and transferred, billed.",
        version: LeadlineServer.version,
        subcommands: [Serve.self, TenantCommand.self, KeyCommand.self, Migrate.self, Backup.self, Restore.self, Verify.self,
                      Import.self, DNCCommand.self, AdminCommand.self, PostbackURLCommand.self, DialerCommand.self, SimulateCommand.self, Version.self])
}

/// `--db`, then `LEADLINE_DB`, then `./leadline.db`.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file (env LEADLINE_DB; default ./leadline.db).")
    var db: String?

    var path: String { db ?? environment("LEADLINE_DB") ?? "./leadline.db" }
}

func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// SIGINT and SIGTERM, blocked for every thread started after this is made (so `wait` takes them), and SIGPIPE
/// ignored. Make it before any thread starts: threads inherit the mask they were started with.
struct TerminationSignals {
    private let set: sigset_t

    init() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        self.set = set
    }

    /// Waits for one and returns it.
    func wait() -> Int32 {
        var set = self.set
        var received: Int32 = 0
        sigwait(&set, &received)
        return received
    }
}

/// A failure to report in one line and exit 1 (not a usage error).
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import Foundation

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
