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

extension FieldChecks {
    /// The IANA zone a patch leaves: `current` when left out, `fallback` when `null`, or the named zone.
    mutating func timezone(_ patch: Patch<String>, _ field: String, current: String, fallback: String) -> String {
        switch patch {
        case .value(let zone) where LocalTimes.isKnownZone(zone) && zone.contains("/") || zone == "UTC": return zone
        case .value: fail(field, "must be an IANA time zone such as America/Chicago"); return current
        case .null: return fallback
        case .absent: return current
        }
    }

    /// The opening hours a patch leaves (`null`: always open), each day's window checked.
    mutating func openingHours(_ patch: Patch<[String: DailyHours]>, _ field: String,
                               current: [String: DailyHours]?) -> [String: DailyHours]? {
        switch patch {
        case .value(let days):
            for (day, hours) in days {
                if !OpeningHours.weekdays.contains(day) { fail("\(field).\(day)", "must be a day such as monday") }
                guard let start = hours.startMinute, let end = hours.endMinute, start < end else {
                    fail("\(field).\(day)", "needs start and end as HH:MM, start before end (end may be 24:00)"); continue
                }
            }
            return days
        case .null: return nil
        case .absent: return current
        }
    }
}
