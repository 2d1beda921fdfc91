import Foundation
import HTTPServer
import LeadlineTesting
import Synchronization

/// Holds async handlers until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    let arrivals = Atomic<Int>(0)

    func wait() async {
        arrivals.add(1, ordering: .sequentiallyConsistent)
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Spins (briefly sleeping) until `count` handlers are waiting.
    func awaitArrivals(_ count: Int) {
        while arrivals.load(ordering: .sequentiallyConsistent) < count { usleep(1000) }
    }
}
