import ArgumentParser
import Foundation
import LeadlineCore
import LeadlineCrypto

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Console users: create one, or reset a password (recovery).",
        subcommands: [AdminCreate.self, AdminResetPassword.self])
}

/// A password read from standard input (one line), or a new random one to show once.
private func password(fromStdin: Bool) throws -> (password: String, generated: Bool) {
    if fromStdin {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw Failure("no password on standard input") }
        return (line, false)
    }
    // 20 characters from a 56-letter alphabet without look-alikes (about 116 bits); bytes past the last whole multiple
    // of 56 are skipped so every letter is equally likely.
    let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generated: [Character] = []
    while generated.count < 20 {
        for byte in SecureRandom.bytes(32) where Int(byte) < 224 && generated.count < 20 { generated.append(alphabet[Int(byte) % 56]) }
    }
    return (String(generated), true)
}

struct AdminCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a console user. Without --password-stdin a random password is made and shown once.")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The user's email address (their login).") var email: String
    @Option(help: "operator (every tenant), admin or viewer (one tenant).") var role: String = "operator"
    @Option(help: "The tenant's name, for an admin or a viewer.") var tenant: String?
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let role = AdminRole(rawValue: role) else { throw Failure("--role must be operator, admin or viewer") }
        let store = try openStore(database)
        defer { try? store.close() }
        let tenantID = try tenant.map { try Tenants(store: store, clock: SystemClock()).named($0).id }
        let (password, generated) = try password(fromStdin: passwordStdin)
        let user = try AdminUsers(store: store, clock: SystemClock()).create(email: email, password: password, role: role, tenantID: tenantID)
        if json {
            struct Output: Encodable { let id, email, role: String; let tenant: String?; let password: String? }
            try printJSON(Output(id: user.id, email: user.email, role: user.role.rawValue, tenant: tenant, password: generated ? password : nil))
        } else {
            print("Created \(user.role.rawValue) \(user.email)\(tenant.map { " for tenant \($0)" } ?? "").")
            if generated { print("Password (shown once): \(password)") }
        }
    }
}

struct AdminResetPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password",
        abstract: "Set a new password for a console user and end all their sessions.")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The user's email address.") var email: String
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

    func run() throws {
        let store = try openStore(database)
        defer { try? store.close() }
        let (password, generated) = try password(fromStdin: passwordStdin)
        let user = try AdminUsers(store: store, clock: SystemClock()).resetPassword(email: email, to: password)
        print("New password set for \(user.email); every session of theirs has ended.")
        if generated { print("Password (shown once): \(password)") }
    }
}
