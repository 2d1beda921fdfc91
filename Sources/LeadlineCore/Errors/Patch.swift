import OutboundHTTP

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
    /// The list a patch leaves (nil: left out, so kept; `null`: emptied), each entry normalised, duplicates dropped;
    /// an entry `normalise` refuses is a problem at `field[index]`, explained by `reason` (or a generic sentence).
    mutating func list(_ patch: Patch<[String]>, _ field: String, max: Int? = nil, reason: String? = nil,
                       _ normalise: (String) -> String?) -> [String]? {
        switch patch {
        case .absent: return nil
        case .null: return []
        case .value(let items):
            if let max, items.count > max { fail(field, "may list at most \(max) entries") }
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard let good = normalise(item.trimmingSpaces) else {
                    fail("\(field)[\(index)]", reason ?? "'\(item.prefix(40))' is not valid here")
                    continue
                }
                if !out.contains(good) { out.append(good) }
            }
            return out
        }
    }

    /// The URL a patch leaves: `current` when left out or refused (the refusal is a problem), nil when `null` or
    /// empty, otherwise the checked URL.
    mutating func targetURL(_ patch: Patch<String>, _ field: String, policy: AddressPolicy, keeping current: String?) -> String? {
        switch patch {
        case .absent: return current
        case .null: return nil
        case .value(let text) where text.trimmingSpaces.isEmpty: return nil
        case .value(let text):
            do throws(CoreError) { return try TargetURL.checked(text, field: field, policy: policy) } catch {
                if case .invalid(let found) = error { for problem in found { fail(problem.field, problem.reason) } }
                return current
            }
        }
    }

    /// A whole number in `range`, or a problem.
    mutating func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        if !range.contains(value) { fail(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
        return value
    }
}
