import Foundation
import GRDB
import Store

public struct Lead: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "leads"

    public var id: String
    public var tenantID: String
    public var phone: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var state: String?
    public var zipCode: String?
    public var source: String?
    public var campaignType: String?
    public var status: LeadStatus
    public var ineligibleReason: String?
    public var score: Int
    /// The score's reasons in their stored form (`LeadScore.Stored`); `reasons` reads them.
    public var scoreReasons: String
    public var consentCertificateID: String?
    public var buyerID: String?
    public var soldPriceCents: Int?
    public var notes: String?
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, phone, email, state, source, status, score, notes
        case tenantID = "tenant_id", firstName = "first_name", lastName = "last_name", zipCode = "zip_code"
        case campaignType = "campaign_type", ineligibleReason = "ineligible_reason", scoreReasons = "score_reasons"
        case consentCertificateID = "consent_certificate_id", buyerID = "buyer_id", soldPriceCents = "sold_price_cents"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// The columns `bind` gives, in its order.
    static let insertRow = RowInsert(into: "leads", [
        "id", "tenant_id", "phone", "email", "first_name", "last_name", "state", "zip_code", "source", "campaign_type", "status",
        "ineligible_reason", "score", "score_reasons", "consent_certificate_id", "buyer_id", "sold_price_cents", "notes",
        "created_at", "updated_at",
    ])

    /// The lead's values for `insertRow` (bound without boxing: intake's hottest path).
    func bind(_ row: inout Bindings) {
        row.add(id); row.add(tenantID); row.add(phone); row.add(email); row.add(firstName); row.add(lastName)
        row.add(state); row.add(zipCode); row.add(source); row.add(campaignType); row.add(status.rawValue)
        row.add(ineligibleReason); row.add(score); row.add(scoreReasons); row.add(consentCertificateID); row.add(buyerID)
        row.add(soldPriceCents); row.add(notes); row.add(createdAt); row.add(updatedAt)
    }

    /// Counts new leads in `lead_daily`, one statement per day and status. Triggers keep the counts for status changes
    /// and deletions (see migration 0018).
    static func countDaily(_ leads: [DailyCount], _ db: GRDB.Database) throws {
        // A batch's leads share a tenant and a time: runs of one day and status are counted without hashing them.
        var counts: [(lead: DailyCount, leads: Int)] = []
        for lead in leads {
            if let last = counts.indices.last, counts[last].lead.sameDay(as: lead) {
                counts[last].leads += 1
            } else if let index = counts.firstIndex(where: { $0.lead.sameDay(as: lead) }) {
                counts[index].leads += 1
            } else {
                counts.append((lead, 1))
            }
        }
        guard !counts.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO lead_daily (tenant_id, day, status, leads) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, day, status) DO UPDATE SET leads = leads + excluded.leads
            """)
        for (lead, count) in counts {
            try statement.run { row in
                row.add(lead.tenantID); row.add(String(lead.createdAt.prefix(10))); row.add(lead.status.rawValue); row.add(count)
            }
        }
    }

    /// What `lead_daily` counts a new lead by.
    struct DailyCount {
        let tenantID: String
        let createdAt: String
        let status: LeadStatus

        func sameDay(as other: DailyCount) -> Bool {
            status == other.status && tenantID == other.tenantID && createdAt.utf8.prefix(10).elementsEqual(other.createdAt.utf8.prefix(10))
        }
    }

    public var reasons: [LeadScore.Reason] { LeadScore.Stored.reasons(scoreReasons) }
}

/// One change of a lead, as stored: who, what, when, before and after. Append-only (the database refuses edits).
public struct LeadEvent: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "lead_events"

    public var id: Int64?
    public var tenantID: String
    public var leadID: String
    public var at: String
    public var actor: String
    public var kind: String
    public var fromStatus: String?
    public var toStatus: String?
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case id, at, actor, kind, detail
        case tenantID = "tenant_id", leadID = "lead_id", fromStatus = "from_status", toStatus = "to_status"
    }

    /// The columns `bind` gives, in its order.
    static let insertRow = RowInsert(into: "lead_events", ["tenant_id", "lead_id", "at", "actor", "kind", "from_status", "to_status", "detail"])

    func bind(_ row: inout Bindings) {
        row.add(tenantID); row.add(leadID); row.add(at); row.add(actor); row.add(kind); row.add(fromStatus); row.add(toStatus)
        row.add(detail)
    }

    /// Appends the event through a cached statement (events are written on every change, on the single writer).
    func append(_ db: GRDB.Database) throws {
        try db.insert([self], Self.insertRow) { $0.bind(&$1) }
    }
}

/// A lead with everything recorded about it.
public struct LeadRecord: Sendable {
    public var lead: Lead
    public var events: [LeadEvent]
    public var consent: [ConsentCertificate]
    /// The calls made to the lead, oldest first, and the transfers they made.
    public var calls: [CallAttempt] = []
    public var transfers: [Transfer] = []
    /// Where the lead stands with the dialer; nil when it was never queued for a call.
    public var dialer: DialerStanding?
}

extension Lead {
    /// The lead with this id, in this tenant when one is given. A cached statement: the dialer, the compliance gate
    /// and the lead pages read leads by id all the time, and compiling the query each time cost more than running it.
    static func find(_ db: GRDB.Database, id: String, tenantID: String? = nil) throws -> Lead? {
        guard let tenantID else { return try fetchOne(db.cachedStatement(sql: "SELECT * FROM leads WHERE id = ?"), arguments: [id]) }
        return try fetchOne(db.cachedStatement(sql: "SELECT * FROM leads WHERE id = ? AND tenant_id = ?"), arguments: [id, tenantID])
    }

    /// Records `kind` as an event of the lead, first moving it to `status` when one is given and the state machine
    /// allows the move (a move it does not allow is left out of the event, not an error: the event still says what
    /// happened). Answers the lead as it is after. Runs inside the caller's transaction.
    @discardableResult
    static func record(_ db: GRDB.Database, leadID: String, _ kind: String, moving status: LeadStatus?, detail: CanonicalJSON,
                       actor: String, at: String) throws -> Lead {
        guard var lead = try find(db, id: leadID) else {
            throw CoreError.notFound("lead \(leadID)")
        }
        let from = lead.status
        var moved = false
        if let status, status != lead.status, lead.status.canMove(to: status) {
            lead.status = status
            lead.updatedAt = at
            try lead.update(db)
            moved = true
        }
        try LeadEvent(id: nil, tenantID: lead.tenantID, leadID: leadID, at: at, actor: actor, kind: kind,
                      fromStatus: moved ? from.rawValue : nil, toStatus: moved ? lead.status.rawValue : nil, detail: detail.string).append(db)
        return lead
    }
}
