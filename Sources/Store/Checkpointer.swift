import Foundation
import GRDB
import Logging
import Synchronization

/// Copies the WAL back into the database file from a connection of its own, so commits never wait for a checkpoint's
/// writes and fsync (SQLite's automatic checkpoint runs inside whichever commit crosses the threshold).
/// PASSIVE checkpoints do not block the writer or readers; they copy what no reader still needs.
///
/// The WAL goes back to its start only when a write begins with every frame copied, which a steady stream of commits
/// never allows: each passive checkpoint leaves the frames written while it ran. Unchecked, a million-row import left a
/// 2.2 GB WAL beside a 1.9 GB database, each new frame a new block of the file. So once the WAL holds `restartBytes`,
/// the checkpointer asks the writer (`WALRestart`) to finish the job between two transactions: it copies the frames the
/// last passive checkpoint left, and the next commit starts the WAL over. The catch-up holds commits for a few ms, so
/// it should be rare: at 64 MB it came twice a second under saturating writes and intake's p99 rose from 11 to 16–19 ms;
/// at 512 MB, by 1–2 ms. When writes pause, the checkpointer truncates the file the burst grew.
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let walPath: String
    private let thresholdBytes: Int
    private let restartBytes: Int
    private let idleBeforeTrim = Duration.seconds(1)
    private let pageSize: Int
    private let walRestart: WALRestart
    private let onWALSize: (@Sendable (Int) -> Void)?
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "leadline.store")

    init(path: String, thresholdBytes: Int = 4 << 20, restartBytes: Int = 512 << 20, walRestart: WALRestart,
         onWALSize: (@Sendable (Int) -> Void)? = nil) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        pageSize = try connection.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? 4096
        walPath = path + "-wal"
        self.thresholdBytes = thresholdBytes
        self.restartBytes = restartBytes
        self.walRestart = walRestart
        self.onWALSize = onWALSize
        let thread = Thread { [self] in run() }
        thread.name = "leadline-checkpoint"
        thread.start()
    }

    private func run() {
        defer { finished.signal() }
        var lastFrames = -1
        while !stopped.load(ordering: .relaxed) {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            if stopped.load(ordering: .relaxed) { return }
            let size = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
            onWALSize?(size)
            guard size >= thresholdBytes else {
                lastFrames = -1
                continue
            }
            // A catch-up asked for and not yet done: a passive checkpoint now would hold the lock the writer's needs,
            // and the writer would take that for a reader in its way. A request the writer has not met within a
            // second (it had nothing to commit) is withdrawn, and this round checkpoints as usual.
            if walRestart.isPending(within: .seconds(1)) { continue }
            do {
                try connection.writeWithoutTransaction { db in
                    let (frames, copied) = try db.checkpoint(.passive)
                    defer { lastFrames = frames }
                    if frames == copied, frames == lastFrames {
                        // Nothing written since the last round and everything copied: the file a burst grew goes back
                        // to nothing (the writer never truncates it: that would be in a commit's way), once the writer
                        // has been idle a while. The truncation holds the WAL's write lock, and freeing a WAL of
                        // hundreds of MB took ext4 190 ms; a stream of writes that add no frames (duplicate leads)
                        // would wait that long.
                        if walRestart.writerIdle(for: idleBeforeTrim) { try trim(db) }
                    } else if frames * pageSize >= restartBytes {
                        walRestart.request()
                    }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // The writer is catching the WAL up (a checkpoint of its own), or writes came back while trimming.
                logger.debug("checkpoint put off: another is under way")
            } catch {
                logger.warning("checkpoint failed", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// A TRUNCATE checkpoint that waits at most 20 ms for a writer or reader (then it is put off to a later pause).
    private func trim(_ db: GRDB.Database) throws {
        _ = try db.checkpoint(.truncate, waitingAtMost: .milliseconds(20))
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        finished.wait()
        try? connection.close()
    }
}

/// The checkpointer's request that the writer let the WAL start over, and the writer's answer: between two
/// transactions, a FULL checkpoint from the writer's own connection. No other writer can add frames meanwhile, so it
/// copies every frame the last passive checkpoint left, after waiting up to `readerWait` for readers of an older
/// snapshot; with every frame copied, the next commit writes from the WAL's start. Measured under saturating writes:
/// 4–14 ms, most of it the database file's fsync. It also tells the checkpointer when the writer last ended a
/// transaction.
final class WALRestart: Sendable {
    private let wanted = Mutex<ContinuousClock.Instant?>(nil)
    private let restarts = Atomic<Int>(0)
    /// When the writer's last transaction ended.
    private let lastTransaction = Mutex(ContinuousClock.now)
    /// When a catch-up last gave up on a reader (a long one, such as a backup, holds an old snapshot for seconds): the
    /// next request is ignored for `backoff`, or every round would hold commits for the whole `readerWait` again.
    private let gaveUp = Mutex<ContinuousClock.Instant?>(nil)
    private let readerWait: Duration
    private let backoff: Duration
    private let onCaughtUp: (@Sendable () -> Void)?
    private let logger = Logger(label: "leadline.store")

    init(readerWait: Duration = .milliseconds(100), backoff: Duration = .seconds(2), onCaughtUp: (@Sendable () -> Void)? = nil) {
        self.readerWait = readerWait
        self.backoff = backoff
        self.onCaughtUp = onCaughtUp
    }

    func request() {
        if let gaveUp = gaveUp.withLock({ $0 }), ContinuousClock.now - gaveUp < backoff { return }
        wanted.withLock { $0 = $0 ?? .now }
    }

    /// Whether a request made less than `age` ago waits for the writer; an older one is withdrawn.
    func isPending(within age: Duration) -> Bool {
        wanted.withLock { since in
            guard let requested = since else { return false }
            if ContinuousClock.now - requested < age { return true }
            since = nil
            return false
        }
    }

    /// On the writer, outside any transaction.
    func performIfRequested(_ db: GRDB.Database) {
        guard wanted.withLock({ since in defer { since = nil }; return since != nil }) else { return }
        do {
            _ = try db.checkpoint(.full, waitingAtMost: readerWait)
            restarts.add(1, ordering: .relaxed)
            gaveUp.withLock { $0 = nil }
            onCaughtUp?()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            gaveUp.withLock { $0 = .now }
            logger.debug("WAL catch-up put off: a reader is still on an older snapshot")
        } catch {
            logger.warning("WAL catch-up failed", metadata: ["error": .string("\(error)")])
        }
    }

    /// On the writer, after each transaction: the checkpointer truncates the WAL only once the writer has been idle.
    func noteTransaction() {
        lastTransaction.withLock { $0 = .now }
    }

    /// Whether no transaction ended on the writer in the last `duration`.
    func writerIdle(for duration: Duration) -> Bool {
        ContinuousClock.now - lastTransaction.withLock { $0 } >= duration
    }

    /// How many times the writer caught the WAL up so that it could start over.
    var count: Int { restarts.load(ordering: .relaxed) }

    /// Whether a catch-up waits for the writer's next pause between transactions.
    var isRequested: Bool { wanted.withLock { $0 != nil } }
}

extension GRDB.Database {
    /// A checkpoint whose waits for the writer or readers last at most `wait` (the connection's usual busy timeout is
    /// ten seconds); past it, SQLITE_BUSY.
    fileprivate func checkpoint(_ mode: Database.CheckpointMode,
                                waitingAtMost wait: Duration) throws -> (walFrameCount: Int, checkpointedFrameCount: Int) {
        let usual = try Int.fetchOne(self, sql: "PRAGMA busy_timeout") ?? 10_000
        let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        try execute(sql: "PRAGMA busy_timeout = \(milliseconds)")
        defer { try? execute(sql: "PRAGMA busy_timeout = \(usual)") }
        return try checkpoint(mode)
    }
}
