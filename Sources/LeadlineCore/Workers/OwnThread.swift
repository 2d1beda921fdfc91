import Foundation

/// Runs blocking work (a DNS question waiting on a socket) on a thread of its own and awaits it: never on Swift's
/// cooperative pool, whose few threads every asynchronous task shares, nor on a handler thread.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
