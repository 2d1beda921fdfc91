import Foundation
import GRDB
import Store

/// Texts consumers send back. Opt-out keywords put the number on the internal do-not-call list at once, which ends
/// its sequences and stops its calls; HELP answers who is texting and how to stop; START (after a STOP) lifts that
/// STOP; anything else goes on the lead's timeline. A sender number may serve several tenants: a text applies to
/// each tenant whose sequences texted the number (or, when none did, each tenant holding a lead with it), so a STOP
/// is never lost.
public struct InboundTexts: Sendable {
    /// The CTIA's standard opt-out words and those the FCC's 2025 revocation rule adds; matched as the whole text.
    static let optOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"]
    static let helpWords: Set<String> = ["HELP", "INFO"]
    static let optInWords: Set<String> = ["START", "UNSTOP"]
    static let actor = "sms"

    public enum Keyword: Equatable, Sendable { case optOut, help, optIn, none }

    let store: SQLiteStore
    let clock: any Clock
    let dnc: DNCRegistry

    public init(store: SQLiteStore, clock: any Clock, dnc: DNCRegistry) {
        self.store = store
        self.clock = clock
        self.dnc = dnc
    }

    static func keyword(_ body: String) -> Keyword {
        let word = body.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if optOutWords.contains(word) { return .optOut }
        if helpWords.contains(word) { return .help }
        if optInWords.contains(word) { return .optIn }
        return .none
    }

    /// What was done with a text, and the reply to send back (nil: none).
    public struct Handled: Sendable, Equatable {
        public let keyword: Keyword
        /// Tenants the text applied to.
        public let tenantIDs: [String]
        public let reply: String?
    }

    /// Handles a text from `from`; a number that is not a US number is ignored (nothing of ours went to it).
    public func receive(from: String, body: String) async throws -> Handled {
        let keyword = Self.keyword(body)
        guard let phone = try? PhoneNumber.normalize(from) else { return Handled(keyword: keyword, tenantIDs: [], reply: nil) }
        let tenants = try store.read { db in try Self.tenants(db, phone: phone) }
        switch keyword {
        case .optOut:
            for tenant in tenants {
                try await dnc.add(tenantID: tenant.id, phone: phone, reason: "replied \(body.trimmingSpaces.prefix(20).uppercased()) to a text",
                                  channel: "sms", actor: Self.actor)
            }
            // The carrier or provider confirms an opt-out itself, and delivers nothing more to the number.
            return Handled(keyword: keyword, tenantIDs: tenants.map(\.id), reply: nil)
        case .help:
            let name = tenants.first?.name ?? "Leadline"
            return Handled(keyword: keyword, tenantIDs: tenants.map(\.id),
                           reply: "\(name): you are getting these texts about a request you made. Reply STOP to opt out. Msg & data rates may apply.")
        case .optIn:
            var lifted: [String] = []
            for tenant in tenants {
                // Only a STOP sent by text is lifted by a text; an operator's entry or another channel's opt-out stays.
                guard let entry = try dnc.internalEntry(tenantID: tenant.id, phone: phone), entry.channel == "sms" else { continue }
                try await dnc.remove(tenantID: tenant.id, phone: phone, actor: Self.actor)
                lifted.append(tenant.id)
            }
            return Handled(keyword: keyword, tenantIDs: lifted,
                           reply: lifted.isEmpty ? nil : "\(tenants.first?.name ?? "Leadline"): you will get our texts again. Reply STOP to opt out.")
        case .none:
            let stamp = Timestamp.format(clock.now)
            try await store.write { db in
                for tenant in tenants {
                    guard let leadID = try String.fetchOne(db, sql: """
                        SELECT id FROM leads WHERE tenant_id = ? AND phone = ? ORDER BY created_at DESC LIMIT 1
                        """, arguments: [tenant.id, phone]) else { continue }
                    var detail = CanonicalJSON()
                    detail.add("text", String(body.prefix(1600)))
                    try Lead.record(db, leadID: leadID, "sms_received", moving: nil, detail: detail, actor: Self.actor, at: stamp)
                }
            }
            return Handled(keyword: keyword, tenantIDs: tenants.map(\.id), reply: nil)
        }
    }

    struct Tenant { let id: String, name: String }

    static func tenants(_ db: GRDB.Database, phone: String) throws -> [Tenant] {
        let texted = try Row.fetchAll(db, sql: """
            SELECT DISTINCT t.id, t.name FROM tenants t
            JOIN leads l ON l.tenant_id = t.id AND l.phone = ?
            JOIN sequence_enrollments e ON e.lead_id = l.id
            JOIN sequence_sends s ON s.enrollment_id = e.id AND s.channel = 'sms'
            ORDER BY t.id
            """, arguments: [phone])
        let rows = texted.isEmpty ? try Row.fetchAll(db, sql: """
            SELECT t.id, t.name FROM tenants t WHERE EXISTS (SELECT 1 FROM leads l WHERE l.tenant_id = t.id AND l.phone = ?) ORDER BY t.id
            """, arguments: [phone]) : texted
        return rows.map { Tenant(id: $0[0], name: $0[1]) }
    }
}
