import Foundation
import HTTPServer
import LeadlineCore

/// EZLeeds' billing: `POST /api/v1/leads/{id}/accept` and `/return` (Lead Management), and the five Billing
/// endpoints, plus `POST /api/v1/billing/invoices/{id}/pay`. Billing views take `buyer_id` to show one buyer's account;
/// without it they show the tenant's (every buyer's together).
extension Routes {
    struct TransactionView: Encodable {
        let id: String, type: String, amount_cents: Int, description: String, created_at: String
        @Nullable var buyer_id: String?
        @Nullable var lead_id: String?
        @Nullable var reason: String?

        init(_ t: LedgerTransaction) {
            id = t.id; type = t.kind.rawValue; amount_cents = t.amountCents; description = t.description; created_at = t.createdAt
            buyer_id = t.buyerID; lead_id = t.leadID; reason = t.reason
        }
    }

    struct InvoiceView: Encodable {
        let id: String, buyer_id: String, period: String, leads: Int, charges_cents: Int, credits_cents: Int, amount_cents: Int
        let status: String, created_at: String
        @Nullable var paid_at: String?
        @Nullable var payment_id: String?

        init(_ i: Invoice) {
            id = i.id; buyer_id = i.buyerID; period = i.period; leads = i.leads; charges_cents = i.chargesCents
            credits_cents = i.creditsCents; amount_cents = i.amountCents; status = i.status.rawValue; created_at = i.createdAt
            paid_at = i.paidAt; payment_id = i.paymentID
        }
    }

    mutating func addEZLeedsBilling(_ billing: Billing) {
        struct Accept: Decodable { let buyer_id: String? }
        addAsync(.POST, "/api/v1/leads/{id}/accept") { request in
            let caller = try request.caller
            let body = request.hasBody ? try request.decode(Accept.self) : Accept(buyer_id: nil)
            let accepted = try await billing.accept(tenantID: caller.tenantID, leadID: try request.parameter("id"), buyerID: body.buyer_id,
                                                    actor: request.eventActor)
            struct Answer: Encodable {
                let id: String, status: String, accepted_at: String, buyer_id: String
                @Nullable var billing_event_id: String?
            }
            return try .json(Answer(id: accepted.leadID, status: accepted.status.rawValue, accepted_at: accepted.acceptedAt,
                                    buyer_id: accepted.buyerID, billing_event_id: accepted.billingEventID))
        }

        struct Return: Decodable { let reason: String?, notes: String?, buyer_id: String? }
        addAsync(.POST, "/api/v1/leads/{id}/return") { request in
            let caller = try request.caller
            let body = try request.decode(Return.self)
            let outcome = try await billing.returnLead(tenantID: caller.tenantID, leadID: try request.parameter("id"), buyerID: body.buyer_id,
                                                       reason: body.reason, notes: body.notes, actor: request.eventActor)
            struct Answer: Encodable {
                let id: String, status: String, return_reason: String, buyer_id: String
                @Nullable var returned_at: String?
                let return_requested_at: String
                let credit_issued: Bool
                @Nullable var credit_id: String?
                let credit_cents: Int
            }
            return try .json(Answer(id: outcome.leadID, status: outcome.state.rawValue, return_reason: outcome.reason, buyer_id: outcome.buyerID,
                                    returned_at: outcome.returnedAt, return_requested_at: outcome.requestedAt,
                                    credit_issued: outcome.creditIssued, credit_id: outcome.creditID, credit_cents: outcome.creditCents))
        }

        add(.GET, "/api/v1/billing/usage") { request in
            let caller = try request.caller
            let usage = try billing.usage(tenantID: caller.tenantID, buyerID: request.query["buyer_id"], period: try Self.period(request))
            struct Answer: Encodable {
                let period: String
                @Nullable var buyer_id: String?
                let leads_purchased: Int, total_spend_cents: Int, refunded_cents: Int, credits_remaining_cents: Int, balance_cents: Int
                @Nullable var avg_cost_per_lead_cents: Int?
            }
            return try .json(Answer(period: usage.period.description, buyer_id: usage.buyerID, leads_purchased: usage.leadsPurchased,
                                    total_spend_cents: usage.totalSpendCents, refunded_cents: usage.refundedCents,
                                    credits_remaining_cents: usage.creditsRemainingCents, balance_cents: usage.balanceCents,
                                    avg_cost_per_lead_cents: usage.avgCostPerLeadCents))
        }

        addAsync(.GET, "/api/v1/billing/invoices") { request in
            let caller = try request.caller
            var status: Invoice.Status?
            if let text = request.query["status"] {
                guard let known = Invoice.Status(rawValue: text) else {
                    throw HTTPError.validation([.init(field: "status", reason: "must be open or paid")])
                }
                status = known
            }
            let invoices = try await billing.invoices(tenantID: caller.tenantID, buyerID: request.query["buyer_id"], status: status)
            struct Answer: Encodable { let items: [InvoiceView] }
            return try .json(Answer(items: invoices.map(InvoiceView.init)))
        }

        addAsync(.POST, "/api/v1/billing/invoices/{id}/pay", access: .admin) { request in
            let caller = try request.caller
            let invoice = try await billing.markPaid(tenantID: caller.tenantID, invoiceID: try request.parameter("id"), actor: request.eventActor)
            return try .json(InvoiceView(invoice))
        }

        struct Credit: Decodable { let amount_cents: Int?, reason: String?, buyer_id: String?, source: String? }
        addAsync(.POST, "/api/v1/billing/credits/add", access: .admin) { request in
            let caller = try request.caller
            let body = try request.decode(Credit.self)
            let credit = try await billing.addCredit(tenantID: caller.tenantID, buyerID: body.buyer_id, amountCents: body.amount_cents,
                                                     reason: body.reason, source: body.source, actor: request.eventActor)
            struct Answer: Encodable { let balance_cents: Int, credit_id: String }
            return try .json(Answer(balance_cents: credit.balanceCents, credit_id: credit.creditID))
        }

        add(.GET, "/api/v1/billing/transactions") { request in
            let caller = try request.caller
            let page = try request.integerQuery("page", default: 1, range: 1...1_000_000)
            let perPage = try request.integerQuery("per_page", default: 25, range: 1...200)
            let kind = try Self.transactionKind(request)
            let result = try billing.transactions(tenantID: caller.tenantID, buyerID: request.query["buyer_id"], kind: kind,
                                                  leadID: request.query["lead_id"]?.lowercased(), page: page, perPage: perPage)
            struct Answer: Encodable { let items: [TransactionView], total: Int, page: Int, per_page: Int }
            return try .json(Answer(items: result.items.map(TransactionView.init), total: result.total, page: page, per_page: perPage))
        }

        struct RefundBody: Decodable { let lead_id: String?, reason: String?, buyer_id: String? }
        addAsync(.POST, "/api/v1/billing/refund", access: .admin) { request in
            let caller = try request.caller
            let body = try request.decode(RefundBody.self)
            let refund = try await billing.refund(tenantID: caller.tenantID, leadID: body.lead_id, buyerID: body.buyer_id, reason: body.reason,
                                                  actor: request.eventActor)
            struct Answer: Encodable { let refund_id: String, amount_cents: Int, status: String, lead_id: String, buyer_id: String }
            return try .json(Answer(refund_id: refund.id, amount_cents: refund.amountCents, status: "processed", lead_id: refund.leadID,
                                    buyer_id: refund.buyerID))
        }
    }

    /// `type=charge|credit|refund|payment`.
    static func transactionKind(_ request: Request) throws -> LedgerTransaction.Kind? {
        guard let text = request.query["type"] else { return nil }
        guard let kind = LedgerTransaction.Kind(rawValue: text) else {
            throw HTTPError.validation([.init(field: "type", reason: "must be one of \(LedgerTransaction.Kind.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        return kind
    }

    /// `period=2026-04`; nil when not given.
    static func period(_ request: Request) throws -> BillingPeriod? {
        guard let text = request.query["period"] else { return nil }
        guard let period = BillingPeriod(text) else { throw HTTPError.validation([.init(field: "period", reason: "must be a month: 2026-04")]) }
        return period
    }
}
