import Foundation
@testable import LeadlineCore
import LeadlineTesting
import Testing

@Suite struct DNCFileTests {
    func write(_ text: String, _ folder: TemporaryDirectory) -> String {
        let path = folder.file("dnc-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func readsBothRegistryLayoutsAndReportsBadLines() throws {
        let folder = TemporaryDirectory()
        let path = write("phone\r\n7025551234\r\n702,5551235\n\"1-702-555-1236\"\n\n12345\n1025551234\n7025551237", folder)
        let contents = try DNCFile.read(path: path, changeList: false)
        #expect(contents.added == [7_025_551_234, 7_025_551_235, 7_025_551_236, 7_025_551_237])
        #expect(contents.rejectedCount == 2)
        #expect(contents.rejected.map(\.line) == [6, 7], "file line numbers")
        #expect(contents.lines == 6, "blank lines and the header are not counted")
    }

    @Test func changeListsNeedAnActionPerLine() throws {
        let folder = TemporaryDirectory()
        let path = write("702,5551234,A\n702,5551235,D\n7025551236,delete\n7025551237\n", folder)
        let contents = try DNCFile.read(path: path, changeList: true)
        #expect(contents.added == [7_025_551_234])
        #expect(contents.deleted == [7_025_551_235, 7_025_551_236])
        #expect(contents.rejected == [.init(line: 4, reason: "a change list line needs an add or delete marker")])
    }

    @Test func linesLongerThanTheReadBufferAreJoined() throws {
        let folder = TemporaryDirectory()
        var text = String(repeating: "7025550000\n", count: 120_000)   // well over one 1 MiB read
        text += "7025559999"
        let contents = try DNCFile.read(path: write(text, folder), changeList: false)
        #expect(contents.added.count == 120_001)
        #expect(contents.rejectedCount == 0)
        #expect(contents.added.last == 7_025_559_999)
    }
}
