import ArgumentParser
import Foundation
import LeadlineCore
import Store

/// `leadline postback-url`: the tenant's revenue postback URL, with its private token.
struct PostbackURLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postback-url",
        abstract: "Print a tenant's revenue postback URL (with its private token) for call platforms to fire.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "The tenant's name.") var tenant: String
    @Option(name: .customLong("base-url"), help: "Where call platforms reach this server (env LEADLINE_PUBLIC_URL; default http://127.0.0.1:8080).")
    var baseURL: String?
    @Flag(help: "Replace the token first: the old URL stops working at once.") var rotate = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let store = try openStore(database)
        defer { try? store.close() }
        let owner = try Tenants(store: store, clock: SystemClock()).named(tenant)
        let secrets = try StoredSecrets.open(keyFile: StoredSecrets.keyFile(forDatabase: database.path))
        let postbacks = Postbacks(store: store, clock: SystemClock(), secrets: secrets)
        let rotate = self.rotate
        let token = try runBlocking { rotate ? try await postbacks.rotate(tenantID: owner.id) : try await postbacks.token(tenantID: owner.id) }
        let url = Postbacks.url(base: baseURL ?? environment("LEADLINE_PUBLIC_URL") ?? "http://127.0.0.1:8080", token: token)
        if json {
            struct Shown: Encodable { let tenant: String, url: String, rotated: Bool }
            try printJSON(Shown(tenant: owner.name, url: url, rotated: rotate))
        } else {
            print(url)
        }
    }
}

/// `leadline dialer pause|resume|status`: the server-wide kill switch for calls.
struct DialerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialer", abstract: "Stop or restart every tenant's calls at once (the kill switch); takes effect while serving.",
        subcommands: [Pause.self, Resume.self, Status.self])

    static func set(_ database: DatabaseOption, paused: Bool) throws {
        let store = try openStore(database)
        defer { try? store.close() }
        try runBlocking { try await Dialer.setPaused(store, paused, actor: "cli", at: Date()) }
        print(paused ? "The dialer is paused: no new calls are placed (calls under way finish)." : "The dialer is running.")
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place no more calls, for any tenant.")
        @OptionGroup var database: DatabaseOption
        func run() throws { try DialerCommand.set(database, paused: true) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let the dialer place calls again.")
        @OptionGroup var database: DatabaseOption
        func run() throws { try DialerCommand.set(database, paused: false) }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the dialer is paused.")
        @OptionGroup var database: DatabaseOption
        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            print(try Dialer.isPaused(store) ? "paused" : "running")
        }
    }
}
