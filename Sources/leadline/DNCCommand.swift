import ArgumentParser
import Foundation
import LeadlineCore
import Store

struct DNCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnc",
        abstract: "Do-not-call lists: import registry files, check numbers.",
        subcommands: [DNCImport.self, DNCCheck.self])
}

struct DNCImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a do-not-call registry file (unzipped) into a tenant's federal or state list.",
        discussion: """
            The file holds one number per line, as NPANXXXXXX or NPA,NXXXXXX (the federal registry's flat formats). \
            A full list replaces the area codes it holds and leaves the others; with --changes, each line carries an \
            add or delete marker (A/ADD or D/DEL). The serving process sees a command-line import after a restart.
            """)
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The registry file.") var file: String
    @Option(help: "The tenant's name.") var tenant: String
    @Option(help: "federal (default), or a state code (CO, FL, …) for that state's list.") var list: String = "federal"
    @Flag(help: "The file is a change list (adds and deletes).") var changes = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw Failure("cannot read \(file)") }
        let target: DNCList
        if list.lowercased() == "federal" { target = .federal }
        else if let code = USStates.canonical(list) { target = .state(code) }
        else { throw Failure("--list must be federal or a US state code") }
        let store = try openStore(database)
        defer { try? store.close() }
        let owner = try Tenants(store: store, clock: SystemClock()).named(tenant)
        let started = ContinuousClock.now
        let report = try DNCRegistry(store: store, clock: SystemClock()).importFile(
            tenantID: owner.id, list: target, path: file, fileName: URL(fileURLWithPath: file).lastPathComponent, changeList: changes,
            actor: "cli:dnc-import")
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            struct Output: Encodable { let id, list, kind: String; let lines, added, deleted, rejected, area_codes, list_size: Int; let seconds: Double }
            try printJSON(Output(id: report.id, list: report.list, kind: report.kind, lines: report.lines, added: report.added,
                                 deleted: report.deleted, rejected: report.rejected, area_codes: report.areaCodes, list_size: report.listSize,
                                 seconds: (seconds * 1000).rounded() / 1000))
        } else {
            print("\(report.list) list: \(report.lines) lines read, \(report.added) added, \(report.deleted) removed, \(report.rejected) rejected, "
                  + "\(report.areaCodes) area codes touched; \(report.listSize) numbers on the list (\(String(format: "%.2f", seconds)) s).")
            for rejected in report.rejectedLines { print("  line \(rejected.line): \(rejected.reason)") }
        }
    }
}

struct DNCCheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Show which of a tenant's lists hold a number.")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The phone number.") var phone: String
    @Option(help: "The tenant's name.") var tenant: String

    func run() throws {
        let e164: String
        do throws(PhoneNumber.Problem) { e164 = try PhoneNumber.normalize(phone) } catch { throw Failure("phone \(error)") }
        let store = try openStore(database)
        defer { try? store.close() }
        let owner = try Tenants(store: store, clock: SystemClock()).named(tenant)
        let lists = try DNCRegistry(store: store, clock: SystemClock()).lists(tenantID: owner.id)
        let found = lists.names(holding: DNCNumbers.digits(e164)!)
        print(found.isEmpty ? "\(e164): on no list" : "\(e164): on \(found.joined(separator: ", "))")
    }
}
