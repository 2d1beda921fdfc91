import Foundation

/// Reads do-not-call files in the federal registry's flat formats: one `NPANXXXXXX` per line, or `NPA,NXXXXXX`.
/// Quotes, spaces, a leading `1` and a header line are tolerated. A change list marks each number as added or
/// deleted in another comma-separated field (`A`/`ADD`/`I`/`INSERT` or `D`/`DEL`/`DELETE`/`R`/`REMOVE`); the
/// registry's exact change-list columns are not published, so any field holding one of these words is read as the
/// action. The file is streamed: a 250-million-line registry never sits in memory as text.
public struct DNCFile: Sendable {
    public enum Action: Sendable { case add, delete }

    public struct Rejected: Sendable, Equatable {
        public let line: Int
        public let reason: String
    }

    public struct Contents: Sendable {
        /// Lines holding a number (or trying to): blank lines and a header are not counted.
        public var lines = 0
        /// The file's line number of the line being read, for reporting.
        var fileLine = 0
        public var added: [Int] = []
        public var deleted: [Int] = []
        public var rejectedCount = 0
        /// The first rejected lines (at most 20), for the import report.
        public var rejected: [Rejected] = []
    }

    /// Parses `path`. In a full list every number is an addition; in a change list each line needs its action.
    public static func read(path: String, changeList: Bool) throws -> Contents {
        guard let file = fopen(path, "rb") else { throw CoreError.invalid([.init("file", "cannot be opened: \(String(cString: strerror(errno)))")]) }
        defer { fclose(file) }
        var contents = Contents()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            var start = 0
            buffer.withUnsafeBufferPointer { bytes in
                for i in 0..<n where bytes[i] == 10 {
                    if carry.isEmpty {
                        parseLine(UnsafeBufferPointer(rebasing: bytes[start..<i]), changeList: changeList, into: &contents)
                    } else {
                        carry.append(contentsOf: bytes[start..<i])
                        carry.withUnsafeBufferPointer { parseLine($0, changeList: changeList, into: &contents) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = i + 1
                }
                carry.append(contentsOf: bytes[start..<n])
            }
        }
        if ferror(file) != 0 { throw CoreError.invalid([.init("file", "could not be read")]) }
        if !carry.isEmpty { carry.withUnsafeBufferPointer { parseLine($0, changeList: changeList, into: &contents) } }
        return contents
    }

    static func parseLine(_ line: UnsafeBufferPointer<UInt8>, changeList: Bool, into contents: inout Contents) {
        contents.fileLine += 1
        contents.lines += 1
        var number = 0, digits = 0
        var action: Action?
        var fieldLetters: [UInt8] = []
        var sawOther = false
        func endField() {
            switch String(decoding: fieldLetters, as: UTF8.self).uppercased() {
            case "A", "ADD", "ADDED", "I", "INSERT": action = .add
            case "D", "DEL", "DELETE", "DELETED", "R", "REMOVE", "REMOVED": action = .delete
            case "": break
            default: sawOther = true
            }
            fieldLetters.removeAll(keepingCapacity: true)
        }
        for byte in line {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // Digits before the number is complete belong to it; `NPA,NXXXXXX` joins across the comma.
                if digits < 11 { number = number * 10 + Int(byte - 48); digits += 1 } else { digits += 1 }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                fieldLetters.append(byte)
            case UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|"), UInt8(ascii: ";"):
                endField()
            default:
                continue   // quotes, spaces, dashes, brackets, CR
            }
        }
        endField()
        if digits == 0 && !sawOther && action == nil { contents.lines -= 1; return }   // a blank line
        if digits == 0 && contents.fileLine == 1 { contents.lines -= 1; return }          // a header line
        if digits == 11 && number / 10_000_000_000 == 1 { number -= 10_000_000_000; digits = 10 }
        func reject(_ reason: String) {
            contents.rejectedCount += 1
            if contents.rejected.count < 20 { contents.rejected.append(Rejected(line: contents.fileLine, reason: reason)) }
        }
        guard digits == 10 else { return reject("expected a 10-digit number, found \(digits) digits") }
        guard number >= 2_000_000_000 else { return reject("the area code cannot start with 0 or 1") }
        if changeList {
            switch action {
            case .add: contents.added.append(number)
            case .delete: contents.deleted.append(number)
            case nil: reject("a change list line needs an add or delete marker")
            }
        } else {
            if action == .delete { return reject("a full list cannot delete numbers; import it as a change list") }
            contents.added.append(number)
        }
    }
}
