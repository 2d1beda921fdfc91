import Foundation

/// Imports leads from CSV through the same intake as the APIs (validation, dedup, consent, score), in batches of
/// `batchSize` per transaction. Safe to run again on the same file: rows already imported come back as duplicates.
public struct LeadImport: Sendable {
    /// The lead fields a column can fill, and the header names recognised for each (compared case-insensitively,
    /// ignoring spaces, dashes and underscores).
    public enum Field: String, CaseIterable, Sendable {
        case phone, email, firstName, lastName, state, zipCode, source, campaignType
        case consentTimestamp, consentText, consentTextVersion, consentURL, ipAddress, userAgent

        var names: [String] {
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
    }

    public struct Report: Sendable, Equatable {
        public var rows = 0
        public var created = 0
        public var duplicate = 0
        public var rejected = 0
        /// The first rejects, for a summary; every reject goes to the `onReject` callback.
        public var firstRejects: [Reject] = []
    }

    let leads: Leads
    public var batchSize = 500

    public init(leads: Leads) { self.leads = leads }

    static func key(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    /// Which column holds which field. The phone column is required.
    public static func mapColumns(_ header: [String]) throws -> [Field: Int] {
        var map: [Field: Int] = [:]
        let keys = header.map(key)
        for field in Field.allCases {
            if let index = keys.firstIndex(where: { field.names.contains($0) }) { map[field] = index }
        }
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

    public func run(_ reader: inout CSVReader, tenantID: String, actor: String,
                    progress: (Report) -> Void = { _ in }, onReject: (Reject) -> Void = { _ in }) async throws -> Report {
        guard let header = try reader.next() else { throw CoreError.invalid([.init("file", "is empty")]) }
        let map = try Self.mapColumns(header)
        var report = Report()
        var batch: [(row: Int, input: LeadInput)] = []
        // The next batch is prepared (validated, scored, hashed) while the previous one commits.
        var committing: (rows: [Int], task: Task<[Result<Leads.Outcome, CoreError>], any Error>)?
        func settle() async throws {
            guard let (rows, task) = committing else { return }
            committing = nil
            for (row, outcome) in zip(rows, try await task.value) {
                switch outcome {
                case .success(.created): report.created += 1
                case .success(.duplicate): report.duplicate += 1
                case .failure(let error):
                    report.rejected += 1
                    let reasons: [String]
                    if case .invalid(let problems) = error { reasons = problems.map { "\($0.field): \($0.reason)" } }
                    else { reasons = [error.description] }
                    let reject = Reject(row: row, reasons: reasons)
                    if report.firstRejects.count < 100 { report.firstRejects.append(reject) }
                    onReject(reject)
                }
            }
            progress(report)
        }
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let prepared = try leads.prepareBatch(tenantID: tenantID, batch.map(\.input), options: .init(actor: actor))
            try await settle()
            let leads = self.leads
            committing = (batch.map(\.row), Task { try await leads.commitBatch(prepared) })
            batch.removeAll(keepingCapacity: true)
        }
        while let row = try reader.next() {
            report.rows += 1
            batch.append((reader.rowNumber, Self.input(row, map)))
            if batch.count >= batchSize { try await flush() }
        }
        try await flush()
        try await settle()
        return report
    }
}
