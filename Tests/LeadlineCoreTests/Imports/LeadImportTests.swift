import Foundation
import GRDB
@testable import LeadlineCore
import LeadlineTesting
import Store
import Synchronization
import Testing

@Suite struct LeadImportTests {
    @Test func recognisesCommonColumnNames() throws {
        let map = try LeadImport.mapColumns(["Mobile Phone", "FIRST_NAME", "Surname", "E-Mail Address", "Zip Code", "Opt-In Date", "Landing Page"])
        #expect(map[.phone] == 0)
        #expect(map[.firstName] == 1)
        #expect(map[.lastName] == 2)
        #expect(map[.email] == 3)
        #expect(map[.zipCode] == 4)
        #expect(map[.consentTimestamp] == 5)
        #expect(map[.consentURL] == 6)
        #expect(throws: CoreError.self) { try LeadImport.mapColumns(["name", "email"]) }
    }

    /// A store in a temporary folder with one tenant, and an importer into it.
    static func importer(batchSize: Int) throws -> (TemporaryDirectory, SQLiteStore, Tenant, LeadImport) {
        let folder = TemporaryDirectory()
        let store = try SQLiteStore(path: folder.file("i.db"), migrations: Schema.migrations)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
        let tenant = try Tenants(store: store, clock: clock).create(name: "acme")
        var importer = LeadImport(leads: Leads(store: store, clock: clock))
        importer.batchSize = batchSize
        return (folder, store, tenant, importer)
    }

    @Test func goodBadAndDuplicateRowsThroughTheSameIntake() async throws {
        let (folder, store, tenant, importer) = try Self.importer(batchSize: 3)
        defer { try? store.close(); _ = folder }
        let csv = """
            phone,first_name,state,consent_text,page_url
            5551234567,Jane,TX,I agree,https://example.com/a
            555-123-4567,Jane again,TX,,
            7025550101,Pat,NV,,
            12,Bad,ZZ,,
            7025550102,Sam,NV,I agree,https://example.com/a
            7025550101,Pat twice,NV,,
            """
        var reader = CSVReader(bytes: Array(csv.utf8))
        var rejects: [LeadImport.Reject] = []
        var progress: [Int] = []
        let report = try await importer.run(&reader, tenantID: tenant.id, actor: "test",
                                            progress: { progress.append($0.created + $0.duplicate + $0.rejected) },
                                            onReject: { rejects.append($0) })
        #expect(report.rows == 6)
        #expect(report.created == 3)
        #expect(report.duplicate == 2, "one repeat inside a batch, one across batches")
        #expect(report.rejected == 1)
        #expect(rejects.map(\.row) == [5])
        #expect(rejects.first?.reasons.contains { $0.hasPrefix("phone:") } == true)
        #expect(rejects.first?.reasons.contains { $0.hasPrefix("state:") } == true)
        #expect(progress == [3, 6])
        let stored = try store.read { db in try Lead.fetchAll(db, sql: "SELECT * FROM leads ORDER BY phone") }
        #expect(stored.map(\.phone) == ["+15551234567", "+17025550101", "+17025550102"])
        #expect(stored.map(\.status) == [.new, .ineligible, .new])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM consent_certificates") } == 2)
        #expect(try store.read { db in try String.fetchOne(db, sql: "SELECT actor FROM lead_events LIMIT 1") } == "test")
        // The daily counts the reports read, kept by the insert: one new and one ineligible lead besides the first.
        #expect(try store.read { db in try Row.fetchAll(db, sql: "SELECT status, leads FROM lead_daily ORDER BY status") }
            .map { "\($0[0] as String) \($0[1] as Int)" } == ["ineligible 1", "new 2"])
        #expect(try store.read { try Invariants.problems($0) } == [])

        // Running the same file again stores nothing new.
        var again = CSVReader(bytes: Array(csv.utf8))
        let second = try await importer.run(&again, tenantID: tenant.id, actor: "test")
        #expect(second.created == 0 && second.duplicate == 5 && second.rejected == 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 3)
    }

    struct CheckpointFailed: Error {}

    /// Batches are handed to the writer before the one before has committed. When one fails, the batch queued behind
    /// it must not commit either: the import's checkpoint would then pass over the failed batch's rows.
    @Test func noBatchCommitsAfterOneThatFailed() async throws {
        let (folder, store, tenant, importer) = try Self.importer(batchSize: 3)
        defer { try? store.close(); _ = folder }
        let csv = "phone,consent_text\n" + (0..<12).map { "70255501\(10 + $0),I agree\n" }.joined()
        var reader = CSVReader(bytes: Array(csv.utf8))
        let checkpoints = Mutex<[Int]>([])
        await #expect(throws: CheckpointFailed.self) {
            _ = try await importer.run(&reader, tenantID: tenant.id, actor: "test", checkpoint: { _, report, _ in
                checkpoints.withLock { $0.append(report.rows) }
                guard report.rows == 6 else { return }
                // Long enough for the third batch to be queued behind this one on the writer.
                Thread.sleep(forTimeInterval: 0.2)
                throw CheckpointFailed()
            })
        }
        // The third batch reached the writer and was refused before its checkpoint.
        #expect(checkpoints.withLock { $0 } == [3, 6])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 3)
        #expect(try store.read { try Invariants.problems($0) } == [])
    }

    @Test func aTallyRefusesABatchThatDoesNotFollowOn() throws {
        let folder = TemporaryDirectory()
        let queue = try DatabaseQueue(path: folder.file("t.db"))
        let tally = LeadImport.Tally(LeadImport.Report(rows: 10, created: 10))
        #expect(throws: LeadImport.BatchNotAfterItsPredecessor.self) { try tally.report(through: 0) }
        #expect(try tally.report(through: 10).created == 10)
        try queue.inTransaction { db in
            tally.record(LeadImport.Report(rows: 20, created: 19, rejected: 1), db)
            return .commit
        }
        #expect(try tally.report(through: 20).rejected == 1)
        try queue.inTransaction { db in
            tally.record(LeadImport.Report(rows: 30, created: 29, rejected: 1), db)
            return .rollback
        }
        #expect(throws: LeadImport.BatchNotAfterItsPredecessor.self, "a rolled-back batch stops every later one") {
            try tally.report(through: 30)
        }
        #expect(throws: LeadImport.BatchNotAfterItsPredecessor.self) { try tally.report(through: 20) }
    }
}

@Suite final class ImportJobTests {
    let folder = TemporaryDirectory()
    let store: SQLiteStore
    let jobs: ImportJobs
    let tenantID: String

    init() throws {
        store = try SQLiteStore(path: folder.file("j.db"), migrations: Schema.migrations)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_785_000_000))
        tenantID = try Tenants(store: store, clock: clock).create(name: "acme").id
        jobs = ImportJobs(store: store, leads: Leads(store: store, clock: clock), clock: clock, directory: folder.file("j.db.imports"))
    }

    deinit { try? store.close() }

    func csv(rows: Int, badEvery: Int = 0) -> String {
        var text = "phone,first_name,state,consent_text,page_url\n"
        for index in 0..<rows {
            if badEvery > 0 && index % badEvery == badEvery - 1 { text += "12\(index),Bad,ZZ,,\n"; continue }
            text += "702\(String(format: "%07d", 5_000_000 + index)),P\(index),NV,I agree,https://example.com/a\n"
        }
        return text
    }

    func count(_ table: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
    }

    @Test func aStoppedFileImportResumesAfterItsLastCommittedBatch() async throws {
        let path = folder.file("leads.csv")
        // Two batches and a fifth, one row in a hundred bad.
        let batch = LeadImport.defaultBatchSize, rows = batch * 2 + batch / 5
        try csv(rows: rows, badEvery: 100).write(toFile: path, atomically: true, encoding: .utf8)
        let (job, resumed) = try await jobs.fileJob(path: path, tenantID: tenantID, actor: "test")
        #expect(!resumed && job.status == .queued && job.bytes > 0)

        // Stopped while the first batch is being counted: the second is already on its way and is kept too.
        let jobs = self.jobs
        let first = Task {
            try await jobs.run(job, progress: { report in
                if report.rows == batch { withUnsafeCurrentTask { $0?.cancel() } }
            })
        }
        await #expect(throws: CancellationError.self) { try await first.value }
        let stopped = try jobs.find(tenantID: tenantID, id: job.id)
        #expect(stopped.status == .running)
        #expect(stopped.rows == 2 * batch && stopped.created == 2 * batch - 2 * batch / 100 && stopped.rejected == 2 * batch / 100)
        #expect(stopped.bytesDone > 0 && stopped.bytesDone < stopped.bytes)
        #expect(try count("leads") == 2 * batch - 2 * batch / 100)

        let (again, wasResumed) = try await jobs.fileJob(path: path, tenantID: tenantID, actor: "test")
        #expect(wasResumed && again.id == job.id)
        var seen: [Int] = []
        let ended = try await jobs.run(again, onReject: { seen.append($0.row) })
        #expect(ended.status == .done && ended.fractionDone == 1)
        #expect(ended.rows == rows && ended.created == rows - rows / 100 && ended.duplicate == 0 && ended.rejected == rows / 100)
        #expect(ended.bytesDone == ended.bytes)
        #expect(seen == stride(from: 2 * batch + 101, through: rows + 1, by: 100).map { $0 },
                "only the rows after the checkpoint are read into the intake again")
        #expect(try count("leads") == rows - rows / 100)
        // Every rejected row of both runs is kept with its reasons, in file order (row 1 is the header).
        let rejects = try jobs.rejects(tenantID: tenantID, id: job.id)
        #expect(rejects.map(\.row) == (1...rows / 100).map { $0 * 100 + 1 })
        #expect(rejects.first?.reasons.contains { $0.hasPrefix("phone:") } == true)

        // Finished: the next run over the same file is a new job, and everything comes back as a duplicate.
        let (third, thirdResumed) = try await jobs.fileJob(path: path, tenantID: tenantID, actor: "test")
        #expect(!thirdResumed && third.id != job.id)
        let repeated = try await jobs.run(third)
        #expect(repeated.created == 0 && repeated.duplicate == rows - rows / 100 && repeated.rejected == rows / 100)
    }

    @Test func uploadsAreCheckedMovedAndRunByTheWorker() async throws {
        let upload = folder.file("upload-1.part")
        try csv(rows: 30, badEvery: 10).write(toFile: upload, atomically: true, encoding: .utf8)
        let job = try await jobs.submit(upload: upload, fileName: "C:\\Users\\pat\\May leads.csv", tenantID: tenantID, actor: "test")
        #expect(job.fileName == "May leads.csv" && job.status == .queued)
        #expect(!FileManager.default.fileExists(atPath: upload) && FileManager.default.fileExists(atPath: job.path))

        jobs.startWorker()
        defer { jobs.stopWorker() }
        var current = job
        // Done, and its kept upload deleted (just after the status is recorded).
        for _ in 0..<1000 where (current.status != .done && current.status != .failed) || FileManager.default.fileExists(atPath: job.path) {
            try await Task.sleep(for: .milliseconds(10))
            current = try jobs.find(tenantID: tenantID, id: job.id)
        }
        #expect(current.status == .done && current.created == 27 && current.rejected == 3)
        #expect(!FileManager.default.fileExists(atPath: job.path), "the kept upload is deleted when its import ends")
        #expect(try jobs.list(tenantID: tenantID).map(\.id) == [job.id])
        #expect(throws: CoreError.notFound("import \(job.id)")) { try jobs.find(tenantID: "ten_other", id: job.id) }

        // A file without a phone column, or an empty one, is refused before a job exists.
        let noPhone = folder.file("upload-2.part")
        try "name,email\nPat,p@example.com\n".write(toFile: noPhone, atomically: true, encoding: .utf8)
        await #expect(throws: CoreError.self) { try await jobs.submit(upload: noPhone, fileName: "x.csv", tenantID: tenantID, actor: "test") }
        let empty = folder.file("upload-3.part")
        FileManager.default.createFile(atPath: empty, contents: Data())
        await #expect(throws: CoreError.invalid([.init("file", "is empty")])) {
            try await jobs.submit(upload: empty, fileName: "x.csv", tenantID: tenantID, actor: "test")
        }
        #expect(try jobs.list(tenantID: tenantID).count == 1)
    }
}
