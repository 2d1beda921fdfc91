import Foundation
import GRDB
import LeadlineTesting
@testable import Store
import Synchronization
import Testing

let itemsV1 = Migration("0001_items") { db in
    try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)")
}
let itemsV2 = Migration("0002_item_notes") { db in
    try db.execute(sql: "ALTER TABLE items ADD COLUMN note TEXT")
}

func count(_ store: SQLiteStore) throws -> Int {
    try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items")! }
}

@Suite struct MigrationTests {
    @Test func appliesInOrderAndReportsStatus() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let first = try SQLiteStore(path: path, migrations: [itemsV1])
        #expect(try first.migrationStatus() == MigrationStatus(applied: ["0001_items"], pending: [], unknown: []))
        try first.close()

        let pending = try SQLiteStore.openExisting(path: path, migrations: [itemsV1, itemsV2])
        #expect(try pending.migrationStatus().pending == ["0002_item_notes"])
        try pending.close()

        let upgraded = try SQLiteStore(path: path, migrations: [itemsV1, itemsV2])
        #expect(try upgraded.migrationStatus() == MigrationStatus(applied: ["0001_items", "0002_item_notes"], pending: [], unknown: []))
        try upgraded.writeNow { db in try db.execute(sql: "INSERT INTO items (label, note) VALUES ('a', 'n')") }
        try upgraded.close()
    }

    @Test func refusesADatabaseWrittenByANewerBinary() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        try SQLiteStore(path: path, migrations: [itemsV1, itemsV2]).close()
        #expect(throws: StoreError.newerSchema(path: path, unknown: ["0002_item_notes"])) {
            _ = try SQLiteStore(path: path, migrations: [itemsV1])
        }
        // Nothing was changed by the refused open.
        let again = try SQLiteStore(path: path, migrations: [itemsV1, itemsV2])
        #expect(try again.migrationStatus().applied == ["0001_items", "0002_item_notes"])
        try again.close()
    }

    @Test func usesWALAndForeignKeys() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1])
        defer { try? store.close() }
        #expect(try store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } == 1)
        #expect(try store.writeNow { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)  // NORMAL
    }
}

@Suite struct GroupCommitTests {
    @Test func concurrentWritersAreAllDurableAndShareCommits() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let largest = Atomic<Int>(0)
        var options = SQLiteStore.Options()
        options.onBatchCommitted = { size in
            var current = largest.load(ordering: .relaxed)
            while size > current {
                let (exchanged, original) = largest.compareExchange(expected: current, desired: size, ordering: .relaxed)
                if exchanged { break }
                current = original
            }
        }
        let store = try SQLiteStore(path: path, migrations: [itemsV1], options: options)
        let writers = 400
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<writers {
                group.addTask {
                    try await store.write { db in
                        try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["item-\(i)"])
                        return db.lastInsertedRowID
                    }
                }
            }
            var ids = Set<Int64>()
            for try await id in group { ids.insert(id) }
            #expect(ids.count == writers)
        }
        #expect(largest.load(ordering: .relaxed) > 1, "concurrent writes should have shared at least one commit")
        try store.close()
        // Every acknowledged write is in the file, read by a fresh connection.
        let reopened = try SQLiteStore(path: path, migrations: [itemsV1])
        #expect(try count(reopened) == writers)
        try reopened.close()
    }

    @Test func aFailingWriteRollsBackAloneAndOthersCommit() async throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1])
        defer { try? store.close() }
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        try await store.write { db in
                            try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["ok-\(i)"])
                            // Every fifth write inserts a second row and then fails: neither row may remain.
                            if i % 5 == 0 {
                                try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["extra-\(i)"])
                                try db.execute(sql: "INSERT INTO items (label) VALUES (NULL)")  // violates NOT NULL
                            }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var results: [Bool] = []
            for try await ok in group { results.append(ok) }
            return results
        }
        #expect(outcomes.filter { !$0 }.count == 10)
        #expect(try count(store) == 40)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE label LIKE 'extra-%'") } == 0)
    }

    /// A statement whose savepoint journal outgrows memory spills it to a temporary file and succeeds. With the
    /// journal kept in memory up to 16 MiB, SQLite 3.40 failed such a statement with "database or disk is full" (a
    /// migration that dropped an index over a million leads met it).
    @Test func aStatementWithAJournalOfManyMegabytesSucceeds() async throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1, itemsV2])
        defer { try? store.close() }
        let filler = String(repeating: "x", count: 400)
        try await store.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO items (label, note) VALUES (?, ?)")
            for i in 0..<60_000 { try insert.run { $0.add("item-\(i)"); $0.add(filler) } }
        }
        // Every page of the table and of its index changes inside the write's savepoint: some 30 MB of journal.
        try await store.write { db in
            try db.execute(sql: "UPDATE items SET note = 'y' || note, label = label || '!'")
            try db.execute(sql: "CREATE INDEX items_by_note ON items(note)")
        }
        try await store.write { db in try db.execute(sql: "DROP INDEX items_by_note") }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE label LIKE '%!'") } == 60_000)
    }

    /// A failing write at the head of the queue rolls back alone and the writes queued behind it commit. Each round
    /// queues a failing write first, then ten more.
    @Test func aFailingFirstWriteRollsBackAloneAndTheQueueBehindItCommits() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let store = try SQLiteStore(path: path, migrations: [itemsV1])
        for round in 0..<20 {
            store.writeSoon { db in
                try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["partial-\(round)"])
                try db.execute(sql: "INSERT INTO items (label) VALUES (NULL)")  // violates NOT NULL
            }
            for i in 0..<10 {
                store.writeSoon { db in try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["ok-\(round)-\(i)"]) }
            }
        }
        try store.close()
        let reopened = try SQLiteStore(path: path, migrations: [itemsV1])
        defer { try? reopened.close() }
        #expect(try count(reopened) == 200)
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE label LIKE 'partial-%'") } == 0)
    }

    /// A lookup's statements share one snapshot: a write committed between two of them is seen by neither, and by
    /// the next lookup. A lookup that throws leaves its connection usable.
    @Test func aLookupReadsOneSnapshot() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1])
        defer { try? store.close() }
        try store.writeNow { db in try db.execute(sql: "INSERT INTO items (label) VALUES ('first')") }
        let (before, after) = try store.lookup { db -> (Int?, Int?) in
            let counting = try db.cachedStatement(sql: "SELECT count(*) FROM items")
            let before = try counting.int { _ in }
            try store.writeNow { db in try db.execute(sql: "INSERT INTO items (label) VALUES ('second')") }
            return (before, try counting.int { _ in })
        }
        #expect(before == 1 && after == 1)
        #expect(throws: DatabaseError.self) { try store.lookup { db in try db.execute(sql: "SELECT * FROM no_such_table") } }
        for _ in 0..<10 {
            #expect(try store.lookup { db in try db.cachedStatement(sql: "SELECT count(*) FROM items").int { _ in } } == 2)
        }
    }

    /// A write nobody waits for is queued before `writeSoon` returns: closing the store right after still commits it,
    /// and one that fails leaves nothing and stops nothing.
    @Test func aWriteNobodyWaitsForIsCommittedBeforeTheStoreCloses() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let store = try SQLiteStore(path: path, migrations: [itemsV1])
        for i in 0..<100 {
            store.writeSoon { db in try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["soon-\(i)"]) }
        }
        store.writeSoon { db in try db.execute(sql: "INSERT INTO items (label) VALUES (NULL)") }  // violates NOT NULL
        try store.close()
        let reopened = try SQLiteStore(path: path, migrations: [itemsV1])
        defer { try? reopened.close() }
        #expect(try count(reopened) == 100)
    }
}

@Suite struct BackupTests {
    @Test func backupWhileWritingRestoresToAConsistentDatabase() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("live.db")
        let store = try SQLiteStore(path: path, migrations: [itemsV1])
        let written = Atomic<Int>(0)
        let writer = Task {
            var i = 0
            while !Task.isCancelled && i < 5000 {
                let label = "w-\(i)"
                try await store.write { db in try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: [label]) }
                written.add(1, ordering: .relaxed)
                i += 1
            }
        }
        while written.load(ordering: .relaxed) < 200 { try await Task.sleep(for: .milliseconds(1)) }
        let backupPath = folder.file("snapshot.db")
        try store.backup(to: backupPath)
        let atBackup = written.load(ordering: .relaxed)
        writer.cancel()
        _ = try? await writer.value
        let finalCount = try count(store)
        try store.close()

        #expect(!FileManager.default.fileExists(atPath: backupPath + "-wal"))
        try SQLiteStore.check(candidate: backupPath, migrations: [itemsV1])
        let snapshot = try SQLiteStore.openExisting(path: backupPath, migrations: [itemsV1])
        let inSnapshot = try count(snapshot)
        #expect(try snapshot.verify().isEmpty)
        try snapshot.close()
        #expect(inSnapshot >= 200 && inSnapshot <= max(atBackup + 1, finalCount))

        let saved = try SQLiteStore.restore(from: backupPath, to: path, migrations: [itemsV1])
        #expect(saved != nil && FileManager.default.fileExists(atPath: saved!))
        let restored = try SQLiteStore(path: path, migrations: [itemsV1])
        #expect(try count(restored) == inSnapshot)
        #expect(try restored.verify().isEmpty)
        try restored.close()
        // The copy saved before the restore holds what the database had.
        let before = try SQLiteStore.openExisting(path: saved!, migrations: [itemsV1])
        #expect(try count(before) == finalCount)
        try before.close()
    }

    @Test func restoreRefusesCorruptForeignAndNewerFiles() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("live.db")
        let store = try SQLiteStore(path: path, migrations: [itemsV1])
        try store.writeNow { db in try db.execute(sql: "INSERT INTO items (label) VALUES ('keep me')") }
        try store.close()

        let garbage = folder.file("garbage.db")
        _ = FileManager.default.createFile(atPath: garbage, contents: Data(repeating: 0x41, count: 8192))
        #expect(throws: StoreError.self) { try SQLiteStore.restore(from: garbage, to: path, migrations: [itemsV1]) }

        let foreign = folder.file("foreign.db")
        let other = try DatabaseQueue(path: foreign)
        try other.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        try other.close()
        #expect(throws: StoreError.notALeadlineDatabase(path: foreign, reason: "it has no Leadline schema")) {
            try SQLiteStore.restore(from: foreign, to: path, migrations: [itemsV1])
        }

        let newer = folder.file("newer.db")
        try SQLiteStore(path: newer, migrations: [itemsV1, itemsV2]).close()
        #expect(throws: StoreError.newerSchema(path: newer, unknown: ["0002_item_notes"])) {
            try SQLiteStore.restore(from: newer, to: path, migrations: [itemsV1])
        }

        // A file damaged in the middle of a page.
        let damaged = folder.file("damaged.db")
        let source = try SQLiteStore(path: damaged, migrations: [itemsV1])
        try source.writeNow { db in
            for i in 0..<2000 { try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["row \(i) " + String(repeating: "x", count: 50)]) }
        }
        try source.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        // Pages 3 and 4, headers included: b-tree pages that no longer parse.
        for i in (4096 * 2)..<(4096 * 4) { bytes[i] = 0xAB }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(throws: StoreError.self) { try SQLiteStore.restore(from: damaged, to: path, migrations: [itemsV1]) }

        // After every refusal the live database is untouched.
        let live = try SQLiteStore(path: path, migrations: [itemsV1])
        #expect(try live.read { db in try String.fetchAll(db, sql: "SELECT label FROM items") } == ["keep me"])
        try live.close()
    }

    @Test func lockIsExclusive() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("live.db")
        let held = try DatabaseLock(databasePath: path)
        #expect(throws: StoreError.locked(path: path)) { _ = try DatabaseLock(databasePath: path) }
        withExtendedLifetime(held) {}
    }

    @Test func scheduledBackupsKeepTheNewest() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("live.db"), migrations: [itemsV1])
        defer { try? store.close() }
        let schedule = BackupSchedule(interval: .seconds(3600), keep: 3)
        var written: [String] = []
        for hour in 0..<5 {
            written.append(try schedule.runOnce(store, now: Date(timeIntervalSince1970: 1_785_000_000 + Double(hour) * 3600)))
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder.file("backups")).sorted()
        #expect(kept == written.suffix(3).map { ($0 as NSString).lastPathComponent })
    }
}

@Suite struct CheckpointTests {
    @Test func walIsCopiedBackWithoutCommitsDoingIt() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let store = try SQLiteStore(path: path, migrations: [itemsV1])
        #expect(try store.writeNow { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        // ~6 MB of writes: past the checkpointer's 4 MB threshold.
        for batch in 0..<30 {
            try await store.write { db in
                for i in 0..<100 {
                    try db.execute(sql: "INSERT INTO items (label) VALUES (?)", arguments: ["\(batch)-\(i)-" + String(repeating: "x", count: 2000)])
                }
            }
        }
        let fileSize = { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        var waited = 0
        while fileSize() < 5_000_000 && waited < 300 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(fileSize() >= 5_000_000, "the background checkpoint copied the WAL into the database file")
        #expect(try count(store) == 3000)
        try store.close()
    }

    @Test func theWALStartsOverUnderASteadyStreamOfWrites() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        var options = SQLiteStore.Options()
        options.walRestartBytes = 2 << 20
        let store = try SQLiteStore(path: path, migrations: [itemsV1], options: options)
        let walSize: @Sendable () -> Int = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }
        // Four writers that never let up, ~40 MB in all: without a restart the WAL would hold all of it.
        let peak = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var peak = 0
                    for batch in 0..<100 {
                        try await store.write { db in
                            for i in 0..<50 {
                                try db.execute(sql: "INSERT INTO items (label) VALUES (?)",
                                               arguments: ["\(writer)-\(batch)-\(i)-" + String(repeating: "x", count: 2000)])
                            }
                        }
                        peak = max(peak, walSize())
                    }
                    return peak
                }
            }
            return try await group.reduce(0, max)
        }
        #expect(try count(store) == 20_000)
        #expect(store.walRestarts > 0)
        // Writes that add no frames do not let the file be truncated (that holds the WAL's write lock while the file
        // system frees it): the writer is not idle.
        let busyUntil = ContinuousClock.now + .milliseconds(1500)
        while ContinuousClock.now < busyUntil {
            try await store.write { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE id = 1") }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(walSize() > 0, "the WAL was truncated while the writer was busy")
        // Once the writes stop, the file they grew is truncated.
        var waited = 0
        while walSize() > 0 && waited < 300 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(walSize() == 0)
        try store.close()
        // Every page was written to the WAL at least once, so without restarts the WAL peaks above the whole database
        // (before them, this test saw 114–141 MB beside a 134 MB database; with them, 10–17 MB).
        let databaseSize = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        #expect(peak < databaseSize / 2, "the WAL peaked at \(peak) bytes beside a database of \(databaseSize)")
    }
}

@Suite struct WALRestartTests {
    @Test func aCatchUpThatGivesUpOnAnOldReaderIsNotAskedForAgainAtOnce() throws {
        let folder = TemporaryDirectory()
        let pool = try DatabasePool(path: folder.file("a.db"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        // A reader that keeps an old snapshot (as a backup does for seconds) while the WAL grows past it.
        var snapshot: DatabaseSnapshot? = try pool.makeSnapshot()
        try pool.write { db in try db.execute(sql: "INSERT INTO t VALUES (2)") }

        let restart = WALRestart(readerWait: .milliseconds(10), backoff: .seconds(60))
        restart.request()
        try pool.writeWithoutTransaction { db in restart.performIfRequested(db) }
        #expect(restart.count == 0, "the FULL checkpoint gave up on the reader")
        restart.request()
        #expect(!restart.isRequested, "asked again only after the back-off: each try holds commits up to readerWait")

        // Without the old reader it succeeds, and the back-off is over.
        _ = try snapshot?.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") }
        snapshot = nil
        let fresh = WALRestart(readerWait: .milliseconds(10), backoff: .zero)
        fresh.request()
        #expect(fresh.isRequested)
        try pool.writeWithoutTransaction { db in fresh.performIfRequested(db) }
        #expect(fresh.count == 1 && !fresh.isRequested)
        try pool.close()
    }
}

@Suite struct VerifyTests {
    @Test func reportsForeignKeyViolations() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("a.db")
        let parentsAndChildren = Migration("0001_family") { db in
            try db.execute(sql: """
                CREATE TABLE parents (id INTEGER PRIMARY KEY);
                CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id));
                """)
        }
        let store = try SQLiteStore(path: path, migrations: [parentsAndChildren])
        #expect(try store.verify().isEmpty)
        try store.close()
        // Something outside Leadline writes an orphan with foreign keys off.
        let outside = try DatabaseQueue(path: path)
        try outside.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "INSERT INTO children (id, parent_id) VALUES (1, 42)")
        }
        try outside.close()
        let reopened = try SQLiteStore.openExisting(path: path, migrations: [parentsAndChildren])
        let problems = try reopened.verify()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("children") == true)
        try reopened.close()
    }
}

@Suite struct FastStatementTests {
    @Test func bindsTextNullsAndNumbersAndReportsConstraintErrors() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1, itemsV2])
        defer { try? store.close() }
        try store.writeNow { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO items (id, label, note) VALUES (?, ?, ?)")
            try insert.run { $0.add(7); $0.add("héllo, \"wörld\""); $0.add(nil as String?) }
            try insert.run { $0.add(nil as Int?); $0.add(""); $0.add("") }
            // The statement is reset after a failure and stays usable.
            #expect(throws: DatabaseError.self) { try insert.run { $0.add(nil as Int?); $0.add(""); $0.add("again") } }
            try insert.run { $0.add(nil as Int?); $0.add("third"); $0.add("n") }
        }
        let rows = try store.read { db in try Row.fetchAll(db, sql: "SELECT id, label, note FROM items ORDER BY id") }
        #expect(rows.count == 3)
        #expect(rows[0]["id"] as Int64 == 7 && rows[0]["label"] as String == "héllo, \"wörld\"" && rows[0]["note"] as String? == nil)
        // An empty string is stored as '' (not NULL).
        #expect(rows[1]["label"] as String == "" && rows[1]["note"] as String? == "")
        try store.writeNow { db in
            let probe = try db.cachedStatement(sql: "SELECT 1 FROM items WHERE label = ?")
            #expect(try probe.exists { $0.add("third") })
            #expect(try !probe.exists { $0.add("missing") })
        }
    }

    /// Rows read in place give what GRDB's rows give: integers, text (empty or not, any script) and NULL as nil.
    @Test func readsRowsInPlaceAsGRDBReadsThem() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("a.db"), migrations: [itemsV1, itemsV2])
        defer { try? store.close() }
        try store.writeNow { db in
            try db.execute(sql: """
                INSERT INTO items (id, label, note) VALUES (3, 'ünïcødé ✓', NULL), (5, 'five', ''), (9, 'nine', 'n')
                """)
        }
        try store.read { db in
            let one = try db.cachedStatement(sql: "SELECT id, label, note FROM items WHERE id = ?")
            let third = try one.first({ $0.add(3) }) { [$0.int(0).map(String.init), $0.text(1), $0.text(2)] }
            #expect(third == ["3", "ünïcødé ✓", nil])
            let fifth = try one.first({ $0.add(5) }) { $0.text(2) }
            #expect(fifth == .some(""))
            #expect(try one.first({ $0.add(4) }) { $0.int(0) } == nil)
            #expect(try db.cachedStatement(sql: "SELECT note FROM items WHERE id = 3").first({ _ in }) { $0.int(0) } == .some(nil))

            var seen: [String] = []
            try db.cachedStatement(sql: "SELECT label FROM items WHERE id > ? ORDER BY id").forEachRow({ $0.add(3) }) { row in
                seen.append(row.text(0) ?? "?")
            }
            #expect(seen == ["five", "nine"])
            #expect(try db.cachedStatement(sql: "SELECT count(*) FROM items WHERE id > ?").int { $0.add(4) } == 2)
        }
    }
}
