import Foundation
import GRDB
import Store

/// Lead intake and lifecycle: one implementation behind both API dialects, the console and the CSV importer.
public struct Leads: Sendable {
    let store: SQLiteStore
    let clock: any Clock
    /// Called after each eligible lead is committed: the seam where routing (ping-post, delivery) and the dialer plug in.
    public var onEligibleLead: (@Sendable (Lead) -> Void)?

    public init(store: SQLiteStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    public struct IntakeOptions: Sendable {
        /// Who is submitting, for the event log (`key:key_…`, `cli`, `csv:…`).
        public var actor: String
        /// With a threshold, an eligible lead scoring at least this is `qualified` at once (the EZLeeds flow, where
        /// leads are sold); without, it stays `new` until a call qualifies it (the lead2inbound flow).
        public var qualifyAtScore: Int?
        /// Whether an eligible new lead is handed to routing (`onEligibleLead`); a lead posted to a buyer it was
        /// already auctioned to is not.
        public var routes: Bool
        /// Whether an eligible lead without a campaign type is queued for the AI agent's call (the lead2inbound flow,
        /// when the tenant's calling is enabled). A lead whose campaign calls is queued whatever this says.
        public var calls: Bool

        public init(actor: String, qualifyAtScore: Int? = nil, routes: Bool = true, calls: Bool = false) {
            self.actor = actor
            self.qualifyAtScore = qualifyAtScore
            self.routes = routes
            self.calls = calls
        }
    }

    public enum Outcome: Sendable {
        case created(Lead)
        /// The same person within the tenant's dedup window: nothing stored, the existing lead returned.
        case duplicate(Lead)

        public var lead: Lead {
            switch self { case .created(let lead), .duplicate(let lead): return lead }
        }
    }

    /// Validates, normalises, de-duplicates, records consent, scores and stores a lead. The dedup check and the inserts
    /// share one transaction on the single writer, so identical concurrent submissions create one lead; everything that
    /// needs no writer (validation, score, JSON, the consent digest) is done before, on the request's thread.
    public func intake(tenantID: String, _ input: LeadInput, options: IntakeOptions) async throws -> Outcome {
        // A batch of one: the same preparation as the importer's.
        let prepared = try prepareBatch(tenantID: tenantID, [input], options: options).slots[0].get()
        let outcome = try await store.write { db in
            try LeadWriter(db).store([.success(prepared)])[0].get()
        }
        if case .created(let lead) = outcome, lead.status.isEligible, options.routes { onEligibleLead?(lead) }
        return outcome
    }

    /// Many leads in one transaction (the CSV importer): each is checked against the database and against the earlier
    /// leads of the same batch. A lead that fails validation is reported in its slot and does not stop the others.
    public func intakeBatch(tenantID: String, _ inputs: [LeadInput], options: IntakeOptions) async throws -> [Result<Outcome, CoreError>] {
        try await commitBatch(try prepareBatch(tenantID: tenantID, inputs, options: options))
    }

    /// The part of a batch that needs no writer; an importer prepares the next batch while the last one commits.
    public func prepareBatch(tenantID: String, _ inputs: [LeadInput], options: IntakeOptions) throws -> PreparedBatch {
        let now = clock.now
        let validated = inputs.map { input -> Result<LeadInput.Valid, CoreError> in
            do throws(CoreError) { return .success(try input.validated(now: now)) } catch { return .failure(error) }
        }
        // One reader visit for the whole batch: the tenant's dedup rule, each phone's history, and who calls which leads.
        let (settings, earlier, dialing) = try store.lookup { db -> (Tenants.DedupRule, [Int], CallQueue.Intake) in
            let statement = try db.cachedStatement(sql: "SELECT count(*) FROM leads WHERE tenant_id = ? AND phone = ?")
            let counts = try validated.map { slot -> Int in
                guard case .success(let valid) = slot else { return 0 }
                return try statement.int { $0.add(tenantID); $0.add(valid.phone) } ?? 0
            }
            return (try Tenants.DedupRule.fetch(db, tenantID: tenantID), counts, try CallQueue.Intake.fetch(db, tenantID: tenantID, options.calls))
        }
        let moment = Moment(now: now, settings: settings)
        // The batch's lead ids at once, in the order its leads are stored (an id for each slot, used or not).
        let ids = Identifier.uuidV7s(validated.count, at: now)
        let slots = zip(validated, zip(earlier, ids)).map { slot, countAndID -> Result<PreparedLead, CoreError> in
            slot.map { prepared($0, id: countAndID.1, tenantID: tenantID, settings: settings, earlier: countAndID.0, options: options,
                                moment: moment, dialing: dialing) }
        }
        return PreparedBatch(slots: slots, routes: options.routes)
    }

    /// What every lead of one batch shares: the time, its text, and the dedup cutoff.
    struct Moment {
        let now: Date
        let stamp: String
        let cutoff: String?

        init(now: Date, settings: Tenants.DedupRule) {
            self.now = now
            stamp = Timestamp.format(now)
            // A window of 0 days turns dedup off.
            cutoff = settings.windowDays == 0 ? nil : Timestamp.format(now.addingTimeInterval(-Double(settings.windowDays) * 86400))
        }
    }

    public func commitBatch(_ batch: PreparedBatch) async throws -> [Result<Outcome, CoreError>] {
        try await commitBatch(batch) { _, _ in () }.outcomes
    }

    /// Commits a batch and runs `then` in the same transaction with its outcomes (an importer records its progress
    /// there, so the progress and the leads commit together).
    public func commitBatch<Extra: Sendable>(
        _ batch: PreparedBatch, then: @escaping @Sendable (GRDB.Database, [Result<Outcome, CoreError>]) throws -> Extra
    ) async throws -> (outcomes: [Result<Outcome, CoreError>], extra: Extra) {
        let (outcomes, extra) = try await store.write { db in
            let outcomes = try LeadWriter(db).store(batch.slots)
            return (outcomes, try then(db, outcomes))
        }
        for case .success(.created(let lead)) in outcomes where lead.status.isEligible && batch.routes { onEligibleLead?(lead) }
        return (outcomes, extra)
    }

    public struct PreparedBatch: Sendable {
        let slots: [Result<PreparedLead, CoreError>]
        let routes: Bool
    }

    /// A lead checked and ready for the writer.
    /// A class: the writer passes each around a few times, and copying a value of some thirty strings retained each of
    /// them every time.
    final class PreparedLead: Sendable {
        let lead: Lead
        let valid: LeadInput.Valid
        let consent: ConsentChain.Pending?
        let created: LeadEvent
        let dedupSince: String?
        let dedupByEmail: Bool
        /// Queued for a call once stored: under this campaign, or the tenant's own settings (`campaignID` nil).
        let dial: CallQueue.Plan?

        init(lead: Lead, valid: LeadInput.Valid, consent: ConsentChain.Pending?, created: LeadEvent, dedupSince: String?,
             dedupByEmail: Bool, dial: CallQueue.Plan?) {
            self.lead = lead
            self.valid = valid
            self.consent = consent
            self.created = created
            self.dedupSince = dedupSince
            self.dedupByEmail = dedupByEmail
            self.dial = dial
        }
    }

    /// Score, status, ids, the consent certificate's content digest and the first event, all before the writer.
    private func prepared(_ valid: LeadInput.Valid, id leadID: String, tenantID: String, settings: Tenants.DedupRule, earlier: Int,
                          options: IntakeOptions, moment: Moment, dialing: CallQueue.Intake) -> PreparedLead {
        let now = moment.now, cutoff = moment.cutoff
        let score = LeadScore.compute(.init(phoneValid: true, email: valid.email, hasName: valid.firstName != nil || valid.lastName != nil,
                                            state: valid.state, zip: valid.zipCode,
                                            consentAge: valid.consent.map { now.timeIntervalSince($0.consentedAt) },
                                            earlierSubmissions: earlier))
        var status = LeadStatus.new
        var ineligibleReason: String?
        if valid.consent == nil {
            status = .ineligible
            ineligibleReason = "no_consent"
        } else if let threshold = options.qualifyAtScore, score.value >= threshold {
            status = .qualified
        }
        let stamp = moment.stamp
        let pending = valid.consent.map {
            ConsentChain.Pending($0, id: Identifier.sortable("cert", at: now), tenantID: tenantID, leadID: leadID, createdAt: stamp)
        }
        let lead = Lead(id: leadID, tenantID: tenantID, phone: valid.phone, email: valid.email, firstName: valid.firstName,
                        lastName: valid.lastName, state: valid.state, zipCode: valid.zipCode, source: valid.source,
                        campaignType: valid.campaignType, status: status, ineligibleReason: ineligibleReason,
                        score: score.value, scoreReasons: score.stored, consentCertificateID: pending?.certificate.id,
                        buyerID: nil, soldPriceCents: nil, notes: nil, createdAt: stamp, updatedAt: stamp)
        var detail = CanonicalJSON()
        detail.add("reason", ineligibleReason)
        detail.add("score", String(score.value))
        detail.add("source", valid.source)
        let created = LeadEvent(id: nil, tenantID: tenantID, leadID: leadID, at: stamp, actor: options.actor, kind: "created",
                                fromStatus: nil, toStatus: status.rawValue, detail: detail.string)
        return PreparedLead(lead: lead, valid: valid, consent: pending, created: created, dedupSince: cutoff,
                            dedupByEmail: settings.byEmail, dial: status.isEligible ? dialing.plan(campaignType: lead.campaignType) : nil)
    }

    /// One lead of the tenant, with its events and consent certificates.
    public func record(tenantID: String, leadID: String) throws -> LeadRecord {
        try store.read { db in
            guard let lead = try Lead.find(db, id: leadID.lowercased(), tenantID: tenantID) else {
                throw CoreError.notFound("lead \(leadID)")
            }
            let events = try LeadEvent.filter(Column("lead_id") == lead.id).order(Column("id")).fetchAll(db)
            let consent = try ConsentCertificate.filter(Column("lead_id") == lead.id).order(Column("sequence")).fetchAll(db)
            let calls = try Row.fetchAll(db, sql: "SELECT * FROM call_attempts WHERE lead_id = ? ORDER BY created_at, rowid",
                                         arguments: [lead.id]).map(CallAttempt.init)
            let transfers = try Row.fetchAll(db, sql: "SELECT * FROM transfers WHERE lead_id = ? ORDER BY started_at, rowid",
                                             arguments: [lead.id]).map(Transfer.init)
            return LeadRecord(lead: lead, events: events, consent: consent, calls: calls, transfers: transfers,
                              dialer: try CallQueue.standing(db, leadID: lead.id))
        }
    }

    /// Newest first, paged by key: pass the last page's `nextCursor` to continue.
    public func newest(tenantID: String, limit: Int, after cursor: TimeCursor?) throws -> (leads: [Lead], next: TimeCursor?) {
        let limit = max(1, min(limit, 500))
        let leads = try store.read { db -> [Lead] in
            if let cursor {
                return try Lead.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM leads WHERE tenant_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
                    ORDER BY created_at DESC, id DESC LIMIT ?
                    """), arguments: [tenantID, cursor.createdAt, cursor.createdAt, cursor.id, limit + 1])
            }
            return try Lead.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM leads WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [tenantID, limit + 1])
        }
        let page = Array(leads.prefix(limit))
        let next = leads.count > limit ? page.last.map { TimeCursor(createdAt: $0.createdAt, id: $0.id) } : nil
        return (page, next)
    }
}

/// Where a page of a newest-first list ended (leads, calls, transactions: their `created_at` and `id`); opaque to
/// callers.
public struct TimeCursor: Sendable, Equatable {
    public var createdAt: String
    public var id: String

    public var token: String { Data("\(createdAt)|\(id)".utf8).base64EncodedString() }

    public init(createdAt: String, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public init?(token: String) {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, Timestamp.parse(parts[0]) != nil else { return nil }
        createdAt = parts[0]
        id = parts[1]
    }
}

/// What the EZLeeds list and the console filter leads by.
public struct LeadFilter: Sendable {
    public var status: LeadStatus?
    public var campaignType: String?
    public var state: String?
    public var source: String?
    public var createdFrom: String?
    public var createdTo: String?
    /// An exact phone (E.164), email (lower-case) or lead id: the console's search box.
    public var phone: String?
    public var email: String?
    public var id: String?

    public init(status: LeadStatus? = nil, campaignType: String? = nil, state: String? = nil, source: String? = nil,
                createdFrom: String? = nil, createdTo: String? = nil) {
        self.status = status
        self.campaignType = campaignType
        self.state = state
        self.source = source
        self.createdFrom = createdFrom
        self.createdTo = createdTo
    }
}

extension Leads {
    /// The most leads `search` counts one by one; past it the total is given as this many, and said to be capped.
    public static let countedTotalCap = 10_000

    /// A page of a tenant's leads, newest first, with the total that match (for page-numbered lists). The total comes
    /// from the daily sums when the filter is only a status and whole days (exact, at any size); otherwise the
    /// matching leads are counted up to `countedTotalCap`, and `capped` says there are more.
    public func search(tenantID: String, filter: LeadFilter, page: Int, perPage: Int) throws -> (leads: [Lead], total: Int, capped: Bool) {
        let (whereClause, arguments) = filter.sql(tenantID: tenantID)
        return try store.read { db in
            var total: Int, capped = false
            if let (daily, dailyArguments) = filter.dailySumSQL(tenantID: tenantID) {
                total = try Int.fetchOne(db, sql: daily, arguments: StatementArguments(dailyArguments)) ?? 0
            } else {
                total = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM leads WHERE \(whereClause) LIMIT ?)",
                                         arguments: StatementArguments(arguments + [Self.countedTotalCap + 1])) ?? 0
                if total > Self.countedTotalCap { total = Self.countedTotalCap; capped = true }
            }
            let leads = try Lead.fetchAll(db, sql: """
                SELECT * FROM leads WHERE \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
                """, arguments: StatementArguments(arguments + [perPage, (page - 1) * perPage]))
            return (leads, total, capped)
        }
    }

    /// The leads matching a filter, newest first, a page at a time by key (for exports of any size).
    public func page(tenantID: String, filter: LeadFilter, after cursor: TimeCursor?, limit: Int) throws -> (leads: [Lead], next: TimeCursor?) {
        var (whereClause, arguments) = filter.sql(tenantID: tenantID)
        if let cursor {
            whereClause += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            arguments += [cursor.createdAt, cursor.createdAt, cursor.id]
        }
        let leads = try store.read { db in
            try Lead.fetchAll(db, sql: "SELECT * FROM leads WHERE \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ?",
                              arguments: StatementArguments(arguments + [limit]))
        }
        return (leads, leads.count == limit ? leads.last.map { TimeCursor(createdAt: $0.createdAt, id: $0.id) } : nil)
    }
}

extension LeadFilter {
    /// The count of matching leads from `lead_daily` (leads per tenant, UTC day and status), when the filter is
    /// no more than a status and a range of whole UTC days; nil otherwise.
    func dailySumSQL(tenantID: String) -> (String, [any DatabaseValueConvertible])? {
        guard campaignType == nil, state == nil, source == nil, phone == nil, email == nil, id == nil else { return nil }
        func day(_ time: String?) -> String?? {
            guard let time else { return .some(nil) }
            guard let date = Timestamp.parse(time), date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0 else { return nil }
            return .some(String(Timestamp.format(date).prefix(10)))
        }
        guard let from = day(createdFrom), let to = day(createdTo) else { return nil }
        var conditions = ["tenant_id = ?"]
        var arguments: [any DatabaseValueConvertible] = [tenantID]
        if let status { conditions.append("status = ?"); arguments.append(status.rawValue) }
        if let from { conditions.append("day >= ?"); arguments.append(from) }
        if let to { conditions.append("day < ?"); arguments.append(to) }
        return ("SELECT coalesce(sum(leads), 0) FROM lead_daily WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// The WHERE clause (without `WHERE`) and its arguments.
    func sql(tenantID: String) -> (String, [any DatabaseValueConvertible]) {
        var conditions = ["tenant_id = ?"]
        var arguments: [any DatabaseValueConvertible] = [tenantID]
        func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
            guard let value else { return }
            conditions.append(condition)
            arguments.append(value)
        }
        add("status = ?", status?.rawValue)
        add("campaign_type = ?", campaignType)
        add("state = ?", state)
        add("source = ?", source)
        add("created_at >= ?", createdFrom)
        add("created_at < ?", createdTo)
        add("phone = ?", phone)
        add("email = ?", email)
        add("id = ?", id)
        return (conditions.joined(separator: " AND "), arguments)
    }
}
