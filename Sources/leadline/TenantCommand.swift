import ArgumentParser
import LeadlineCore
import Store

/// Opens the database for a command: migrated, so a fresh file works; refused if it is newer than this binary.
func openStore(_ database: DatabaseOption) throws -> SQLiteStore {
    try SQLiteStore(path: database.path, migrations: Schema.migrations)
}

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Create and list tenants.",
                                                    subcommands: [Create.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The tenant's name (unique).") var name: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let tenant = try Tenants(store: store, clock: SystemClock()).create(name: name)
            if json { try printJSON(tenant) } else { print("Created tenant '\(tenant.name)' (\(tenant.id)).") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let all = try Tenants(store: store, clock: SystemClock()).all()
            if json { try printJSON(["tenants": all]); return }
            if all.isEmpty { print("No tenants yet: leadline tenant create NAME"); return }
            for tenant in all { print("\(tenant.id)  \(tenant.name)  created \(tenant.createdAt)") }
        }
    }
}
