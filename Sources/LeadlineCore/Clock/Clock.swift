import Foundation
import Synchronization

/// The one source of "now". Calling hours, expiries, return windows and rate-limit windows read it, so tests can
/// move time by hand and rehearsals can run on a simulated clock.
public protocol Clock: Sendable {
    var now: Date { get }
}

public struct SystemClock: Clock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told to (tests).
public final class ManualClock: Clock {
    private let current: Mutex<Date>
    public init(_ start: Date) { current = Mutex(start) }
    public var now: Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

/// A clock that starts at a chosen instant and runs `speed` times as fast as real time (`serve --clock-start`).
public struct SimulatedClock: Clock {
    public let start: Date
    public let speed: Double
    private let origin = ContinuousClock.now

    public init(start: Date, speed: Double = 1) {
        self.start = start
        self.speed = speed
    }

    public var now: Date {
        let elapsed = ContinuousClock.now - origin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return start.addingTimeInterval(seconds * speed)
    }
}
