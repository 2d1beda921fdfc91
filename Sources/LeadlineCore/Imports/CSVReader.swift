import Foundation

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 byte-order mark) a row at a time from a
/// file, holding one 64 KiB buffer and one row in memory, so a file of any size streams.
public struct CSVReader {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case fieldTooLong(row: Int)
        case unterminatedQuote(row: Int)

        public var description: String {
            switch self {
            case .fieldTooLong(let row): return "row \(row): a field is longer than 64 KiB"
            case .unterminatedQuote(let row): return "row \(row): a quoted field never ends"
            }
        }
    }

    private let read: (inout [UInt8]) throws -> Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Bytes handed over by `read` so far.
    private var delivered = 0
    /// Rows returned so far (the header included).
    public private(set) var rowNumber = 0
    static let maxField = 64 * 1024

    /// Bytes of the input behind the rows returned so far (for progress, and where a resumed import stands).
    public var bytesConsumed: Int { delivered - max(0, buffer.count - position) }

    /// `read` fills the array it is given and returns how many bytes it put there (0 at the end).
    public init(read: @escaping (inout [UInt8]) throws -> Int) {
        self.read = read
    }

    public init(fileHandle: FileHandle) {
        self.init { chunk in
            let data = try fileHandle.read(upToCount: 64 * 1024) ?? Data()
            chunk = [UInt8](data)
            return data.count
        }
    }

    public init(bytes: [UInt8]) {
        var remaining: [UInt8]? = bytes
        self.init { chunk in
            guard let all = remaining else { return 0 }
            remaining = nil
            chunk = all
            return all.count
        }
    }

    private mutating func nextByte() throws -> UInt8? {
        if position >= buffer.count {
            if atEnd { return nil }
            var chunk: [UInt8] = []
            let count = try read(&chunk)
            if count == 0 { atEnd = true; return nil }
            delivered += count
            buffer = chunk
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }

    /// The next row's fields, or nil at the end. Blank lines are skipped.
    public mutating func next() throws -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, inQuotes = false, sawAnything = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let firstRow = rowNumber == 0
        func finishField() {
            // A byte-order mark opens some exported files; it is not part of the first header name.
            if firstRow && fields.isEmpty && field.starts(with: [0xEF, 0xBB, 0xBF]) { field.removeFirst(3) }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        while let byte = try nextByte() {
            sawAnything = true
            if inQuotes {
                if byte == quote {
                    // A doubled quote is a literal quote; a single one closes the field.
                    if position < buffer.count, buffer[position] == quote {
                        position += 1
                        field.append(quote)
                    } else if position >= buffer.count, let following = try nextByte() {
                        if following == quote { field.append(quote) } else { inQuotes = false; position -= 1 }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == quote && field.isEmpty && !quoted {
                inQuotes = true
                quoted = true
            } else if byte == comma {
                finishField()
            } else if byte == lf || byte == cr {
                if byte == cr, let following = try nextByte(), following != lf { position -= 1 }
                if fields.isEmpty && field.isEmpty && !quoted { sawAnything = false; continue }  // blank line
                finishField()
                rowNumber += 1
                return fields
            } else {
                field.append(byte)
            }
            if field.count > Self.maxField { throw Problem.fieldTooLong(row: rowNumber + 1) }
        }
        if inQuotes { throw Problem.unterminatedQuote(row: rowNumber + 1) }
        guard sawAnything else { return nil }
        finishField()
        rowNumber += 1
        return fields
    }
}
