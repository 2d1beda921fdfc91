import Foundation

/// A JSON object written with its keys in the order given (callers give them sorted) and strings escaped per RFC 8259.
/// For what the core stores or hashes on every lead (event details, consent content, bids), where Foundation's
/// encoder is most of the cost. Output matches JSONEncoder's `.sortedKeys, .withoutEscapingSlashes` for these shapes.
public struct CanonicalJSON: Sendable {
    private(set) var bytes: [UInt8]
    private var first = true

    /// `capacity`: the bytes expected, reserved at once instead of grown into.
    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// An object of strings, keys sorted (event details).
    init(_ fields: [String: String]) {
        self.init()
        for key in fields.keys.sorted() { add(key, fields[key]) }
    }

    public mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        separate(key)
        Self.quote(value, into: &bytes)
    }

    public mutating func add(_ key: String, _ value: Int?) {
        guard let value else { return }
        separate(key)
        Self.append(value, to: &bytes)
    }

    /// The decimal digits of `value`, without making a string of them first.
    static func append(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude, digits = 1, scale: UInt = 1
        while magnitude / scale >= 10 { scale *= 10; digits += 1 }
        for _ in 0..<digits {
            out.append(UInt8(ascii: "0") + UInt8(magnitude / scale))
            magnitude %= scale
            scale /= 10
        }
    }

    public mutating func add(_ key: String, _ value: Bool?) {
        guard let value else { return }
        separate(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A value already written as JSON (a nested object or array).
    public mutating func add(_ key: String, json: String) {
        separate(key)
        bytes.append(contentsOf: json.utf8)
    }

    private mutating func separate(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        Self.quote(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public consuming func finished() -> [UInt8] {
        var out = bytes
        out.append(UInt8(ascii: "}"))
        return out
    }

    public var string: String {
        String(unsafeUninitializedCapacity: bytes.count + 1) { out in
            _ = out.initialize(fromContentsOf: bytes)
            out[bytes.count] = UInt8(ascii: "}")
            return bytes.count + 1
        }
    }

    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most texts (ids, codes, amounts) need no escape: copied whole, read in place when the string is native.
        func copyPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: utf8)
            return true
        }
        var plain: Bool
        if let inPlace = text.utf8.withContiguousStorageIfAvailable(copyPlain) {
            plain = inPlace
        } else {
            var copy = text
            plain = copy.withUTF8(copyPlain)
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `["…","…"]`: a list of strings.
    static func array(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, text) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            quote(text, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `[{…},{…}]` from objects already written.
    public static func array(_ objects: [CanonicalJSON]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, object) in objects.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: object.bytes)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}

/// JSON as Leadline stores settings and sends webhook bodies: keys sorted, slashes unescaped, so the same value is
/// always the same bytes.
enum StoredJSON {
    static func bytes<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func text<Value: Encodable>(_ value: Value) throws -> String { String(decoding: try bytes(value), as: UTF8.self) }

    /// The stored text read back; nil when there is none or it does not decode.
    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String?) -> Value? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
