import ArgumentParser
import Foundation
import LeadlineCore
import Store

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, or list them with --status.")
    @OptionGroup var database: DatabaseOption
    @Flag(help: "List applied and pending migrations; change nothing.") var status = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let current: MigrationStatus
        if status {
            if FileManager.default.fileExists(atPath: database.path) {
                let store = try SQLiteStore.openExisting(path: database.path, migrations: Schema.migrations)
                current = try store.migrationStatus()
                try store.close()
            } else {
                current = MigrationStatus(applied: [], pending: Schema.migrations.map(\.name), unknown: [])
            }
        } else {
            let store = try openStore(database)
            current = try store.migrationStatus()
            try store.close()
        }
        if json { try printJSON(current); return }
        for name in current.applied { print("applied  \(name)") }
        for name in current.pending { print("pending  \(name)") }
        if !status { print("Database \(database.path) is at \(current.applied.last ?? "-").") }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the database to FILE (safe while serving).")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "Where to write the backup.") var file: String

    func run() throws {
        let store = try SQLiteStore.openExisting(path: database.path, migrations: Schema.migrations)
        defer { try? store.close() }
        try store.backup(to: file)
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        print("Backed up \(database.path) to \(file) (\(size) bytes).")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with FILE after checking its integrity and schema version (stop the server first).")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The backup to restore.") var file: String

    func run() throws {
        let lock = try DatabaseLock(databasePath: database.path)
        defer { withExtendedLifetime(lock) {} }
        let saved = try SQLiteStore.restore(from: file, to: database.path, migrations: Schema.migrations)
        if let saved { print("The database as it was is saved at \(saved).") }
        print("Restored \(file) into \(database.path).")
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the database: SQLite integrity, foreign keys, and that the ledger balances.")
    @OptionGroup var database: DatabaseOption

    func run() throws {
        let store = try SQLiteStore.openExisting(path: database.path, migrations: Schema.migrations)
        defer { try? store.close() }
        var problems = try store.verify()
        if problems.isEmpty { problems = try store.read { try Invariants.problems($0) } }
        if problems.isEmpty {
            print("ok: \(database.path) passed the integrity and foreign-key checks, and the ledger balances")
            return
        }
        for problem in problems { print("problem: \(problem)") }
        throw Failure("\(problems.count) problem(s) found")
    }
}
