import GRDB

/// One step of the schema. Migrations are named, applied in order, never edited once shipped: add the next one.
public struct Migration: Sendable {
    public let name: String
    public let apply: @Sendable (GRDB.Database) throws -> Void

    public init(_ name: String, _ apply: @escaping @Sendable (GRDB.Database) throws -> Void) {
        self.name = name
        self.apply = apply
    }
}

public struct MigrationStatus: Sendable, Equatable, Codable {
    public var applied: [String]
    public var pending: [String]
    /// Migrations in the database that this binary does not know: the file was written by a newer Leadline.
    public var unknown: [String]

    public init(applied: [String], pending: [String], unknown: [String]) {
        self.applied = applied
        self.pending = pending
        self.unknown = unknown
    }
}

extension Array where Element == Migration {
    var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in self {
            migrator.registerMigration(migration.name, migrate: migration.apply)
        }
        return migrator
    }

    func status(_ db: GRDB.Database) throws -> MigrationStatus {
        let migrator = self.migrator
        let known = migrator.migrations
        let applied = try db.tableExists("grdb_migrations")
            ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
        let appliedSet = Set(applied)
        return MigrationStatus(applied: applied.filter { known.contains($0) },
                               pending: known.filter { !appliedSet.contains($0) },
                               unknown: applied.filter { !known.contains($0) })
    }
}
