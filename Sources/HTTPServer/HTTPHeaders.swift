/// Header fields, looked up case-insensitively; order and repeats are kept for sending.
public struct HTTPHeaders: Sendable, Sequence {
    private var fields: [(name: String, value: String)] = []

    public init() {}

    /// Room for `count` fields before the storage grows (a request's usually fit in 16: one allocation, not five).
    public init(capacity count: Int) { fields.reserveCapacity(count) }
    public init(_ pairs: [(String, String)]) { for (n, v) in pairs { add(n, v) } }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field of that name with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 97 && (x | 0x20) <= 122) }
    }
}

extension Substring {
    /// Without spaces, tabs and line breaks at either end. Works on bytes: Foundation's trimming bridges through
    /// NSString, which is too slow for something done to every request.
    public var trimmingSpaces: String {
        let bytes = utf8
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// A text with nothing to trim is itself, not a copy (most values a lead carries).
    public var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return self }
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        if !isSpace(first) && !isSpace(last) { return self }
        return self[...].trimmingSpaces
    }
}
