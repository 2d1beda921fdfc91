import Foundation

/// Any JSON value: for stored JSON passed through to an answer as it is, and for merging a `PATCH` body onto a
/// stored object.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let value = try? c.decode(Bool.self) { self = .bool(value) }
        else if let value = try? c.decode(Int.self) { self = .integer(value) }
        else if let value = try? c.decode(Double.self) { self = .number(value) }
        else if let value = try? c.decode(String.self) { self = .string(value) }
        else if let value = try? c.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let value): try c.encode(value)
        case .integer(let value): try c.encode(value)
        case .number(let value): try c.encode(value)
        case .string(let value): try c.encode(value)
        case .array(let value): try c.encode(value)
        case .object(let value): try c.encode(value)
        }
    }

    /// Stored JSON text as a value (`null` when it does not parse).
    public init(text: String) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    /// The value as text: a string as itself, a number or boolean as written, nil for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let value): return value
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// RFC 7396: `patch`'s members replace this object's, objects merge member by member, and `null` removes one.
    public func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var base: [String: JSONValue] = if case .object(let members) = self { members } else { [:] }
        for (key, value) in changes {
            if value == .null { base.removeValue(forKey: key) } else { base[key] = (base[key] ?? .null).merging(value) }
        }
        return .object(base)
    }
}

/// Literals, so that a JSON document written in code (the OpenAPI description) reads like JSON.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A `PATCH` body (a JSON merge patch, RFC 7396) applied to a stored value: what it leaves out is kept.
public enum MergePatch {
    public static func apply<Value: Codable>(_ body: [UInt8], to current: Value) throws -> Value {
        let patch = try JSON.decode(JSONValue.self, from: body)
        guard case .object = patch else { throw HTTPError.malformedJSON("the request body must be a JSON object") }
        let base = try JSON.decode(JSONValue.self, from: JSON.encode(current))
        return try JSON.decode(Value.self, from: JSON.encode(base.merging(patch)))
    }
}
