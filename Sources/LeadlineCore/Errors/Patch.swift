/// A field of a request that may change a stored value: left out (keep it), `null` (clear it) or a value (set it).
/// Creating uses the same input, where left out and `null` both mean "not given".
public enum Patch<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    public var given: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
    public var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}

extension Patch: Equatable where Value: Equatable {}

public extension KeyedDecodingContainer {
    func patch<Value: Decodable & Sendable>(_ type: Value.Type, _ key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(Value.self, forKey: key))
    }
}

extension FieldChecks {
    /// A whole number in `range`, or a problem.
    mutating func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        if !range.contains(value) { fail(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
        return value
    }
}
