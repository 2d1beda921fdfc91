import Foundation
import Synchronization

/// Requests per key per minute, in fixed windows aligned to the clock's minutes. One lock around the counters keeps it
/// exact under concurrency: no more than `limit` requests succeed in a window.
public final class RateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Unix seconds at which the window resets.
        public var reset: Int64
        /// Seconds to wait before retrying (when refused).
        public var retryAfter: Int
    }

    private struct Window { var start: Int64; var count: Int }
    private let windows = Mutex<[String: Window]>([:])
    private let clock: any Clock
    static let windowSeconds: Int64 = 60

    public init(clock: any Clock) { self.clock = clock }

    /// Counts one request for `key` against `limit` (0 = unlimited: always allowed, nothing counted).
    public func admit(key: String, limit: Int) -> Decision {
        let now = clock.now.timeIntervalSince1970
        let start = Int64(now.rounded(.down)) / Self.windowSeconds * Self.windowSeconds
        let reset = start + Self.windowSeconds
        guard limit > 0 else { return Decision(allowed: true, limit: 0, remaining: 0, reset: reset, retryAfter: 0) }
        let count = windows.withLock { windows -> Int in
            if windows.count > 100_000 { windows = windows.filter { $0.value.start >= start } }
            var window = windows[key] ?? Window(start: start, count: 0)
            if window.start != start { window = Window(start: start, count: 0) }
            if window.count < limit { window.count += 1 } else { window.count = limit + 1 }
            windows[key] = window
            return window.count
        }
        let retryAfter = max(1, Int((Double(reset) - now).rounded(.up)))
        return Decision(allowed: count <= limit, limit: limit, remaining: max(0, limit - count), reset: reset,
                        retryAfter: count <= limit ? 0 : retryAfter)
    }
}
