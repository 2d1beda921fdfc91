import Foundation

/// JSON through Codable (markedly faster here than JSONSerialization), with decoding errors turned into answers that
/// name the problem: broken syntax is a 400, a field of the wrong type or missing is a 422 naming the field.
public enum JSON {
    /// One encoder for every response (encoding is safe from several threads); keys sorted so answers are stable.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard !bytes.isEmpty else { throw HTTPError.malformedJSON("the request body is empty; a JSON object was expected") }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw httpError(for: error)
        }
    }

    static func httpError(for error: DecodingError) -> HTTPError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            var message = "malformed JSON"
            if let underlying = context.underlyingError {
                message += ": \(underlying)"
            } else if !context.debugDescription.isEmpty {
                message += ": \(context.debugDescription)"
            }
            return .malformedJSON(message)
        case .dataCorrupted(let context):
            return .validation([.init(field: fieldPath(context.codingPath), reason: context.debugDescription)])
        case .typeMismatch(let type, let context):
            let path = fieldPath(context.codingPath)
            if path.isEmpty { return .malformedJSON("the request body must be a JSON \(describe(type))") }
            return .validation([.init(field: path, reason: "must be \(describe(type))")])
        case .valueNotFound(let type, let context):
            return .validation([.init(field: fieldPath(context.codingPath), reason: "must be \(describe(type)), not null")])
        case .keyNotFound(let key, let context):
            return .validation([.init(field: fieldPath(context.codingPath + [key]), reason: "is required")])
        @unknown default:
            return .malformedJSON("malformed JSON")
        }
    }

    static func fieldPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}

extension Request {
    /// Decodes the JSON body. The route's accepted media types were checked before the handler ran.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSON.decode(type, from: body)
    }
}

/// An optional answer field written as JSON `null` when it has no value (synthesized `Encodable` leaves a nil optional
/// out, and the references show every field of an object whether or not it has a value).
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
