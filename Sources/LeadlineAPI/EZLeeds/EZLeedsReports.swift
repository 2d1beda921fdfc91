import Foundation
import HTTPServer
import LeadlineCore
import Store
import Synchronization

/// EZLeeds' reports: `GET /api/v1/reports/dashboard`, `/campaigns`, `/buyers` and `/export` (CSV). Each covers the
/// current billing period unless `period=2026-04` or `from=2026-04-01&to=2026-04-15` (days in UTC, `to` included) says.
extension Routes {
    mutating func addEZLeedsReports(_ reports: Reports, leads: Leads, store: SQLiteStore) {
        add(.GET, "/api/v1/reports/dashboard") { request in
            let caller = try request.caller
            let report = try reports.dashboard(tenantID: caller.tenantID, try Self.days(request, reports))
            struct Answer: Encodable {
                let period: String, leads_total: Int, leads_qualified: Int, leads_delivered: Int, leads_returned: Int
                @Nullable var acceptance_rate: Double?
                let revenue_cents: Int
                @Nullable var avg_lead_cost_cents: Int?
            }
            return try .json(Answer(period: report.period, leads_total: report.leadsTotal, leads_qualified: report.leadsQualified,
                                    leads_delivered: report.leadsDelivered, leads_returned: report.sales.returned,
                                    acceptance_rate: report.sales.acceptanceRate, revenue_cents: report.revenueCents,
                                    avg_lead_cost_cents: report.sales.avgPriceCents))
        }

        add(.GET, "/api/v1/reports/campaigns") { request in
            let caller = try request.caller
            let range = try Self.days(request, reports)
            struct Item: Encodable {
                let id: String, name: String, leads: Int, accepted: Int, returned: Int, revenue_cents: Int
                @Nullable var acceptance_rate: Double?
            }
            struct Answer: Encodable { let period: String, campaigns: [Item] }
            let items = try reports.campaigns(tenantID: caller.tenantID, range).map {
                Item(id: $0.id, name: $0.name, leads: $0.sales.sold, accepted: $0.sales.accepted, returned: $0.sales.returned,
                     revenue_cents: $0.sales.keptCents, acceptance_rate: $0.sales.acceptanceRate)
            }
            return try .json(Answer(period: range.label, campaigns: items))
        }

        add(.GET, "/api/v1/reports/buyers") { request in
            let caller = try request.caller
            let range = try Self.days(request, reports)
            struct Item: Encodable {
                let id: String, name: String, leads_purchased: Int, returned: Int
                @Nullable var acceptance_rate: Double?
                let total_spent_cents: Int
            }
            struct Answer: Encodable { let period: String, buyers: [Item] }
            let items = try reports.buyers(tenantID: caller.tenantID, range).map {
                Item(id: $0.id, name: $0.name, leads_purchased: $0.sales.sold, returned: $0.sales.returned,
                     acceptance_rate: $0.sales.acceptanceRate, total_spent_cents: $0.sales.keptCents)
            }
            return try .json(Answer(period: range.label, buyers: items))
        }

        add(.GET, "/api/v1/reports/export") { request in
            let caller = try request.caller
            let kind = request.query["type"] ?? "leads"
            let explicit = request.query["period"] != nil || request.query["from"] != nil || request.query["to"] != nil
            let range = explicit ? try Self.days(request, reports) : nil
            // Filters are checked whichever export they apply to: a mistyped one is named, never silently ignored.
            var transactionKind: LedgerTransaction.Kind?
            if let text = request.query["transaction_type"] {
                guard let known = LedgerTransaction.Kind(rawValue: text) else {
                    throw HTTPError.validation([.init(field: "transaction_type", reason: "must be one of \(LedgerTransaction.Kind.allCases.map(\.rawValue).joined(separator: ", "))")])
                }
                transactionKind = known
            }
            let export: CSVExport
            switch kind {
            case "leads":
                var filter = LeadFilter(campaignType: request.query["campaign_type"], state: try Self.state(request.query["state"]),
                                        source: request.query["source"], createdFrom: range?.startStamp, createdTo: range?.endStamp)
                if let status = request.query["status"] {
                    guard let known = LeadStatus(rawValue: status) else {
                        throw HTTPError.validation([.init(field: "status", reason: "must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))")])
                    }
                    filter.status = known
                }
                export = CSVExport.leads(leads, tenantID: caller.tenantID, filter: filter)
            case "transactions":
                export = CSVExport.transactions(store, tenantID: caller.tenantID, buyerID: request.query["buyer_id"], kind: transactionKind,
                                                from: range?.startStamp, to: range?.endStamp)
            default:
                throw HTTPError.validation([.init(field: "type", reason: "must be leads or transactions")])
            }
            var headers = HTTPHeaders()
            headers.set("Content-Type", "text/csv; charset=utf-8")
            headers.set("Content-Disposition", "attachment; filename=\"\(kind)-\(range?.label ?? "all").csv\"")
            return Response(status: 200, headers: headers, body: .stream(length: nil, CSVStream(export)))
        }
    }

    /// The days a report covers: `period=2026-04`, or `from`/`to` days (`to` included), or the current period.
    static func days(_ request: Request, _ reports: Reports) throws -> DayRange {
        if let period = try period(request) { return DayRange(period) }
        let from = request.query["from"], to = request.query["to"]
        guard from != nil || to != nil else { return reports.currentPeriod }
        var problems: [HTTPError.FieldError] = []
        for (name, value) in [("from", from), ("to", to)] where value.flatMap(CivilDate.init) == nil {
            problems.append(.init(field: name, reason: "must be a day: 2026-04-01 (from and to go together)"))
        }
        if problems.isEmpty, let from, let to, to < from { problems.append(.init(field: "to", reason: "must not be before from")) }
        guard problems.isEmpty, let from, let to else { throw HTTPError.validation(problems) }
        return DayRange(from: from, through: to)
    }
}

/// Sends a CSV export as it is read, a page at a time.
final class CSVStream: ResponseStream, Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        var start = 0
        var done = false
    }

    private let export: CSVExport
    private let pending = Mutex(Pending())

    init(_ export: CSVExport) { self.export = export }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        pending.withLock { pending in
            while pending.start >= pending.bytes.count {
                if pending.done { return 0 }
                do {
                    if let chunk = try export.nextChunk() { pending.bytes = chunk; pending.start = 0 } else { pending.done = true }
                } catch {
                    return -1
                }
            }
            let count = min(buffer.count, pending.bytes.count - pending.start)
            pending.bytes.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[pending.start..<(pending.start + count)]))
            }
            pending.start += count
            return count
        }
    }
}
