import Foundation
import GRDB
import Synchronization

/// Imports leads from CSV through the same intake as the APIs (validation, dedup, consent, score), in batches of
/// `batchSize` per transaction. Safe to run again on the same file: rows already imported come back as duplicates.
public struct LeadImport: Sendable {
    /// The lead fields a column can fill, and the header names recognised for each (compared case-insensitively,
    /// ignoring spaces, dashes and underscores).
    public enum Field: String, CaseIterable, Sendable {
        case phone, email, firstName, lastName, state, zipCode, source, campaignType
        case consentTimestamp, consentText, consentTextVersion, consentURL, ipAddress, userAgent

        /// The field for people: "First name".
        public var label: String {
            switch self {
            case .phone: return "Phone"
            case .email: return "Email"
            case .firstName: return "First name"
            case .lastName: return "Last name"
            case .state: return "State"
            case .zipCode: return "Zip code"
            case .source: return "Source"
            case .campaignType: return "Campaign type"
            case .consentTimestamp: return "Consent time"
            case .consentText: return "Consent text"
            case .consentTextVersion: return "Consent text version"
            case .consentURL: return "Consent page URL"
            case .ipAddress: return "IP address"
            case .userAgent: return "User agent"
            }
        }

        public var names: [String] {
            switch self {
            case .phone: return ["phone", "phonenumber", "phone1", "mobile", "mobilephone", "cell", "cellphone", "telephone", "tel"]
            case .email: return ["email", "emailaddress", "mail"]
            case .firstName: return ["firstname", "first", "fname", "givenname"]
            case .lastName: return ["lastname", "last", "lname", "surname", "familyname"]
            case .state: return ["state", "st", "statecode", "region"]
            case .zipCode: return ["zip", "zipcode", "postalcode", "postcode", "zip5"]
            case .source: return ["source", "leadsource", "utmsource", "sourceid"]
            case .campaignType: return ["campaigntype", "vertical", "campaign"]
            case .consentTimestamp: return ["consenttimestamp", "consentedat", "consentdate", "optindate", "optintimestamp", "tcpadate"]
            case .consentText: return ["consenttext", "consentlanguage", "tcpatext", "tcpalanguage", "disclosure"]
            case .consentTextVersion: return ["consenttextversion", "consentversion"]
            case .consentURL: return ["consenturl", "sourceurl", "pageurl", "landingpage", "url"]
            case .ipAddress: return ["ip", "ipaddress", "consentip"]
            case .userAgent: return ["useragent", "browser"]
            }
        }
    }

    public struct Reject: Sendable, Equatable {
        public var row: Int
        public var reasons: [String]

        /// The header of a rejects file, and one line of it: `row,"reason; reason"`.
        public static let csvHeader = "row,reasons\n"
        public var csvLine: String {
            "\(row),\"\(reasons.joined(separator: "; ").replacingOccurrences(of: "\"", with: "\"\""))\"\n"
        }
    }

    public struct Report: Sendable, Equatable {
        /// Data rows read (the header is not counted).
        public var rows = 0
        /// Bytes of the file behind those rows.
        public var bytes = 0
        public var created = 0
        public var duplicate = 0
        public var rejected = 0
        /// The first rejects, for a summary; every reject goes to the `onReject` callback.
        public var firstRejects: [Reject] = []

        public init(rows: Int = 0, bytes: Int = 0, created: Int = 0, duplicate: Int = 0, rejected: Int = 0) {
            self.rows = rows
            self.bytes = bytes
            self.created = created
            self.duplicate = duplicate
            self.rejected = rejected
        }
    }

    /// Called inside each batch's own transaction with the report through that batch and the batch's rejects, so
    /// whatever it records (an import job's progress) commits together with the leads: a stopped import resumes
    /// exactly after its last committed batch.
    public typealias Checkpoint = @Sendable (GRDB.Database, Report, [Reject]) throws -> Void

    let leads: Leads
    /// Rows per transaction: 1,000 imported about 7% faster than 500 (fewer commits, each index page written once for
    /// more rows), and the batch's savepoint journal stays in memory.
    public static let defaultBatchSize = 1000
    public var batchSize = defaultBatchSize
    /// Batches handed to the writer and not yet answered (`run`): one committing, one waiting its turn.
    static let batchesInFlight = 2

    public init(leads: Leads) { self.leads = leads }

    static func key(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    /// The columns chosen for a file with this header: each field's column (a field left out is not read). The
    /// problems: a column that does not exist, one column for two fields, no phone column.
    public static func chosenColumns(_ chosen: [Field: Int], header: [String]) throws -> [Field: Int] {
        var problems: [CoreError.FieldProblem] = []
        for (field, index) in chosen.sorted(by: { $0.value < $1.value }) {
            if !header.indices.contains(index) { problems.append(.init(field.rawValue, "column \(index + 1) is not in the file")) }
            if let other = chosen.first(where: { $0.key != field && $0.value == index }), other.key.rawValue < field.rawValue {
                problems.append(.init("column \(index + 1)", "is chosen for both \(other.key.rawValue) and \(field.rawValue)"))
            }
        }
        if chosen[.phone] == nil { problems.append(.init("phone", "choose the column that holds the phone number")) }
        if !problems.isEmpty { throw CoreError.invalid(problems) }
        return chosen
    }

    /// The columns whose header names a field (the first such column of each).
    public static func recognisedColumns(_ header: [String]) -> [Field: Int] {
        var map: [Field: Int] = [:]
        let keys = header.map(key)
        for field in Field.allCases {
            if let index = keys.firstIndex(where: { field.names.contains($0) }) { map[field] = index }
        }
        return map
    }

    /// Which column holds which field. The phone column is required.
    public static func mapColumns(_ header: [String]) throws -> [Field: Int] {
        let map = recognisedColumns(header)
        guard map[.phone] != nil else {
            throw CoreError.invalid([.init("header", "no phone column (looked for: \(Field.phone.names.joined(separator: ", ")))")])
        }
        return map
    }

    static func input(_ row: [String], _ map: [Field: Int]) -> LeadInput {
        func value(_ field: Field) -> String? {
            guard let index = map[field], index < row.count, !row[index].isEmpty else { return nil }
            return row[index]
        }
        let consentFields: [Field] = [.consentTimestamp, .consentText, .consentTextVersion, .consentURL, .ipAddress, .userAgent]
        let hasConsent = consentFields.contains { value($0) != nil }
        return LeadInput(phone: value(.phone), email: value(.email), firstName: value(.firstName), lastName: value(.lastName),
                         state: value(.state), zipCode: value(.zipCode), source: value(.source), campaignType: value(.campaignType),
                         consent: hasConsent ? ConsentInput(text: value(.consentText), textVersion: value(.consentTextVersion),
                                                            pageURL: value(.consentURL), ipAddress: value(.ipAddress),
                                                            userAgent: value(.userAgent), consentedAt: value(.consentTimestamp)) : nil)
    }

    /// Reads `reader` to its end through the intake. With `resuming`, the first `resuming.rows` data rows were
    /// committed by an earlier run: they are read past, not imported again, and the report carries on from there.
    /// `columns`: the columns chosen for the file; nil: read by the header's names.
    public func run(_ reader: inout CSVReader, tenantID: String, actor: String, resuming: Report = Report(),
                    columns: [Field: Int]? = nil, checkpoint: Checkpoint? = nil,
                    progress: (Report) -> Void = { _ in }, onReject: (Reject) -> Void = { _ in }) async throws -> Report {
        guard let header = try reader.next() else { throw CoreError.invalid([.init("file", "is empty")]) }
        let map = try columns.map { try Self.chosenColumns($0, header: header) } ?? Self.mapColumns(header)
        var report = resuming
        report.firstRejects = []
        var batch: [(row: Int, input: LeadInput)] = []
        // Batches are prepared (validated, scored, hashed) ahead of the writer, and each is handed to it as soon as it
        // is prepared: while one commits, the next already waits in the writer's queue, which takes it up the moment
        // the one before is done. (Handing a batch over only once the one before had answered left the writer idle
        // for a fifth of an import.) The writer runs them in order; `tally` carries the report from each to the next.
        let tally = Tally(resuming)
        var committing: [Task<(Report, [Reject]), any Error>] = []
        var handedOverThrough = resuming.rows
        func settleOldest() async throws {
            let (through, rejects) = try await Self.answer(committing.removeFirst())
            let kept = report.firstRejects
            report = through
            report.firstRejects = kept
            for reject in rejects {
                if report.firstRejects.count < 100 { report.firstRejects.append(reject) }
                onReject(reject)
            }
            progress(report)
        }
        /// Stops between batches, with those handed over committed and counted: the checkpoint is exact.
        func stop() async throws -> Never {
            while !committing.isEmpty { try await settleOldest() }
            throw CancellationError()
        }
        func flush(rowsThrough: Int, bytesThrough: Int) async throws {
            guard !batch.isEmpty else { return }
            if Task.isCancelled { try await stop() }
            let prepared = try leads.prepareBatch(tenantID: tenantID, batch.map(\.input), options: .init(actor: actor, calls: true))
            if committing.count >= Self.batchesInFlight {
                try await settleOldest()
                if Task.isCancelled { try await stop() }
            }
            let rows = batch.map(\.row), leads = self.leads, rowsBefore = handedOverThrough
            committing.append(Task {
                try await leads.commitBatch(prepared) { db, outcomes in
                    var through = try tally.report(through: rowsBefore)
                    through.rows = rowsThrough
                    through.bytes = bytesThrough
                    var rejects: [Reject] = []
                    for (row, outcome) in zip(rows, outcomes) {
                        switch outcome {
                        case .success(.created): through.created += 1
                        case .success(.duplicate): through.duplicate += 1
                        case .failure(let error):
                            through.rejected += 1
                            if case .invalid(let problems) = error {
                                rejects.append(Reject(row: row, reasons: problems.map { "\($0.field): \($0.reason)" }))
                            } else {
                                rejects.append(Reject(row: row, reasons: [error.description]))
                            }
                        }
                    }
                    try checkpoint?(db, through, rejects)
                    tally.record(through, db)
                    return (through, rejects)
                }.extra
            })
            handedOverThrough = rowsThrough
            batch.removeAll(keepingCapacity: true)
        }
        var dataRows = 0
        do {
            while let row = try reader.next() {
                dataRows += 1
                if dataRows <= resuming.rows { continue }
                batch.append((reader.rowNumber, Self.input(row, map)))
                if batch.count >= batchSize { try await flush(rowsThrough: dataRows, bytesThrough: reader.bytesConsumed) }
            }
            try await flush(rowsThrough: dataRows, bytesThrough: reader.bytesConsumed)
            while !committing.isEmpty { try await settleOldest() }
        } catch {
            // Nothing of a failed import is left under way (its caller may close the store next): the batches handed
            // over are waited for. Those after a failed one are refused on the writer (`Tally`).
            for task in committing { _ = try? await task.value }
            throw error
        }
        // Everything was read, including rows no batch needed to commit (a file of only a header, or a resumed file
        // whose rows were all committed before).
        report.rows = dataRows
        report.bytes = reader.bytesConsumed
        return report
    }
}

extension LeadImport {
    /// What a batch handed over to the writer answered. (Awaited in `run`'s nested functions themselves, the compiler
    /// warned that nothing there was awaited or thrown, wrongly.)
    private static func answer(_ batch: Task<(Report, [Reject]), any Error>) async throws -> (Report, [Reject]) {
        try await batch.value
    }

    /// The report through the last batch the writer ran, for the next batch to count on from. Batches are handed over
    /// before the one before has committed, so each checks that it follows on: a batch whose predecessor failed, or
    /// whose transaction rolled back, must not commit, or the import's checkpoint would pass over the lost rows.
    final class Tally: Sendable {
        private struct State {
            var through: Report
            var broken = false
        }

        private let state: Mutex<State>

        init(_ start: Report) {
            var start = start
            start.firstRejects = []
            state = Mutex(State(through: start))
        }

        /// The report through row `rows`, which the batch before must have ended at.
        func report(through rows: Int) throws -> Report {
            try state.withLock { state in
                guard !state.broken, state.through.rows == rows else { throw BatchNotAfterItsPredecessor(rows: rows) }
                return state.through
            }
        }

        /// Inside the batch's transaction: the batch went in. If that transaction rolls back, so does every later batch.
        func record(_ through: Report, _ db: GRDB.Database) {
            state.withLock { $0.through = through }
            db.afterNextTransaction(onCommit: { _ in }, onRollback: { [self] _ in state.withLock { $0.broken = true } })
        }
    }

    struct BatchNotAfterItsPredecessor: Error, CustomStringConvertible {
        let rows: Int
        var description: String { "the import's batch after row \(rows) was not committed" }
    }
}
