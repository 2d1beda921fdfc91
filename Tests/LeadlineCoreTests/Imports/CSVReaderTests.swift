import Foundation
@testable import LeadlineCore
import Testing

@Suite struct CSVReaderTests {
    static let sample = Array("\u{FEFF}a,b,c\r\n1,\"two, with comma\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",,x\nlast,row,\"\"".utf8)
    static let expected = [["a", "b", "c"], ["1", "two, with comma", "say \"hi\""], ["multi\nline", "", "x"], ["last", "row", ""]]

    func rows(_ reader: inout CSVReader) throws -> [[String]] {
        var all: [[String]] = []
        while let row = try reader.next() { all.append(row) }
        return all
    }

    @Test func readsQuotesEscapesLineEndingsAndBOM() throws {
        var reader = CSVReader(bytes: Self.sample)
        #expect(try rows(&reader) == Self.expected)
        #expect(reader.rowNumber == 4)
    }

    @Test func sameAnswerWhateverTheChunkBoundaries() throws {
        for chunkSize in [1, 2, 3, 7] {
            var offset = 0
            var reader = CSVReader { chunk in
                let end = min(offset + chunkSize, Self.sample.count)
                chunk = Array(Self.sample[offset..<end])
                defer { offset = end }
                return end - offset
            }
            #expect(try rows(&reader) == Self.expected, "chunks of \(chunkSize)")
        }
    }

    func problem(_ text: String) -> CSVReader.Problem? {
        var reader = CSVReader(bytes: Array(text.utf8))
        do {
            _ = try rows(&reader)
            return nil
        } catch {
            return error as? CSVReader.Problem
        }
    }

    @Test func reportsBrokenInput() throws {
        #expect(problem("a,b\n\"never closed,1\n") == .unterminatedQuote(row: 2))
        #expect(problem("a\n" + String(repeating: "x", count: 70_000) + "\n") == .fieldTooLong(row: 2))
        var empty = CSVReader(bytes: [])
        let nothing = try empty.next()
        #expect(nothing == nil)
    }
}
