import ArgumentParser
import LeadlineCore
import Store

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Create, list and revoke API keys.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; it is printed once and never again.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The tenant's name.") var tenant: String
        @Option(help: "Comma-separated: read, write, admin, compliance.") var scopes: String
        @Option(name: .customLong("rate-limit"), help: "Requests per minute for this key (0 = unlimited; default: the server's).")
        var rateLimit: Int?
        @Option(help: "A label to recognise the key by.") var name: String?
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            do { _ = try Scope.parseList(scopes) } catch let error as CoreError { throw ValidationError(error.description) }
        }

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let clock = SystemClock()
            let owner = try Tenants(store: store, clock: clock).named(tenant)
            let keys = APIKeys(store: store, clock: clock)
            let issued = try keys.create(.init(tenantID: owner.id, name: name ?? "", scopes: try Scope.parseList(scopes),
                                               rateLimitPerMinute: rateLimit))
            if json {
                struct Output: Encodable {
                    let id: String, key: String, tenant: String, scopes: [String], rate_limit_per_minute: Int
                }
                try printJSON(Output(id: issued.key.id, key: issued.token, tenant: owner.name,
                                     scopes: issued.key.scopeList.map(\.rawValue), rate_limit_per_minute: issued.key.rateLimitPerMinute ?? APIKeys.defaultRateLimitPerMinute))
            } else {
                print("Created key \(issued.key.id) for tenant '\(owner.name)' with scopes \(issued.key.scopes).")
                print("Store it now; it is not shown again:")
                print("  \(issued.token)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (prefixes only; keys are never shown again).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this tenant's keys.") var tenant: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let clock = SystemClock()
            let keys = APIKeys(store: store, clock: clock)
            let found = try tenant.map { try keys.list(tenantID: Tenants(store: store, clock: clock).named($0).id) } ?? keys.all()
            let shown = found.map { key in
                ListedKey(id: key.id, name: key.name, prefix: key.prefix, tenant_id: key.tenantID, scopes: key.scopeList.map(\.rawValue),
                          rate_limit_per_minute: key.rateLimitPerMinute, created_at: key.createdAt,
                          last_used_at: key.lastUsedAt, revoked_at: key.revokedAt)
            }
            if json { try printJSON(["keys": shown]); return }
            for key in shown {
                let state = key.revoked_at.map { "revoked \($0)" } ?? "last used \(key.last_used_at ?? "never")"
                print("\(key.id)  \(key.prefix)…  \(key.scopes.joined(separator: ","))  \(key.name)  \(state)")
            }
        }

        struct ListedKey: Encodable {
            let id: String, name: String, prefix: String, tenant_id: String, scopes: [String], rate_limit_per_minute: Int?
            let created_at: String, last_used_at: String?, revoked_at: String?
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key; it stops working at once.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The key's id (key_…).") var id: String

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let key = try APIKeys(store: store, clock: SystemClock()).revoke(id: id)
            print("Revoked \(key.id) (\(key.prefix)…) at \(key.revokedAt ?? "-").")
        }
    }
}
