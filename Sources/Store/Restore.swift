import Foundation
import GRDB

extension SQLiteStore {
    /// Checks that `source` is a sound Leadline database this binary can open, then swaps it in for `databasePath`.
    /// The current database (if any) is first backed up beside it as `backups/pre-restore-<time>.db`.
    /// The caller holds the `DatabaseLock`, so no server is using the file.
    public static func restore(from source: String, to databasePath: String, migrations: [Migration], now: Date = Date()) throws -> String? {
        try check(candidate: source, migrations: migrations)

        var saved: String?
        if FileManager.default.fileExists(atPath: databasePath) {
            let current = try SQLiteStore.openExisting(path: databasePath, migrations: migrations)
            let folder = try BackupSchedule.folder(for: databasePath)
            saved = (folder as NSString).appendingPathComponent("pre-restore-\(BackupSchedule.stamp(now)).db")
            try current.backup(to: saved!)
            try current.close()
        }

        let staged = databasePath + ".restoring"
        try? FileManager.default.removeItem(atPath: staged)
        let from = try DatabaseQueue(path: source, configuration: readOnly())
        let to = try DatabaseQueue(path: staged)
        try from.backup(to: to)
        try to.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try to.close()
        try from.close()
        try FileSystem.fsync(path: staged)
        // The old WAL belongs to the old file: replaying it onto the restored one would corrupt it.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
        try FileSystem.replace(staged, with: databasePath)
        return saved
    }

    /// Refuses a file that is not SQLite, fails its integrity check, has no Leadline schema, or is newer than this binary.
    public static func check(candidate path: String, migrations: [Migration]) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.io("no file at \(path)") }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: readOnly())
        } catch {
            throw StoreError.notALeadlineDatabase(path: path, reason: "cannot be opened as SQLite")
        }
        defer { try? queue.close() }
        try queue.read { db in
            let problems: [String]
            do {
                problems = try SQLiteStore.problems(db)
            } catch {
                throw StoreError.notALeadlineDatabase(path: path, reason: "not a SQLite database, or unreadable (\(error))")
            }
            guard problems.isEmpty else { throw StoreError.integrityCheckFailed(path: path, problems: problems) }
            let status = try migrations.status(db)
            guard let first = migrations.first?.name, status.applied.contains(first) else {
                throw StoreError.notALeadlineDatabase(path: path, reason: "it has no Leadline schema")
            }
            if !status.unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: status.unknown) }
        }
    }

    private static func readOnly() -> Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}
