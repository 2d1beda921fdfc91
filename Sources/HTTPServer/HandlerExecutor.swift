import Foundation

/// The threads asynchronous handlers run on, apart from Swift's global cooperative pool.
///
/// The global pool has one thread per core. Anything in the process that blocks one of them (a synchronous database
/// write, a test's blocking HTTP client) would otherwise hold up every handler waiting for a buyer's answer. Handlers
/// start on a server thread (`Task.immediate`) and continue here after their first suspension; work they await
/// (an outbound request finishing) resumes here too, because the task prefers this executor.
///
/// One pool serves every server in the process and is never stopped: a task may still be resumed after its server
/// stopped waiting for it (a drain that timed out), and its job must still find a thread.
public final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = HandlerExecutor(threads: max(4, ProcessInfo.processInfo.activeProcessorCount * 2))

    private let condition = NSCondition()
    /// A queue with a moving head: appends at the end, takes at `head`, compacts when the taken part is large.
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "leadline-handler-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}
