import Foundation
import GRDB
import Logging
import Synchronization

/// Copies the WAL back into the database file from a connection of its own, so commits never wait for a checkpoint's
/// writes and fsync (SQLite's automatic checkpoint runs inside whichever commit crosses the threshold).
/// PASSIVE checkpoints do not block the writer or readers; they copy what no reader still needs.
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let walPath: String
    private let thresholdBytes: Int
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "leadline.store")

    init(path: String, thresholdBytes: Int = 4 << 20) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        walPath = path + "-wal"
        self.thresholdBytes = thresholdBytes
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
                try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
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
