import Foundation
import HeapModule

/// Runs actions when they fall due, on one thread for the whole process: the mock buyers' late answers. A sleeping
/// task per answer (a timer, a handler thread, then the server thread) cost a mock buyer 5–6 thread switches per
/// request; with this, about 1.5.
/// Here actions run in batches up to a millisecond late: each wake-up (of this thread, and of the servers whose
/// connections it resumes) serves everything that fell due in that millisecond, not one answer.
final class DelayLine: @unchecked Sendable {
    static let shared = DelayLine()

    private struct Entry: Comparable {
        let due: ContinuousClock.Instant
        let sequence: UInt64
        let owner: ObjectIdentifier
        let action: @Sendable () -> Void

        static func < (a: Entry, b: Entry) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
    }

    /// How late an action may run so that it shares a wake-up with others.
    static let batching = Duration.milliseconds(1)

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var entries = Heap<Entry>()
    private var sequence: UInt64 = 0

    private init() {
        let thread = Thread { [unowned self] in run() }
        thread.name = "leadline-delays"
        thread.start()
    }

    /// Runs `action` on the delay thread once `delay` has passed (at once when it is not positive).
    func after(_ delay: Duration, owner: AnyObject, _ action: @escaping @Sendable () -> Void) {
        guard delay > .zero else { return action() }
        condition.lock()
        sequence += 1
        let entry = Entry(due: .now + delay, sequence: sequence, owner: ObjectIdentifier(owner), action: action)
        let soonest = entries.min.map { entry < $0 } ?? true
        entries.insert(entry)
        if soonest { condition.signal() }
        condition.unlock()
    }

    /// Runs the owner's waiting actions now, on the caller's thread (a mock buyer that stops answers what it held).
    func flush(owner: AnyObject) {
        let id = ObjectIdentifier(owner)
        condition.lock()
        var kept = Heap<Entry>()
        var flushed: [Entry] = []
        while let entry = entries.popMin() {
            if entry.owner == id { flushed.append(entry) } else { kept.insert(entry) }
        }
        entries = kept
        condition.unlock()
        for entry in flushed { entry.action() }
    }

    private func run() {
        var due: [Entry] = []
        while true {
            condition.lock()
            while true {
                guard let first = entries.min else { condition.wait(); continue }
                let left = first.due + Self.batching - .now
                if left <= .zero { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18))
            }
            let now = ContinuousClock.now
            while let first = entries.min, first.due <= now { due.append(entries.removeMin()) }
            condition.unlock()
            for entry in due { entry.action() }
            due.removeAll(keepingCapacity: true)
        }
    }
}
