import CSQLite
import Foundation
import GRDB
import Logging

/// One SQLite file in WAL mode: a single writer (with group commit) and a pool of readers.
public final class SQLiteStore: Sendable {
    public struct Options: Sendable {
        /// Called with the number of writes each group commit carried (for metrics).
        public var onBatchCommitted: (@Sendable (Int) -> Void)?
        public var readers: Int = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        public var readOnly = false
        /// Once the WAL holds this much, the checkpointer makes it start over (see `Checkpointer`).
        public var walRestartBytes = 512 << 20
        /// Called with the WAL file's size each time the checkpointer looks (ten times a second), and after each
        /// catch-up that let the WAL start over (for metrics).
        public var onWALSize: (@Sendable (Int) -> Void)?
        public var onWALCaughtUp: (@Sendable () -> Void)?
        public init() {}
    }

    public let path: String
    public let migrations: [Migration]
    let pool: DatabasePool
    private let groupCommit: GroupCommit
    private let checkpointer: Checkpointer?
    private let walRestart: WALRestart

    /// Opens (creating if needed) and migrates. A database written by a newer binary is refused before anything changes.
    public convenience init(path: String, migrations: [Migration], options: Options = Options()) throws {
        try self.init(path: path, migrations: migrations, options: options, migrate: true)
    }

    /// Opens without applying pending migrations (for `migrate --status`, `backup`, `verify`).
    public static func openExisting(path: String, migrations: [Migration], options: Options = Options()) throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.io("no database at \(path)") }
        return try SQLiteStore(path: path, migrations: migrations, options: options, migrate: false)
    }

    /// Set once, before any connection. SQLite's own error log (which system call failed, with errno) goes to our log.
    /// Savepoint journals stay in memory up to 128 KiB, twice SQLite's default: every group-committed write runs in a
    /// savepoint, and past the threshold the pages it changed are copied to a temporary file. 16 MiB spared more of
    /// those copies, but the SQLite this builds on (3.40) fails any statement whose journal spills past a threshold
    /// above 128 KiB with "database or disk is full": an index dropped or every lead updated by a migration, on a
    /// database of a million leads. A test runs such a statement.
    /// SQLite does not count its memory either: counting takes a process-wide lock on every allocation.
    private static let sqliteSettings: Void = {
        let logger = Logger(label: "leadline.sqlite")
        if leadline_sqlite_journal_spill(128 << 10) != 0 {
            logger.notice("SQLite was initialised before its settings: savepoint journals spill to disk past 64 KiB")
        }
        _ = leadline_sqlite_memory_statistics(0)
        Database.logError = { code, message in
            // Schema checks and constraint violations are answered to callers; only the rest is worth a log line.
            guard code.primaryResultCode != .SQLITE_CONSTRAINT, code != .SQLITE_SCHEMA else { return }
            logger.warning("sqlite", metadata: ["code": .stringConvertible(code.rawValue), "message": .string(message)])
        }
    }()

    private init(path: String, migrations: [Migration], options: Options, migrate: Bool) throws {
        _ = Self.sqliteSettings
        self.path = path
        self.migrations = migrations
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.maximumReaderCount = options.readers
        configuration.readonly = options.readOnly
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit is in the WAL before it is acknowledged, so it survives the process being killed.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // The checkpointer copies the WAL back in the background; commits never pay for it. Nor do they cut the
                // WAL file back when it starts over (that took 80 ms for a 256 MB file): the checkpointer truncates it
                // when writes pause.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = -1")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.notALeadlineDatabase(path: path, reason: String(describing: error))
        }
        walRestart = WALRestart(onCaughtUp: options.onWALCaughtUp)
        groupCommit = GroupCommit(pool: pool, onBatch: options.onBatchCommitted, walRestart: walRestart)
        let status = try pool.read { db in try migrations.status(db) }
        if !status.unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: status.unknown) }
        if migrate && !status.pending.isEmpty {
            try migrations.migrator.migrate(pool)
            // The reader that read the status knows the old schema; a fresh one reads the new.
            pool.invalidateReadOnlyConnections()
        }
        checkpointer = options.readOnly ? nil : try Checkpointer(path: path, thresholdBytes: min(4 << 20, options.walRestartBytes),
                                                                 restartBytes: options.walRestartBytes, walRestart: walRestart,
                                                                 onWALSize: options.onWALSize)
    }

    /// How many times the checkpointer has made the WAL start over while writes went on.
    public var walRestarts: Int { walRestart.count }

    public func migrationStatus() throws -> MigrationStatus {
        try pool.read { db in try migrations.status(db) }
    }

    /// Reads from the pool of reader connections; never waits on writers.
    public func read<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// A read for hot paths (an API key, a new lead's tenant settings and phone history, on every request): like
    /// `read`, its statements see one snapshot, but its transaction is opened and closed through statements prepared
    /// once per connection (GRDB's `read` prepares both at every use). Opened by hand, not left to each statement,
    /// because SQLite takes and drops its WAL read lock (two `fcntl` calls) for every transaction.
    public func lookup<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        try pool.unsafeRead { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            defer { if db.isInsideTransaction { try? db.cachedStatement(sql: "COMMIT").execute() } }
            return try body(db)
        }
    }

    /// A write that may share its transaction with concurrent writes; returns once that transaction has committed.
    public func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }

    /// Queues a write and returns at once, for bookkeeping nobody waits for (when a key was last used). It is in the
    /// writer's queue before this returns, so a `close` that follows still commits it (a task that wrote later could
    /// find the database closed); a failure is logged.
    public func writeSoon(_ body: @escaping @Sendable (GRDB.Database) throws -> Void) {
        groupCommit.submit(body) { result in
            if case .failure(let error) = result {
                Logger(label: "leadline.store").warning("a background write failed", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// A write in a transaction of its own, blocking the caller (command-line tools, rare administrative changes).
    public func writeNow<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// Copies a consistent snapshot to `destination` while reads and writes go on (SQLite's online backup API).
    /// The copy is written beside the destination and renamed into place, so a half-written file never has its name.
    public func backup(to destination: String) throws {
        let temporary = destination + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let target = try DatabaseQueue(path: temporary)
            try pool.backup(to: target)
            // A backup is one self-contained file: leave it in rollback-journal mode with nothing beside it.
            try target.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try target.close()
            try FileSystem.fsync(path: temporary)
            try FileSystem.replace(temporary, with: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; an empty list means the file is sound.
    public func verify() throws -> [String] {
        try pool.read { db in try SQLiteStore.problems(db) }
    }

    static func problems(_ db: GRDB.Database) throws -> [String] {
        var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        let rows = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        for row in rows {
            problems.append("foreign key: table \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? -1) points at missing \(row[2] as String? ?? "?")")
        }
        return problems
    }

    /// Moves everything in the WAL into the main file (done at shutdown, so the file alone is complete).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// The SQLite this binary is linked with, e.g. `3.40.1`.
    public static func libraryVersion() -> String {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
    }

    public func close() throws {
        checkpointer?.stop()
        try? checkpoint()
        try pool.close()
    }
}
