/// A do-not-call list held for lookups: per area code, the 7-digit remainders in a sorted array (4 bytes a number,
/// so the 20 million numbers of a few dozen area codes take 80 MB). A lookup is an array index and a binary search.
public struct DNCNumbers: Sendable, CustomStringConvertible {
    /// Indexed by area code (200–999).
    private var buckets: [[UInt32]] = Array(repeating: [], count: 1000)
    public private(set) var count = 0

    public init() {}

    public var description: String { "DNCNumbers(count: \(count))" }

    /// A 10-digit NANP number as area code and remainder; nil for anything else.
    public static func split(_ number: Int) -> (npa: Int, rest: UInt32)? {
        guard number >= 2_000_000_000, number <= 9_999_999_999 else { return nil }
        return (number / 10_000_000, UInt32(number % 10_000_000))
    }

    /// The 10 digits of a stored (E.164, `+1…`) number.
    public static func digits(_ e164: String) -> Int? {
        guard e164.utf8.count == 12, e164.hasPrefix("+1") else { return nil }
        return Int(e164.dropFirst(2))
    }

    public func contains(_ number: Int) -> Bool {
        guard let (npa, rest) = Self.split(number) else { return false }
        let bucket = buckets[npa]
        var low = 0, high = bucket.count
        while low < high {
            let mid = (low + high) >> 1
            if bucket[mid] < rest { low = mid + 1 } else { high = mid }
        }
        return low < bucket.count && bucket[low] == rest
    }

    public var areaCodes: [Int] { (200..<1000).filter { !buckets[$0].isEmpty } }

    public func numbers(inAreaCode npa: Int) -> [UInt32] { buckets[npa] }

    /// Replaces an area code's numbers; `sorted` must be ascending without repeats.
    public mutating func replace(areaCode npa: Int, with sorted: [UInt32]) {
        count += sorted.count - buckets[npa].count
        buckets[npa] = sorted
    }

    public mutating func insert(_ number: Int) {
        guard let (npa, rest) = Self.split(number) else { return }
        let index = buckets[npa].insertionIndex(of: rest)
        if index < buckets[npa].count && buckets[npa][index] == rest { return }
        buckets[npa].insert(rest, at: index)
        count += 1
    }

    public mutating func remove(_ number: Int) {
        guard let (npa, rest) = Self.split(number) else { return }
        let index = buckets[npa].insertionIndex(of: rest)
        guard index < buckets[npa].count && buckets[npa][index] == rest else { return }
        buckets[npa].remove(at: index)
        count -= 1
    }
}

extension Array where Element == UInt32 {
    /// The index of the first element not less than `value` (the array is sorted).
    func insertionIndex(of value: UInt32) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) >> 1
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The area code's numbers as stored: 4 bytes each, little-endian, ascending.
    var blob: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in enumerated() { raw.storeBytes(of: value.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return bytes
    }

    init(blob: [UInt8]) {
        self = blob.withUnsafeBytes { raw in
            (0..<(blob.count / 4)).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }
    }
}
