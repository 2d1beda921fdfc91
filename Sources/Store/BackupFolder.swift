import Foundation

/// The backups beside a database (`backups/`): scheduled ones (`leadline-<time>.db`, pruned by the schedule), ones
/// taken by hand (`manual-<time>.db`, never pruned) and the copy a restore keeps of what it replaced
/// (`pre-restore-<time>.db`). A restore asked for while the server runs is staged: it happens at the next start,
/// before the database is opened (`<database>.restore-request` names the backup).
public struct BackupFolder: Sendable {
    public let databasePath: String

    public init(databasePath: String) { self.databasePath = databasePath }

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let bytes: Int
        public let modified: Date
    }

    public var folder: String { get throws { try BackupSchedule.folder(for: databasePath) } }
    var requestFile: String { databasePath + ".restore-request" }

    /// Newest first.
    public func list() throws -> [Entry] {
        let folder = try folder
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".db") }.compactMap { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: (folder as NSString).appendingPathComponent(name))
            guard let attributes, (attributes[.type] as? FileAttributeType) == .typeRegular else { return nil }
            return Entry(name: name, bytes: (attributes[.size] as? Int) ?? 0, modified: (attributes[.modificationDate] as? Date) ?? .distantPast)
        }.sorted { ($0.modified, $0.name) > ($1.modified, $1.name) }
    }

    /// An online backup taken now; answers its name.
    public func takeNow(_ store: SQLiteStore, now: Date = Date()) throws -> String {
        let name = "manual-\(BackupSchedule.stamp(now)).db"
        try store.backup(to: (try folder as NSString).appendingPathComponent(name))
        return name
    }

    /// The path of a backup in the folder, by name: nil for a name with a path in it or no such file.
    public func path(of name: String) throws -> String? {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.hasSuffix(".db") else { return nil }
        let path = (try folder as NSString).appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Stages a restore of `name` for the next start, after checking the backup (SQLite, intact, a schema this binary
    /// knows).
    public func requestRestore(_ name: String, migrations: [Migration]) throws {
        guard let path = try path(of: name) else { throw StoreError.io("no backup named \(name.prefix(80))") }
        try SQLiteStore.check(candidate: path, migrations: migrations)
        try Data(path.utf8).write(to: URL(fileURLWithPath: requestFile), options: .atomic)
    }

    /// The backup a staged restore names, if one is staged.
    public var requestedRestore: String? {
        (try? String(contentsOfFile: requestFile, encoding: .utf8)).map { ($0 as NSString).lastPathComponent }
    }

    public func cancelRestore() { try? FileManager.default.removeItem(atPath: requestFile) }

    /// At start, with the database lock held and before the database is opened: performs a staged restore. Answers
    /// what was restored and where the replaced database was saved; nil when none was staged.
    public func performRequestedRestore(migrations: [Migration]) throws -> (restored: String, saved: String?)? {
        guard let source = try? String(contentsOfFile: requestFile, encoding: .utf8) else { return nil }
        let saved = try SQLiteStore.restore(from: source, to: databasePath, migrations: migrations)
        try FileManager.default.removeItem(atPath: requestFile)
        return (source, saved)
    }
}
