import Dispatch
import HTTPServer
import Synchronization

/// A worker's loop: runs `work` again at once while it finds something to do, and after `pollInterval` when it did
/// not. `stop` cancels it and waits for the round under way to finish, so the database can be closed after.
public final class BackgroundLoop: Sendable {
    let pollInterval: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let stopped = Mutex<DispatchSemaphore?>(nil)

    public init(pollInterval: Duration) { self.pollInterval = pollInterval }

    /// `work` answers whether it did something (then it runs again without waiting).
    public func start(_ work: @escaping @Sendable () async -> Bool) {
        task.withLock { task in
            guard task == nil else { return }
            let finished = DispatchSemaphore(value: 0)
            stopped.withLock { $0 = finished }
            let interval = pollInterval
            task = Task(executorPreference: HandlerExecutor.shared) {
                while !Task.isCancelled {
                    if await !work() { try? await Task.sleep(for: interval) }
                }
                finished.signal()
            }
        }
    }

    public func stop(waiting timeout: Duration = .seconds(15)) {
        task.withLock { $0?.cancel(); $0 = nil }
        if let finished = stopped.withLock({ $0.take() }) {
            _ = finished.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000)))
        }
    }
}
