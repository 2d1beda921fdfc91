import ArgumentParser
import Foundation
import LeadlineCore
import Store
import Synchronization

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import leads from a CSV file through the same checks as the API.",
        discussion: """
            Each batch of rows commits together with the import's progress. If the command is stopped, running it again \
            on the same unchanged file resumes after the last committed row; a finished file can be imported again \
            safely (its rows come back as duplicates).
            """)
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The CSV file; its header names the columns (phone is required).") var file: String
    @Option(help: "The tenant's name.") var tenant: String
    @Option(help: "Write the rejected rows, with their reasons, to this CSV file.") var rejects: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw Failure("cannot read \(file)") }
        let store = try openStore(database)
        defer { try? store.close() }
        let owner = try Tenants(store: store, clock: SystemClock()).named(tenant)
        let jobs = ImportJobs(store: store, leads: Leads(store: store, clock: SystemClock()), clock: SystemClock(),
                              directory: store.path + ".imports")
        var rejectsOut: FileHandle?
        if let rejects {
            guard FileManager.default.createFile(atPath: rejects, contents: Data(LeadImport.Reject.csvHeader.utf8)),
                  let out = FileHandle(forWritingAtPath: rejects) else { throw Failure("cannot write \(rejects)") }
            out.seekToEndOfFile()
            rejectsOut = out
        }
        let started = ContinuousClock.now
        let showProgress = !json && isatty(STDERR_FILENO) == 1
        let file = self.file
        let (job, resumed) = try runBlocking { try await jobs.fileJob(path: file, tenantID: owner.id, actor: "import:\(URL(fileURLWithPath: file).lastPathComponent)") }
        if resumed && !json { print("Resuming the import of \(file) after row \(job.rows + 1) (\(job.rows) rows were committed by an earlier run).") }
        if resumed, let rejectsOut {
            // The rows rejected before the stop are in the database; the file gets them all.
            for reject in try jobs.rejects(tenantID: owner.id, id: job.id) { write(reject, to: rejectsOut) }
        }
        let ended = try runBlocking { [rejectsOut] in
            try await jobs.run(job, progress: { report in
                if showProgress {
                    FileHandle.standardError.write(Data("\r\(report.rows) rows: \(report.created) created, \(report.duplicate) duplicate, \(report.rejected) rejected".utf8))
                }
            }, onReject: { reject in
                if let rejectsOut { write(reject, to: rejectsOut) }
            })
        }
        try rejectsOut?.close()
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            struct Output: Encodable {
                let id: String, status: String, rows, created, duplicate, rejected: Int, seconds: Double, resumed: Bool, error: String?
            }
            try printJSON(Output(id: ended.id, status: ended.status.rawValue, rows: ended.rows, created: ended.created,
                                 duplicate: ended.duplicate, rejected: ended.rejected, seconds: (seconds * 1000).rounded() / 1000,
                                 resumed: resumed, error: ended.error))
        } else {
            print("Imported \(file) into '\(owner.name)': \(ended.rows) rows, \(ended.created) created, \(ended.duplicate) duplicate, \(ended.rejected) rejected (\(String(format: "%.1f", seconds)) s).")
            let shown = try jobs.rejects(tenantID: owner.id, id: ended.id, limit: 10)
            for reject in shown { print("  row \(reject.row): \(reject.reasons.joined(separator: "; "))") }
            if ended.rejected > shown.count {
                print("  … \(ended.rejected - shown.count) more" + (rejects.map { " in \($0)" } ?? "; --rejects FILE writes them all"))
            }
        }
        if ended.status == .failed { throw Failure("the import stopped: \(ended.error ?? "unknown error") (rows before it were kept)") }
    }
}

private func write(_ reject: LeadImport.Reject, to out: FileHandle) {
    out.write(Data(reject.csvLine.utf8))
}

/// Runs async work from a command and waits for it (the command line's main thread has nothing else to do).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<Result<T, any Error>?>(nil)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
