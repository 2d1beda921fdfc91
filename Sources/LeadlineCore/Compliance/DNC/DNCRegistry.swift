import Foundation
import GRDB
import Store
import Synchronization

/// Which do-not-call list: the federal registry, a state's list, or the tenant's own.
public enum DNCList: Hashable, Sendable, CustomStringConvertible {
    case federal
    case state(String)
    case `internal`

    /// `federal`, `state:CO`, `internal`.
    public init?(_ text: String) {
        switch text {
        case "federal": self = .federal
        case "internal": self = .internal
        default:
            guard text.hasPrefix("state:"), let code = USStates.canonical(String(text.dropFirst(6))) else { return nil }
            self = .state(code)
        }
    }

    public var description: String {
        switch self {
        case .federal: return "federal"
        case .state(let code): return "state:\(code)"
        case .internal: return "internal"
        }
    }
}

/// The tenants' do-not-call lists: stored in SQLite, held in memory for lookups (a million a second and more).
/// Bulk lists come from registry files; the internal list from opt-outs and by hand. Every change is committed to the
/// database, then applied to the memory copy, and only then acknowledged, so an opt-out blocks the
/// next call at once.
public final class DNCRegistry: Sendable {
    /// One tenant's lists as held for lookups.
    public struct Lists: Sendable {
        public var federal = DNCNumbers()
        public var states: [String: DNCNumbers] = [:]
        public var `internal` = DNCNumbers()
        /// When each bulk list was last imported (the federal safe harbor wants ≤ 31 days).
        public var importedAt: [String: Date] = [:]
        /// The newest import this copy holds, and when that was last compared with the database.
        var lastImport: Int64 = 0
        var checkedAt = ContinuousClock.now

        /// The names of the lists holding the number: `federal`, `internal`, `state:TX`.
        public func names(holding number: Int) -> [String] {
            var found = [DNCList.federal, .internal].filter { contains(number, in: $0) }.map(\.description)
            found += states.keys.sorted().filter { contains(number, in: .state($0)) }.map { DNCList.state($0).description }
            return found
        }

        public func contains(_ number: Int, in list: DNCList) -> Bool {
            switch list {
            case .federal: return federal.contains(number)
            case .state(let code): return states[code]?.contains(number) ?? false
            case .internal: return self.internal.contains(number)
            }
        }
    }

    public struct ImportReport: Sendable, Equatable {
        public var id: String
        public var list: String
        public var kind: String
        public var lines: Int
        public var added: Int
        public var deleted: Int
        public var rejected: Int
        public var rejectedLines: [DNCFile.Rejected]
        public var areaCodes: Int
        public var listSize: Int
    }

    public struct InternalEntry: Sendable, Equatable, FetchableRecord, Decodable {
        public let phone: String
        public let reason: String?
        public let channel: String
        public let actor: String
        public let addedAt: String
        enum CodingKeys: String, CodingKey { case phone, reason, channel, actor, addedAt = "added_at" }
    }

    let store: SQLiteStore
    let clock: any Clock
    /// The lists held in memory per tenant, and a count of the changes made to each since the registry started: a
    /// reload from the database is installed only if no change slipped in while it was reading.
    private struct Held {
        var lists: [String: Lists] = [:]
        var changes: [String: Int] = [:]
    }
    private let loaded = Mutex(Held())
    /// Bulk imports of one registry run one at a time (they read, merge and replace whole area codes).
    private let importing = Mutex<Void>(())

    /// How often a tenant's lists are compared with the database for imports made by another process.
    let recheckInterval: Duration

    public init(store: SQLiteStore, clock: any Clock, recheckInterval: Duration = .seconds(5)) {
        self.store = store
        self.clock = clock
        self.recheckInterval = recheckInterval
    }

    /// The tenant's lists, loaded from the database on first use. Every few seconds the registry looks for imports
    /// made by another process (`leadline dnc import` beside a running server) and reloads when it finds one.
    public func lists(tenantID: String) throws -> Lists {
        enum Cached { case fresh(Lists), due(Lists), none }
        let now = ContinuousClock.now
        let cached: Cached = loaded.withLock { held in
            guard var lists = held.lists[tenantID] else { return .none }
            guard now - lists.checkedAt >= recheckInterval else { return .fresh(lists) }
            lists.checkedAt = now   // this caller compares; the others go on with this copy meanwhile
            held.lists[tenantID] = lists
            return .due(lists)
        }
        switch cached {
        case .fresh(let lists):
            return lists
        case .due(let lists):
            if try store.lookup({ try Self.lastImport(tenantID: tenantID, $0) }) == lists.lastImport { return lists }
        case .none:
            break
        }
        while true {
            let before = loaded.withLock { $0.changes[tenantID, default: 0] }
            var lists = try store.read { db in try Self.load(tenantID: tenantID, db) }
            lists.checkedAt = now
            let installed = loaded.withLock { held -> Bool in
                guard held.changes[tenantID, default: 0] == before else { return false }
                held.lists[tenantID] = lists
                return true
            }
            if installed { return lists }
        }
    }

    private static func lastImport(tenantID: String, _ db: GRDB.Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(rowid), 0) FROM dnc_imports WHERE tenant_id = ?", arguments: [tenantID]) ?? 0
    }

    private static func load(tenantID: String, _ db: GRDB.Database) throws -> Lists {
        var lists = Lists()
        let blocks = try Row.fetchCursor(db, sql: "SELECT list, npa, numbers FROM dnc_blocks WHERE tenant_id = ?", arguments: [tenantID])
        while let row = try blocks.next() {
            let name: String = row["list"], npa: Int = row["npa"], blob: Data = row["numbers"]
            let numbers = [UInt32](blob: [UInt8](blob))
            switch DNCList(name) {
            case .federal: lists.federal.replace(areaCode: npa, with: numbers)
            case .state(let code): lists.states[code, default: DNCNumbers()].replace(areaCode: npa, with: numbers)
            default: continue
            }
        }
        for phone in try String.fetchAll(db, sql: "SELECT phone FROM dnc_internal WHERE tenant_id = ? AND removed_at IS NULL",
                                         arguments: [tenantID]) {
            if let digits = DNCNumbers.digits(phone) { lists.internal.insert(digits) }
        }
        for row in try Row.fetchAll(db, sql: "SELECT list, MAX(created_at) AS at FROM dnc_imports WHERE tenant_id = ? GROUP BY list",
                                    arguments: [tenantID]) {
            if let at = Timestamp.parse(row["at"]) { lists.importedAt[row["list"]] = at }
        }
        lists.lastImport = try lastImport(tenantID: tenantID, db)
        return lists
    }

    private func update(_ tenantID: String, _ change: (inout Lists) -> Void) {
        loaded.withLock { held in
            held.changes[tenantID, default: 0] += 1
            guard var lists = held.lists[tenantID] else { return }   // not loaded yet: the next load reads the change
            held.lists[tenantID] = nil
            change(&lists)
            held.lists[tenantID] = lists
        }
    }

    // MARK: Bulk lists

    /// Imports a registry file into the federal or a state list. A full list replaces the area codes the file holds
    /// (the registry is downloaded per area code) and leaves the others; a change list adds and deletes numbers.
    public func importFile(tenantID: String, list: DNCList, path: String, fileName: String, changeList: Bool,
                           actor: String) throws -> ImportReport {
        guard list != .internal else { throw CoreError.invalid([.init("list", "the internal list is changed number by number, not imported")]) }
        let contents = try DNCFile.read(path: path, changeList: changeList)
        if contents.added.isEmpty && contents.deleted.isEmpty {
            throw CoreError.invalid([.init("file", contents.lines == 0 ? "is empty"
                : "holds no usable number (\(contents.rejectedCount) of \(contents.lines) lines rejected; first: line \(contents.rejected.first.map { "\($0.line): \($0.reason)" } ?? "?"))")])
        }
        var adds: [Int: [UInt32]] = [:], deletes: [Int: [UInt32]] = [:]
        for number in contents.added { if let (npa, rest) = DNCNumbers.split(number) { adds[npa, default: []].append(rest) } }
        for number in contents.deleted { if let (npa, rest) = DNCNumbers.split(number) { deletes[npa, default: []].append(rest) } }
        for npa in adds.keys { adds[npa] = Self.sortedUnique(adds[npa]!) }
        for npa in deletes.keys { deletes[npa] = Self.sortedUnique(deletes[npa]!) }

        return try importing.withLock { _ in
            let stamp = Timestamp.format(clock.now)
            let id = Identifier.sortable("dnci", at: clock.now)
            let name = list.description
            let (report, replaced, importRow) = try store.writeNow { db -> (ImportReport, [Int: [UInt32]], Int64) in
                var replaced: [Int: [UInt32]] = [:]
                var added = 0, deleted = 0
                for npa in Set(adds.keys).union(deletes.keys).sorted() {
                    let before = try Self.block(tenantID, name, npa, db)
                    var after = changeList ? Self.merge(before, adding: adds[npa] ?? []) : (adds[npa] ?? [])
                    if let removing = deletes[npa] { after = Self.subtract(after, removing) }
                    added += Self.subtract(after, before).count
                    deleted += Self.subtract(before, after).count
                    if after.isEmpty {
                        try db.execute(sql: "DELETE FROM dnc_blocks WHERE tenant_id = ? AND list = ? AND npa = ?", arguments: [tenantID, name, npa])
                    } else {
                        try db.execute(sql: """
                            INSERT OR REPLACE INTO dnc_blocks (tenant_id, list, npa, numbers, count, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                            """, arguments: [tenantID, name, npa, Data(after.blob), after.count, stamp])
                    }
                    replaced[npa] = after
                }
                let size = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM dnc_blocks WHERE tenant_id = ? AND list = ?",
                                            arguments: [tenantID, name]) ?? 0
                let report = ImportReport(id: id, list: name, kind: changeList ? "changes" : "full", lines: contents.lines, added: added,
                                          deleted: deleted, rejected: contents.rejectedCount, rejectedLines: contents.rejected,
                                          areaCodes: replaced.count, listSize: size)
                try db.execute(sql: """
                    INSERT INTO dnc_imports (id, tenant_id, list, kind, file_name, lines, added, deleted, rejected, area_codes, actor, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, tenantID, name, report.kind, String(fileName.prefix(200)), report.lines, added, deleted,
                                     report.rejected, report.areaCodes, actor, stamp])
                return (report, replaced, db.lastInsertedRowID)
            }
            update(tenantID) { lists in
                for (npa, numbers) in replaced {
                    switch list {
                    case .federal: lists.federal.replace(areaCode: npa, with: numbers)
                    case .state(let code): lists.states[code, default: DNCNumbers()].replace(areaCode: npa, with: numbers)
                    case .internal: break
                    }
                }
                lists.importedAt[name] = Timestamp.parse(stamp)
                lists.lastImport = importRow
            }
            return report
        }
    }

    private static func block(_ tenantID: String, _ list: String, _ npa: Int, _ db: GRDB.Database) throws -> [UInt32] {
        guard let blob = try Data.fetchOne(db, sql: "SELECT numbers FROM dnc_blocks WHERE tenant_id = ? AND list = ? AND npa = ?",
                                           arguments: [tenantID, list, npa]) else { return [] }
        return [UInt32](blob: [UInt8](blob))
    }

    static func sortedUnique(_ values: [UInt32]) -> [UInt32] {
        var sorted = values.sorted()
        var write = 0
        for read in sorted.indices where read == 0 || sorted[read] != sorted[write - 1] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeSubrange(write...)
        return sorted
    }

    /// The union of two ascending, duplicate-free arrays.
    static func merge(_ a: [UInt32], adding b: [UInt32]) -> [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { result.append(a[i]); i += 1 }
            else if i == a.count || b[j] < a[i] { result.append(b[j]); j += 1 }
            else { result.append(a[i]); i += 1; j += 1 }
        }
        return result
    }

    /// `a` without the elements of `b` (both ascending).
    static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        guard !b.isEmpty else { return a }
        var result: [UInt32] = []
        result.reserveCapacity(a.count)
        var j = 0
        for value in a {
            while j < b.count && b[j] < value { j += 1 }
            if j == b.count || b[j] != value { result.append(value) }
        }
        return result
    }

    // MARK: The internal list

    /// Puts a number on the tenant's own list: an opt-out from any channel, or an operator's entry. Leads with the
    /// number become ineligible (`opted_out`) in the same transaction. Adding a number already on the list changes
    /// nothing and is not an error.
    @discardableResult
    public func add(tenantID: String, phone: String, reason: String?, channel: String, actor: String) async throws -> InternalEntry {
        guard let digits = DNCNumbers.digits(phone) else { throw CoreError.invalid([.init("phone", "must be a US number")]) }
        let stamp = Timestamp.format(clock.now)
        let reason = reason.map { String($0.trimmingSpaces.prefix(500)) }.flatMap { $0.isEmpty ? nil : $0 }
        let channel = String(channel.prefix(40))
        let entry = try await store.write { db in
            if let existing = try InternalEntry.fetchOne(db, sql: """
                SELECT phone, reason, channel, actor, added_at FROM dnc_internal WHERE tenant_id = ? AND phone = ? AND removed_at IS NULL
                """, arguments: [tenantID, phone]) {
                return existing
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO dnc_internal (tenant_id, phone, reason, channel, actor, added_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [tenantID, phone, reason, channel, actor, stamp])
            for var lead in try Lead.filter(Column("tenant_id") == tenantID && Column("phone") == phone).fetchAll(db)
            where lead.status.canMove(to: .ineligible) {
                let before = lead.status
                lead.status = .ineligible
                lead.ineligibleReason = "opted_out"
                lead.updatedAt = stamp
                try lead.update(db)
                try LeadEvent(id: nil, tenantID: tenantID, leadID: lead.id, at: stamp, actor: actor, kind: "opted_out",
                              fromStatus: before.rawValue, toStatus: lead.status.rawValue,
                              detail: CanonicalJSON(["channel": channel, "reason": reason ?? ""]).string).append(db)
                try Sequences.stopAll(db, leadID: lead.id, reason: "opted out (\(channel))", at: stamp)
            }
            return InternalEntry(phone: phone, reason: reason, channel: channel, actor: actor, addedAt: stamp)
        }
        // Committed: the memory copy follows before the caller hears back, so the next check sees the opt-out.
        update(tenantID) { $0.internal.insert(digits) }
        return entry
    }

    /// Takes a number off the tenant's own list (the row stays, marked removed, for the audit trail).
    public func remove(tenantID: String, phone: String, actor: String) async throws {
        guard let digits = DNCNumbers.digits(phone) else { throw CoreError.invalid([.init("phone", "must be a US number")]) }
        let stamp = Timestamp.format(clock.now)
        try await store.write { db in
            try db.execute(sql: """
                UPDATE dnc_internal SET removed_at = ?, removed_by = ? WHERE tenant_id = ? AND phone = ? AND removed_at IS NULL
                """, arguments: [stamp, actor, tenantID, phone])
            guard db.changesCount == 1 else { throw CoreError.notFound("\(phone) on the internal do-not-call list") }
        }
        update(tenantID) { $0.internal.remove(digits) }
    }

    public func internalEntry(tenantID: String, phone: String) throws -> InternalEntry? {
        try store.read { db in
            try InternalEntry.fetchOne(db, sql: """
                SELECT phone, reason, channel, actor, added_at FROM dnc_internal WHERE tenant_id = ? AND phone = ? AND removed_at IS NULL
                """, arguments: [tenantID, phone])
        }
    }

    /// The internal list, newest first, `limit` at a time after `before` (an `added_at` stamp).
    public func internalEntries(tenantID: String, limit: Int, before: String?) throws -> [InternalEntry] {
        try store.read { db in
            try InternalEntry.fetchAll(db, sql: """
                SELECT phone, reason, channel, actor, added_at FROM dnc_internal
                WHERE tenant_id = ? AND removed_at IS NULL AND (? IS NULL OR added_at < ?) ORDER BY added_at DESC, phone LIMIT ?
                """, arguments: [tenantID, before, before, limit])
        }
    }
}
