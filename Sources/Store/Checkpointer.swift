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
/// 2.2 GB WAL beside a 1.9 GB database, each new frame a new block of the file, every page lookup slower. So once the
/// WAL holds `restartBytes` after a passive checkpoint, the checkpointer asks the writer (`WALRestart`) to finish the
/// job between two transactions: it copies the few frames left, and the next commit starts the WAL over.
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let walPath: String
    private let thresholdBytes: Int
    private let restartBytes: Int
    private let walRestart: WALRestart
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "leadline.store")

    init(path: String, thresholdBytes: Int = 4 << 20, restartBytes: Int = 64 << 20, walRestart: WALRestart) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        walPath = path + "-wal"
        self.thresholdBytes = thresholdBytes
        self.restartBytes = restartBytes
        self.walRestart = walRestart
        let thread = Thread { [self] in run() }
        thread.name = "leadline-checkpoint"
        thread.start()
    }

    private func run() {
        defer { finished.signal() }
        while !stopped.load(ordering: .relaxed) {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            if stopped.load(ordering: .relaxed) { return }
            let size = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
            guard size >= thresholdBytes else { continue }
            do {
                try connection.writeWithoutTransaction { db in
                    let (frames, _) = try db.checkpoint(.passive)
                    let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                    if frames * pageSize >= restartBytes { walRestart.request() }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // The writer is restarting the WAL (a checkpoint of its own): this round has nothing left to do.
                logger.debug("checkpoint put off: another is under way")
            } catch {
                logger.warning("checkpoint failed", metadata: ["error": .string("\(error)")])
            }
        }
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        finished.wait()
        try? connection.close()
    }
}

/// The checkpointer's request that the writer start the WAL over, and the writer's answer: between two transactions, a
/// RESTART checkpoint from the writer's own connection. No other writer can add frames meanwhile, so it copies what the
/// last passive checkpoint left (a few MB at most) and waits for readers still on the old frames, up to `readerWait`;
/// the next commit then writes from the WAL's start. If a reader holds on longer, the request comes again next round.
final class WALRestart: Sendable {
    private let wanted = Atomic<Bool>(false)
    private let restarts = Atomic<Int>(0)
    private let readerWait: Duration
    private let logger = Logger(label: "leadline.store")

    init(readerWait: Duration = .milliseconds(100)) { self.readerWait = readerWait }

    func request() { wanted.store(true, ordering: .releasing) }

    /// On the writer, outside any transaction.
    func performIfRequested(_ db: GRDB.Database) {
        guard wanted.exchange(false, ordering: .acquiring) else { return }
        do {
            let usual = try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 10_000
            let wait = readerWait.components.seconds * 1000 + readerWait.components.attoseconds / 1_000_000_000_000_000
            try db.execute(sql: "PRAGMA busy_timeout = \(wait)")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(usual)") }
            _ = try db.checkpoint(.restart)
            restarts.add(1, ordering: .relaxed)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            logger.debug("WAL restart put off: a reader is still on the old frames")
        } catch {
            logger.warning("WAL restart failed", metadata: ["error": .string("\(error)")])
        }
    }

    /// How many times the WAL was made to start over.
    var count: Int { restarts.load(ordering: .relaxed) }
}
