import GRDB
import Store

/// Stores prepared leads on the writer, inside the caller's transaction: a batch from the importer, or the one lead of
/// an API request. Each lead is checked for a duplicate in order, against the database and the batch's earlier leads;
/// then the batch's new leads, certificates, first events and call-queue places are inserted table by table, many
/// rows per statement (`GRDB.Database.insert`).
struct LeadWriter {
    let db: GRDB.Database
    /// Looked up once: finding a cached statement hashes its SQL text, and this one runs for every lead.
    private let phoneProbe: GRDB.Statement

    init(_ db: GRDB.Database) throws {
        self.db = db
        phoneProbe = try db.cachedStatement(sql: DedupSQL.phoneProbe)
    }

    /// What became of each slot: a failed preparation as it was, a duplicate with the lead it repeats, or created.
    func store(_ slots: [Result<Leads.PreparedLead, CoreError>]) throws -> [Result<Leads.Outcome, CoreError>] {
        var outcomes: [Result<Leads.Outcome, CoreError>] = []
        outcomes.reserveCapacity(slots.count)
        var created: [Leads.PreparedLead] = [], certificates: [ConsentCertificate] = []
        var batch = BatchLeads(capacity: slots.count)
        var heads: [String: ConsentChain.Head] = [:]
        for slot in slots {
            let prepared: Leads.PreparedLead
            switch slot {
            case .failure(let error):
                outcomes.append(.failure(error))
                continue
            case .success(let lead): prepared = lead
            }
            // The lead is read in place: a copy of its thirty-odd fields retains each of their strings.
            let tenantID = prepared.lead.tenantID
            if let cutoff = prepared.dedupSince {
                if let existing = try duplicate(of: prepared.valid, tenantID: tenantID, since: cutoff,
                                                byEmail: prepared.dedupByEmail, batch: batch) {
                    outcomes.append(.success(.duplicate(existing)))
                    continue
                }
                batch.add(prepared)
            }
            if let consent = prepared.consent {
                var head = try heads[tenantID] ?? ConsentChain.Head.read(tenantID: tenantID, db)
                certificates.append(ConsentChain.link(consent, after: &head))
                heads[tenantID] = head
            }
            created.append(prepared)
            outcomes.append(.success(.created(prepared.lead)))
        }
        // Leads first: the other rows refer to them.
        try db.insert(created, Lead.insertRow) { $0.lead.bind(&$1) }
        try Lead.countDaily(created.map { .init(tenantID: $0.lead.tenantID, createdAt: $0.lead.createdAt, status: $0.lead.status) }, db)
        try db.insert(certificates, ConsentCertificate.insertRow) { $0.bind(&$1) }
        try db.insert(created, LeadEvent.insertRow) { $0.created.bind(&$1) }
        try db.insert(created.filter { $0.dial != nil }, CallQueue.Waiting.insertRow) { prepared, row in
            CallQueue.Waiting.bind(prepared.lead, prepared.dial!, &row)
        }
        return outcomes
    }

    /// The batch's leads so far by phone and email: a later lead of the batch that repeats one is its duplicate (they
    /// share the batch's creation time, inside any dedup window).
    private struct BatchLeads {
        var byPhone: [String: Leads.PreparedLead]
        var byEmail: [String: Leads.PreparedLead]

        init(capacity: Int) {
            byPhone = Dictionary(minimumCapacity: capacity)
            byEmail = Dictionary(minimumCapacity: capacity)
        }

        mutating func add(_ prepared: Leads.PreparedLead) {
            byPhone[prepared.lead.phone] = prepared
            if let email = prepared.lead.email { byEmail[email] = prepared }
        }
    }

    /// The tenant's lead that `lead` repeats, if one was created since `cutoff`: by phone, then (when the tenant
    /// dedups by email) by email; each time the batch's own lead first, being the newest.
    private func duplicate(of lead: LeadInput.Valid, tenantID: String, since cutoff: String, byEmail: Bool,
                           batch: BatchLeads) throws -> Lead? {
        if let earlier = batch.byPhone[lead.phone] { return earlier.lead }
        // Most leads are new: a bare existence probe first, and the repeated lead is read only on a hit.
        if try phoneProbe.exists({ $0.add(tenantID); $0.add(lead.phone); $0.add(cutoff) }) {
            return try newest(DedupSQL.phoneRead, tenantID: tenantID, value: lead.phone, since: cutoff)
        }
        guard byEmail, let email = lead.email else { return nil }
        if let earlier = batch.byEmail[email] { return earlier.lead }
        guard try db.cachedStatement(sql: DedupSQL.emailProbe).exists({ $0.add(tenantID); $0.add(email); $0.add(cutoff) }) else {
            return nil
        }
        return try newest(DedupSQL.emailRead, tenantID: tenantID, value: email, since: cutoff)
    }

    private func newest(_ sql: String, tenantID: String, value: String, since cutoff: String) throws -> Lead? {
        try Lead.fetchOne(db.cachedStatement(sql: sql), arguments: [tenantID, value, cutoff])
    }

    /// The dedup queries, written once (the statement cache is keyed by their text).
    private enum DedupSQL {
        static let phoneProbe = probe("phone"), phoneRead = read("phone")
        static let emailProbe = probe("email"), emailRead = read("email")

        static func probe(_ column: String) -> String {
            "SELECT 1 FROM leads WHERE tenant_id = ? AND \(column) = ? AND created_at >= ?"
        }

        static func read(_ column: String) -> String {
            "SELECT * FROM leads WHERE tenant_id = ? AND \(column) = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1"
        }
    }
}
