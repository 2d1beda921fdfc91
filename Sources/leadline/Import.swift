import ArgumentParser
import Foundation
import LeadlineCore
import Store
import Synchronization

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import leads from a CSV file through the same checks as the API (safe to run again: repeats are duplicates).")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The CSV file; its header names the columns (phone is required).") var file: String
    @Option(help: "The tenant's name.") var tenant: String
    @Option(help: "Write the rejected rows, with their reasons, to this CSV file.") var rejects: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw Failure("cannot read \(file)") }
        let store = try openStore(database)
        defer { try? store.close() }
        let owner = try Tenants(store: store, clock: SystemClock()).named(tenant)
        let importer = LeadImport(leads: Leads(store: store, clock: SystemClock()))
        var rejectsOut: FileHandle?
        if let rejects {
            guard FileManager.default.createFile(atPath: rejects, contents: Data("row,reasons\n".utf8)),
                  let out = FileHandle(forWritingAtPath: rejects) else { throw Failure("cannot write \(rejects)") }
            out.seekToEndOfFile()
            rejectsOut = out
        }
        let started = ContinuousClock.now
        let showProgress = !json && isatty(STDERR_FILENO) == 1
        let fileName = (file as NSString).lastPathComponent
        let report = try runBlocking { [rejectsOut] in
            var reader = CSVReader(fileHandle: handle)
            return try await importer.run(&reader, tenantID: owner.id, actor: "import:\(fileName)", progress: { report in
                if showProgress {
                    FileHandle.standardError.write(Data("\r\(report.rows) rows: \(report.created) created, \(report.duplicate) duplicate, \(report.rejected) rejected".utf8))
                }
            }, onReject: { reject in
                let reasons = reject.reasons.joined(separator: "; ").replacingOccurrences(of: "\"", with: "\"\"")
                rejectsOut?.write(Data("\(reject.row),\"\(reasons)\"\n".utf8))
            })
        }
        try rejectsOut?.close()
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            struct Output: Encodable { let rows, created, duplicate, rejected: Int; let seconds: Double }
            try printJSON(Output(rows: report.rows, created: report.created, duplicate: report.duplicate, rejected: report.rejected,
                                 seconds: (seconds * 1000).rounded() / 1000))
            return
        }
        print("Imported \(file) into '\(owner.name)': \(report.rows) rows, \(report.created) created, \(report.duplicate) duplicate, \(report.rejected) rejected (\(String(format: "%.1f", seconds)) s).")
        for reject in report.firstRejects.prefix(10) { print("  row \(reject.row): \(reject.reasons.joined(separator: "; "))") }
        if report.rejected > 10 { print("  … \(report.rejected - 10) more" + (rejects.map { " in \($0)" } ?? "; --rejects FILE writes them all")) }
    }
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
