import Foundation
import GRDB
import Store
import Synchronization

/// A CSV export produced a page at a time as it is sent, so an export of a million leads is never held in memory.
/// `nextChunk` answers the header first, then a page of lines per call, then nil.
public final class CSVExport: Sendable {
    /// Where a page ended: rows are read newest first by (created_at, id).
    struct Position: Sendable {
        let createdAt: String
        let id: String
    }

    /// Reads the page after `position` (nil: the first), answering its lines and where the next page starts (nil: none).
    typealias PageReader = @Sendable (_ position: Position?) throws -> (lines: [String], next: Position?)

    private struct State {
        var headerSent = false
        var position: Position?
        var done = false
    }

    private let header: String
    private let readPage: PageReader
    private let state = Mutex(State())

    init(header: [String], readPage: @escaping PageReader) {
        self.header = CSVWriter.header(header)
        self.readPage = readPage
    }

    public func nextChunk() throws -> [UInt8]? {
        try state.withLock { state in
            if !state.headerSent {
                state.headerSent = true
                return Array(header.utf8)
            }
            guard !state.done else { return nil }
            let page = try readPage(state.position)
            state.position = page.next
            state.done = page.next == nil
            if page.lines.isEmpty { return state.done ? nil : [] }
            return Array(page.lines.joined().utf8)
        }
    }

    static let pageSize = 500

    /// Leads matching the filter, newest first.
    public static func leads(_ leads: Leads, tenantID: String, filter: LeadFilter) -> CSVExport {
        CSVExport(header: ["id", "created_at", "status", "first_name", "last_name", "email", "phone", "state", "zip_code",
                           "campaign_type", "source", "score", "buyer_id", "sold_price_cents", "consent_certificate_id",
                           "ineligible_reason"]) { position in
            let page = try leads.page(tenantID: tenantID, filter: filter, after: position.map { TimeCursor(createdAt: $0.createdAt, id: $0.id) },
                                      limit: pageSize)
            return (page.leads.map { lead in
                CSVWriter.line([.text(lead.id), .text(lead.createdAt), .text(lead.status.rawValue), .text(lead.firstName),
                                .text(lead.lastName), .text(lead.email), .text(lead.phone), .text(lead.state), .text(lead.zipCode),
                                .text(lead.campaignType), .text(lead.source), .number(lead.score), .text(lead.buyerID),
                                .number(lead.soldPriceCents), .text(lead.consentCertificateID), .text(lead.ineligibleReason)])
            }, page.next.map { Position(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Ledger transactions, newest first, of one buyer or all, of one kind or all, from `from` to before `to`.
    public static func transactions(_ store: SQLiteStore, tenantID: String, buyerID: String?, kind: LedgerTransaction.Kind?,
                                    from: String?, to: String?) -> CSVExport {
        CSVExport(header: ["id", "created_at", "type", "buyer_id", "lead_id", "amount_cents", "description", "reason"]) { position in
            let rows = try store.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM ledger_transactions
                    WHERE tenant_id = ?1 AND (?2 IS NULL OR buyer_id = ?2) AND (?3 IS NULL OR kind = ?3)
                      AND (?4 IS NULL OR created_at >= ?4) AND (?5 IS NULL OR created_at < ?5)
                      AND (?6 IS NULL OR created_at < ?6 OR (created_at = ?6 AND id < ?7))
                    ORDER BY created_at DESC, id DESC LIMIT ?8
                    """, arguments: [tenantID, buyerID, kind?.rawValue, from, to, position?.createdAt, position?.id, pageSize])
            }
            let items = rows.map(LedgerTransaction.init(row:))
            return (items.map { t in
                CSVWriter.line([.text(t.id), .text(t.createdAt), .text(t.kind.rawValue), .text(t.buyerID), .text(t.leadID),
                                .number(t.amountCents), .text(t.description), .text(t.reason)])
            }, items.count == pageSize ? items.last.map { Position(createdAt: $0.createdAt, id: $0.id) } : nil)
        }
    }
}
