import Foundation
import GRDB
import LeadlineCrypto
import Logging
import Store
import Synchronization

/// One CSV import and where it stands.
public struct ImportJob: Sendable, Equatable, Codable, FetchableRecord {
    public enum Status: String, Codable, Sendable {
        case queued, running, done, failed
    }

    public enum Origin: String, Codable, Sendable {
        /// Uploaded over HTTP; the server keeps the file until the import ends and runs it in the background.
        case upload
        /// A file named on the command line, read where it is by the command that imports it.
        case file
    }

    public var id: String
    public var tenantID: String
    public var origin: Origin
    public var fileName: String
    public var path: String
    public var bytes: Int
    public var fileModifiedAt: String?
    public var actor: String
    public var status: Status
    public var rows: Int
    public var bytesDone: Int
    public var created: Int
    public var duplicate: Int
    public var rejected: Int
    public var error: String?
    /// The columns an admin chose (field name → column index); nil: read by the header's names.
    public var columns: String?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, origin, path, bytes, actor, status, rows, created, duplicate, rejected, error, columns
        case tenantID = "tenant_id", fileName = "file_name", fileModifiedAt = "file_modified_at", bytesDone = "bytes_done"
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
    }

    /// The counts so far, as the importer carries them on from.
    var report: LeadImport.Report {
        LeadImport.Report(rows: rows, bytes: bytesDone, created: created, duplicate: duplicate, rejected: rejected)
    }

    /// Share of the file read and committed, 0…1.
    public var fractionDone: Double {
        if status == .done { return 1 }
        return bytes > 0 ? min(1, Double(bytesDone) / Double(bytes)) : 0
    }
}

/// CSV imports as jobs: an upload is checked, kept beside the database and imported in the background, one job at a
/// time; a command-line import records a job too. Progress commits with each batch of leads, so an import stopped by a
/// restart (or a killed command) resumes after its last committed row instead of reading the file again from the top.
public final class ImportJobs: Sendable {
    let store: SQLiteStore
    let leads: Leads
    let clock: any Clock
    /// Where uploads are kept while their import runs (`<database>.imports/`).
    public let directory: String
    let logger = Logger(label: "leadline.imports")
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: Mutex<AsyncStream<Void>?>
    private let worker = Mutex<(task: Task<Void, Never>, done: DispatchSemaphore)?>(nil)
    /// True while the worker runs a job (so a stop knows whether there is a batch to wait for).
    private let busy = Atomic<Bool>(false)

    public init(store: SQLiteStore, leads: Leads, clock: any Clock, directory: String) {
        self.store = store
        self.leads = leads
        self.clock = clock
        self.directory = directory
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        wakes = Mutex(stream)
    }

    /// Checks an uploaded file's header (with the `columns` chosen for it, if any), moves the file into `directory`
    /// and queues its import.
    public func submit(upload path: String, fileName: String, tenantID: String, actor: String,
                       columns: [LeadImport.Field: Int]? = nil) async throws -> ImportJob {
        let header = try Self.header(path: path)
        if let columns { _ = try LeadImport.chosenColumns(columns, header: header) } else { _ = try LeadImport.mapColumns(header) }

        let now = clock.now
        let id = Identifier.sortable("imp", at: now)
        let kept = (directory as NSString).appendingPathComponent("\(id).csv")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: path, toPath: kept)
        let size = (try? FileManager.default.attributesOfItem(atPath: kept)[.size] as? Int) ?? 0
        let job = ImportJob(id: id, tenantID: tenantID, origin: .upload, fileName: Self.cleanName(fileName), path: kept, bytes: size,
                            fileModifiedAt: nil, actor: actor, status: .queued, rows: 0, bytesDone: 0, created: 0, duplicate: 0,
                            rejected: 0, error: nil, columns: columns.map(Self.encode), createdAt: Timestamp.format(now), startedAt: nil,
                            finishedAt: nil)
        do {
            try await store.write { db in try Self.insert(job, db) }
        } catch {
            try? FileManager.default.removeItem(atPath: kept)
            throw error
        }
        wake.yield()
        return job
    }

    /// An upload waiting for its columns to be chosen (the console's import form): its header and first rows. The
    /// file waits beside the imports under a random token, for a day at most.
    public struct StagedUpload: Sendable {
        public let token: String
        public let header: [String]
        /// Up to three data rows.
        public let samples: [[String]]
    }

    /// Keeps an uploaded file until its columns are chosen; its header must be readable.
    public func stage(upload path: String, tenantID: String) throws -> StagedUpload {
        _ = try Self.header(path: path)
        let folder = stagingFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let dayAgo = Date().addingTimeInterval(-86_400)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let file = (folder as NSString).appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date, modified < dayAgo {
                try? FileManager.default.removeItem(atPath: file)
            }
        }
        let token = SecureRandom.bytes(16).hex
        try FileManager.default.moveItem(atPath: path, toPath: stagedPath(token: token, tenantID: tenantID))
        return try staged(token: token, tenantID: tenantID)
    }

    /// A staged upload of the tenant, read again.
    public func staged(token: String, tenantID: String) throws -> StagedUpload {
        let path = try existingStagedPath(token: token, tenantID: tenantID)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CoreError.notFound("the uploaded file (upload it again)") }
        defer { try? handle.close() }
        var reader = CSVReader(fileHandle: handle)
        guard let header = try Self.readHeader(&reader) else { throw CoreError.invalid([.init("file", "is empty")]) }
        var samples: [[String]] = []
        while samples.count < 3, let row = try? reader.next() { samples.append(row) }
        return StagedUpload(token: token, header: header, samples: samples)
    }

    /// Queues the import of a staged upload with the columns chosen.
    public func submit(staged token: String, fileName: String, tenantID: String, actor: String,
                       columns: [LeadImport.Field: Int]) async throws -> ImportJob {
        try await submit(upload: try existingStagedPath(token: token, tenantID: tenantID), fileName: fileName, tenantID: tenantID,
                         actor: actor, columns: columns)
    }

    private var stagingFolder: String { (directory as NSString).appendingPathComponent("staged") }

    private func stagedPath(token: String, tenantID: String) -> String {
        (stagingFolder as NSString).appendingPathComponent("\(tenantID).\(token).csv")
    }

    private func existingStagedPath(token: String, tenantID: String) throws -> String {
        let path = stagedPath(token: token, tenantID: tenantID)
        guard token.count == 32, token.allSatisfy(\.isHexDigit), FileManager.default.fileExists(atPath: path) else {
            throw CoreError.notFound("the uploaded file (it is kept for a day; upload it again)")
        }
        return path
    }

    /// A job for a file read where it lies (the command line). An earlier run over the same file (path, size and
    /// modification time) that stopped part way is resumed rather than started again.
    public func fileJob(path: String, tenantID: String, actor: String) async throws -> (job: ImportJob, resumed: Bool) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let attributes = try FileManager.default.attributesOfItem(atPath: absolute)
        let size = attributes[.size] as? Int ?? 0
        let modified = (attributes[.modificationDate] as? Date).map(Timestamp.format)
        let unfinished = try store.read { db in
            try ImportJob.fetchOne(db, sql: """
                SELECT * FROM imports WHERE tenant_id = ? AND origin = 'file' AND path = ? AND bytes = ? AND file_modified_at IS ?
                    AND status IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1
                """, arguments: [tenantID, absolute, size, modified])
        }
        if let unfinished { return (unfinished, true) }
        let now = clock.now
        let job = ImportJob(id: Identifier.sortable("imp", at: now), tenantID: tenantID, origin: .file,
                            fileName: Self.cleanName((absolute as NSString).lastPathComponent), path: absolute, bytes: size,
                            fileModifiedAt: modified, actor: actor, status: .queued, rows: 0, bytesDone: 0, created: 0,
                            duplicate: 0, rejected: 0, error: nil, columns: nil, createdAt: Timestamp.format(now), startedAt: nil,
                            finishedAt: nil)
        try await store.write { db in try Self.insert(job, db) }
        return (job, false)
    }

    /// Runs (or resumes) a job to its end and returns it as it ended: `done`, or `failed` with the reason (a file
    /// that cannot be read or parsed; rows already committed stay). Cancelling stops it between batches, still
    /// `running`, ready to resume.
    @discardableResult
    public func run(_ job: ImportJob, progress: @escaping (LeadImport.Report) -> Void = { _ in },
                    onReject: @escaping (LeadImport.Reject) -> Void = { _ in }) async throws -> ImportJob {
        let started = Timestamp.format(clock.now)
        try await store.write { db in
            try db.execute(sql: "UPDATE imports SET status = 'running', started_at = coalesce(started_at, ?) WHERE id = ?",
                           arguments: [started, job.id])
        }
        let outcome: Result<LeadImport.Report, any Error>
        if let handle = FileHandle(forReadingAtPath: job.path) {
            var reader = CSVReader(fileHandle: handle)
            let importer = LeadImport(leads: leads), id = job.id
            do {
                outcome = .success(try await importer.run(&reader, tenantID: job.tenantID, actor: job.actor, resuming: job.report,
                                                          columns: job.columns.map(Self.decode), checkpoint: { db, report, rejects in
                                                              try Self.record(id, report, rejects, db)
                                                          }, progress: progress, onReject: onReject))
            } catch is CancellationError {
                try? handle.close()
                throw CancellationError()
            } catch {
                outcome = .failure(error)
            }
            try? handle.close()
        } else {
            outcome = .failure(CoreError.invalid([.init("file", "\(job.path) can no longer be read")]))
        }
        let finished = Timestamp.format(clock.now)
        try await store.write { db in
            switch outcome {
            case .success(let report):
                // Rows after the last batch (blank or header-only tails) were read but needed no commit.
                try db.execute(sql: """
                    UPDATE imports SET status = 'done', rows = ?, bytes_done = ?, finished_at = ? WHERE id = ?
                    """, arguments: [report.rows, report.bytes, finished, job.id])
            case .failure(let error):
                try db.execute(sql: "UPDATE imports SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
                               arguments: [String(describing: error), finished, job.id])
            }
        }
        if job.origin == .upload { try? FileManager.default.removeItem(atPath: job.path) }
        return try find(tenantID: job.tenantID, id: job.id)
    }

    public func find(tenantID: String, id: String) throws -> ImportJob {
        guard let job = try store.read({ db in
            try ImportJob.fetchOne(db, sql: "SELECT * FROM imports WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
        }) else { throw CoreError.notFound("import \(id)") }
        return job
    }

    /// The tenant's imports, newest first.
    public func list(tenantID: String, limit: Int = 50) throws -> [ImportJob] {
        try store.read { db in
            try ImportJob.fetchAll(db, sql: "SELECT * FROM imports WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                                   arguments: [tenantID, max(1, min(limit, 500))])
        }
    }

    /// A job's rejected rows in file order, from `afterRow` on.
    public func rejects(tenantID: String, id: String, afterRow: Int = 0, limit: Int = 100_000) throws -> [LeadImport.Reject] {
        _ = try find(tenantID: tenantID, id: id)
        return try store.read { db in
            try Row.fetchAll(db, sql: "SELECT row, reasons FROM import_rejects WHERE import_id = ? AND row > ? ORDER BY row LIMIT ?",
                             arguments: [id, afterRow, limit]).map { row in
                let reasons = (try? JSONDecoder().decode([String].self, from: Data((row["reasons"] as String).utf8))) ?? []
                return LeadImport.Reject(row: row["row"], reasons: reasons)
            }
        }
    }

    /// Runs queued and interrupted uploads, oldest first, one at a time, until `stopWorker`.
    public func startWorker() {
        guard let stream = wakes.withLock({ $0.take() }) else { return }
        // Deletes what an interrupted upload left half-written.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("upload-") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached { [self] in
            defer { done.signal() }
            wake.yield()
            for await _ in stream {
                while true {
                    // Busy before it looks for a job, and the cancellation checked after: a `stopWorker` that cancels
                    // once this has looked then sees it busy and waits, rather than closing the store under the job.
                    busy.store(true, ordering: .sequentiallyConsistent)
                    defer { busy.store(false, ordering: .sequentiallyConsistent) }
                    guard !Task.isCancelled, let job = nextUpload() else { break }
                    do {
                        let ended = try await run(job)
                        logger.info("import ended", metadata: [
                            "import": .string(ended.id), "status": .string(ended.status.rawValue), "rows": .stringConvertible(ended.rows),
                            "created": .stringConvertible(ended.created), "rejected": .stringConvertible(ended.rejected),
                        ])
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error("import could not be recorded", metadata: ["import": .string(job.id), "error": .string("\(error)")])
                        return
                    }
                }
                if Task.isCancelled { return }
            }
        }
        worker.withLock { $0 = (task, done) }
    }

    /// Stops the worker. A job in progress stops after the batch in flight, waited for (up to 30 s); it resumes at
    /// the next start from its last committed batch. An idle worker is not waited for: the wait would need a thread of
    /// Swift's shared pool, and a caller may be on one (a server released at the end of an async test).
    public func stopWorker() {
        guard let (task, done) = worker.withLock({ $0.take() }) else { return }
        task.cancel()
        wake.finish()
        if busy.load(ordering: .sequentiallyConsistent) { _ = done.wait(timeout: .now() + 30) }
    }

    private func nextUpload() -> ImportJob? {
        try? store.read { db in
            try ImportJob.fetchOne(db, sql: """
                SELECT * FROM imports WHERE status IN ('queued', 'running') AND origin = 'upload' ORDER BY created_at, id LIMIT 1
                """)
        }
    }

    private static func insert(_ job: ImportJob, _ db: GRDB.Database) throws {
        try db.execute(sql: """
            INSERT INTO imports (id, tenant_id, origin, file_name, path, bytes, file_modified_at, actor, status, columns, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [job.id, job.tenantID, job.origin.rawValue, job.fileName, job.path, job.bytes, job.fileModifiedAt,
                             job.actor, job.status.rawValue, job.columns, job.createdAt])
    }

    /// The header row of a CSV file.
    public static func header(path: String) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CoreError.invalid([.init("file", "could not be read")]) }
        defer { try? handle.close() }
        var reader = CSVReader(fileHandle: handle)
        guard let header = try readHeader(&reader) else { throw CoreError.invalid([.init("file", "is empty")]) }
        return header
    }

    static func encode(_ columns: [LeadImport.Field: Int]) -> String {
        let pairs = columns.sorted { $0.value < $1.value }.map { "\"\($0.key.rawValue)\":\($0.value)" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func decode(_ text: String) -> [LeadImport.Field: Int] {
        let object = (try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8))) ?? [:]
        return Dictionary(uniqueKeysWithValues: object.compactMap { key, value in LeadImport.Field(rawValue: key).map { ($0, value) } })
    }

    /// In the batch's transaction: the counts through the batch, and its rejected rows.
    private static func record(_ id: String, _ report: LeadImport.Report, _ rejects: [LeadImport.Reject], _ db: GRDB.Database) throws {
        try db.cachedStatement(sql: """
            UPDATE imports SET rows = ?, bytes_done = ?, created = ?, duplicate = ?, rejected = ? WHERE id = ?
            """).run { row in
                row.add(report.rows); row.add(report.bytes); row.add(report.created); row.add(report.duplicate)
                row.add(report.rejected); row.add(id)
            }
        let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO import_rejects (import_id, row, reasons) VALUES (?, ?, ?)")
        for reject in rejects {
            try insert.run { row in row.add(id); row.add(reject.row); row.add(CanonicalJSON.array(reject.reasons)) }
        }
    }

    private static func readHeader(_ reader: inout CSVReader) throws -> [String]? {
        do { return try reader.next() } catch let problem as CSVReader.Problem {
            throw CoreError.invalid([.init("file", problem.description)])
        }
    }

    /// A file name as given by a person or a browser, without its folders and kept short.
    static func cleanName(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        return printable.isEmpty ? "upload.csv" : String(printable.prefix(200))
    }
}
