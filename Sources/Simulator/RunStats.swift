import Foundation
import Histogram
import Synchronization

/// What a rehearsal saw from the outside, as its lead source, buyers and call platform: counts, each buyer's wins and
/// revenue, and latency histograms (HdrHistogram, microseconds) per kind of request.
public final class RunStats: Sendable {
    public struct Snapshot: Sendable {
        public var counts: [String: Int] = [:]
        public var buyerWins: [String: Int] = [:]
        public var buyerRevenueCents: [String: Int] = [:]
        public var buyerBids: [String: Int] = [:]
        /// Wins at ping-post only, against `buyerBids` (direct routing's auctions are not seen from outside).
        public var buyerPingWins: [String: Int] = [:]
        public var latency: [String: Histogram<UInt64>] = [:]
        public var errors: [String] = []

        public subscript(count name: String) -> Int { counts[name] ?? 0 }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public func count(_ name: String, _ by: Int = 1) { state.withLock { $0.counts[name, default: 0] += by } }

    public func latency(_ operation: String, milliseconds: Int) {
        state.withLock { state in
            var histogram = state.latency[operation] ?? Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
            _ = histogram.record(UInt64(max(0, milliseconds)) * 1000)
            state.latency[operation] = histogram
        }
    }

    public func won(buyer: String, priceCents: Int, atPing: Bool) {
        state.withLock { state in
            state.buyerWins[buyer, default: 0] += 1
            state.buyerRevenueCents[buyer, default: 0] += priceCents
            if atPing { state.buyerPingWins[buyer, default: 0] += 1 }
        }
    }

    public func bid(buyer: String) { state.withLock { $0.buyerBids[buyer, default: 0] += 1 } }

    /// An unexpected answer (a 5xx, no answer, a shape that could not be read); the first 50 are kept whole.
    public func error(_ text: String) {
        state.withLock { state in
            state.counts["errors", default: 0] += 1
            if state.errors.count < 50 { state.errors.append(text) }
        }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
}
