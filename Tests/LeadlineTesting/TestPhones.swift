import Synchronization

/// Distinct, dialable US numbers for tests, so leads never de-duplicate by accident.
public enum TestPhones {
    private static let counter = Atomic<Int>(5_550_000)

    /// `702` followed by seven digits, different on every call in this process.
    public static func next() -> String { "702" + String(counter.add(1, ordering: .relaxed).newValue) }
}
