import GRDB
import Synchronization

/// Lets concurrent writes share one transaction. Each write runs inside its own savepoint (so one failing write
/// rolls back alone), and every caller is answered only after the shared transaction has committed: "acknowledged"
/// still means "on disk in the WAL". Writes that arrive while a commit is under way form the next batch.
final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let state = Mutex<State>(State())
    private let maxBatch: Int
    /// How long a transaction goes on taking in writes that arrive while it runs, before it commits what it has.
    private let maxJoining = Duration.milliseconds(5)
    private let onBatch: (@Sendable (Int) -> Void)?
    /// Asked between transactions, once the callers of the last one are answered.
    private let walRestart: WALRestart

    private struct State {
        var queue: [PendingWrite] = []
        var draining = false
    }

    init(pool: DatabasePool, maxBatch: Int = 1000, onBatch: (@Sendable (Int) -> Void)?, walRestart: WALRestart) {
        self.pool = pool
        self.maxBatch = maxBatch
        self.onBatch = onBatch
        self.walRestart = walRestart
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit(body) { continuation.resume(with: $0) }
        }
    }

    /// Queues `body` before returning; `done` gets its outcome once the transaction it joined has committed or failed.
    func submit<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T,
                             done: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let outcome = Outcome<T>()
        enqueue(PendingWrite(
            run: { db in
                do {
                    var value: T?
                    try WriteSavepoint.run(db) { value = try body(db) }
                    outcome.result = .success(value!)
                } catch {
                    outcome.result = .failure(error)
                }
            },
            complete: { commitError in
                if let commitError { done(.failure(commitError)) } else { done(outcome.result!) }
            }))
    }

    private func enqueue(_ write: PendingWrite) {
        let startDrain = state.withLock { state -> Bool in
            state.queue.append(write)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain {
            pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
        }
    }

    private func drain(_ db: GRDB.Database) {
        while true {
            var batch = take(upTo: maxBatch, orStop: true)
            if batch.isEmpty { return }
            var commitError: (any Error)?
            do {
                try db.inTransaction(.immediate) {
                    // Writes that arrive while the batch runs join it, until none came meanwhile: a commit writes every
                    // page the transaction touched whole into the WAL, some 36 pages for a commit of eight leads, 18 KB
                    // of WAL per lead (a lead touches a page of each of some fifteen tables and indexes). Nobody waits
                    // longer for it: a write that joins is answered a commit sooner, and one that finds the queue
                    // empty is committed at once.
                    var ran = 0
                    let opened = ContinuousClock.now
                    while ran < batch.count {
                        for write in batch[ran...] { write.run(db) }
                        ran = batch.count
                        guard batch.count < maxBatch, ContinuousClock.now - opened < maxJoining else { break }
                        batch += take(upTo: maxBatch - batch.count, orStop: false)
                    }
                    return .commit
                }
            } catch {
                commitError = error
            }
            walRestart.noteTransaction()
            onBatch?(batch.count)
            for write in batch { write.complete(commitError) }
            walRestart.performIfRequested(db)
        }
    }

    /// The oldest queued writes, at most `count`. `orStop`: when there are none, the drain ends (under the lock, so a
    /// write queued later starts the next one).
    private func take(upTo count: Int, orStop: Bool) -> [PendingWrite] {
        state.withLock { state in
            let count = min(state.queue.count, count)
            let taken = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            if taken.isEmpty && orStop { state.draining = false }
            return taken
        }
    }
}

/// A write's own savepoint inside the shared transaction, through statements prepared once per connection (GRDB's
/// `inSavepoint` prepares its SQL at every use: two statements for every write, a twentieth of a lead's intake).
private enum WriteSavepoint {
    static func run(_ db: GRDB.Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT write").execute()
        do {
            try body()
        } catch {
            // An error SQLite answered by rolling back the whole transaction leaves no savepoint to go back to.
            if db.isInsideTransaction {
                try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT write").execute()
                try? db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
            }
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
    }
}

private final class PendingWrite: @unchecked Sendable {
    let run: (GRDB.Database) -> Void
    let complete: ((any Error)?) -> Void
    init(run: @escaping (GRDB.Database) -> Void, complete: @escaping ((any Error)?) -> Void) {
        self.run = run
        self.complete = complete
    }
}

/// Written once on the writer queue before `complete` reads it on the same queue.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
