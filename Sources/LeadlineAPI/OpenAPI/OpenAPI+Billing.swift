import HTTPServer
import LeadlineCore

/// Accepts and returns, the ledger's billing views, and reports.
extension OpenAPI {
    static var billingComponents: [String: JSONValue] {
        [
            "Transaction": S.object([
                "id": S.text("`bill_`, `cred_`, `ref_` or `pay_` by its type."), "type": S.ref("TransactionType"),
                "amount_cents": S.integer, "description": S.string, "created_at": S.timestamp, "buyer_id": S.string,
                "lead_id": S.string, "reason": S.string,
            ], required: ["id", "type", "amount_cents", "created_at"], nullable: ["buyer_id", "lead_id", "reason"]),
            "TransactionType": S.enumeration(LedgerTransaction.Kind.allCases.map(\.rawValue)),
            "Invoice": S.object([
                "id": S.id("inv_"), "buyer_id": S.string, "period": S.text("The month, `2026-04`."), "leads": S.integer,
                "charges_cents": S.integer, "credits_cents": S.integer, "amount_cents": S.integer,
                "status": S.enumeration(["open", "paid"]), "created_at": S.timestamp, "paid_at": S.timestamp, "payment_id": S.string,
            ], required: ["id", "buyer_id", "period", "amount_cents", "status"], nullable: ["paid_at", "payment_id"]),
        ]
    }

    static var billing: [Operation] {
        let buyerQuery = Parameter(name: "buyer_id", schema: S.id("buyer_"), description: "One buyer's account; without it, the tenant's.")
        let period = Parameter(name: "period", schema: ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"], description: "A month, `2026-04`.")
        let days = [period,
                    Parameter(name: "from", schema: S.date, description: "First day (UTC); with `to`."),
                    Parameter(name: "to", schema: S.date, description: "Last day (UTC), included.")]
        let page = [Parameter(name: "page", schema: S.integer("", minimum: 1), description: "From 1."),
                    Parameter(name: "per_page", schema: S.integer("", minimum: 1, maximum: 200), description: "Default 25.")]
        return [
            Operation(.POST, "/api/v1/leads/{id}/accept", "Billing", "A buyer accepts a delivered lead",
                      body: S.object(["buyer_id": S.text("Which buyer, when the lead was sold to several.")]),
                      answers: [.init(status: 200, description: "Accepted.", schema: S.object([
                          "id": S.uuid, "status": S.string, "accepted_at": S.timestamp, "buyer_id": S.string, "billing_event_id": S.string,
                      ], required: ["id", "status", "accepted_at", "buyer_id"], nullable: ["billing_event_id"]))],
                      refusals: [409: "The lead is not in a state that can be accepted."]),
            Operation(.POST, "/api/v1/leads/{id}/return", "Billing", "A buyer returns a lead within the return window",
                      description: "Approved at once (credit issued) when the buyer's returns are auto-approved; otherwise queued for the operator.",
                      body: S.object(["reason": S.enumeration(ReturnReason.allCases.map(\.rawValue)),
                                      "notes": S.text("Required when the reason is `other`.", max: 2000), "buyer_id": S.string],
                                     required: ["reason"]),
                      answers: [.init(status: 200, description: "Returned, or waiting for approval.", schema: S.object([
                          "id": S.uuid, "status": S.string, "return_reason": S.string, "buyer_id": S.string, "returned_at": S.timestamp,
                          "return_requested_at": S.timestamp, "credit_issued": S.boolean, "credit_id": S.string, "credit_cents": S.integer,
                      ], required: ["id", "status", "return_reason", "buyer_id", "credit_issued", "credit_cents"],
                         nullable: ["returned_at", "credit_id"]))],
                      refusals: [409: "The lead was not sold to this buyer, was already returned, or the return window has closed."]),
            Operation(.GET, "/api/v1/billing/usage", "Billing", "Leads bought, spend, refunds and balance for a month",
                      query: [buyerQuery, period],
                      answers: [.init(status: 200, description: "The usage.", schema: S.object([
                          "period": S.string, "buyer_id": S.string, "leads_purchased": S.integer, "total_spend_cents": S.integer,
                          "refunded_cents": S.integer, "credits_remaining_cents": S.integer, "balance_cents": S.integer,
                          "avg_cost_per_lead_cents": S.integer,
                      ], required: ["period", "leads_purchased", "total_spend_cents", "balance_cents"],
                         nullable: ["buyer_id", "avg_cost_per_lead_cents"]))]),
            Operation(.GET, "/api/v1/billing/invoices", "Billing", "Monthly invoices, closed from the ledger",
                      query: [buyerQuery, .init(name: "status", schema: S.enumeration(["open", "paid"]), description: "Only these.")],
                      answers: [.init(status: 200, description: "Newest first.", schema: S.page(S.ref("Invoice")))]),
            Operation(.POST, "/api/v1/billing/invoices/{id}/pay", "Billing", "Mark an invoice paid (admin); the payment is credited",
                      answers: [.init(status: 200, description: "The invoice, paid.", schema: S.ref("Invoice"))],
                      refusals: [409: "The invoice is already paid."]),
            Operation(.POST, "/api/v1/billing/credits/add", "Billing", "Add funds or credit to a buyer's account (admin)",
                      body: S.object(["amount_cents": S.integer("", minimum: 1), "reason": S.text("", max: 500), "buyer_id": S.string,
                                      "source": S.text("Where the money came from: `payment`, `promotion`, …", max: 100)],
                                     required: ["amount_cents", "buyer_id"]),
                      answers: [.init(status: 200, description: "The new balance.", schema: S.object([
                          "balance_cents": S.integer, "credit_id": S.id("cred_")], required: ["balance_cents", "credit_id"]))]),
            Operation(.GET, "/api/v1/billing/transactions", "Billing", "The ledger's transactions",
                      query: [buyerQuery, .init(name: "type", schema: S.ref("TransactionType"), description: "Only this type."),
                              .init(name: "lead_id", schema: S.string, description: "Only this lead's.")] + page,
                      answers: [.init(status: 200, description: "Newest first.", schema: S.page(S.ref("Transaction"), [
                          "total": S.integer, "page": S.integer, "per_page": S.integer]))]),
            Operation(.POST, "/api/v1/billing/refund", "Billing", "Refund a sold lead to its buyer (admin)",
                      body: S.object(["lead_id": S.uuid, "reason": S.text("", max: 500), "buyer_id": S.string], required: ["lead_id"]),
                      answers: [.init(status: 200, description: "Refunded.", schema: S.object([
                          "refund_id": S.id("ref_"), "amount_cents": S.integer, "status": S.string, "lead_id": S.uuid, "buyer_id": S.string,
                      ], required: ["refund_id", "amount_cents", "status"]))],
                      refusals: [409: "The lead was not sold, or was already refunded."]),
            Operation(.GET, "/api/v1/reports/dashboard", "Reports", "Totals for a period (the current month unless told)",
                      query: days,
                      answers: [.init(status: 200, description: "The totals.", schema: S.object([
                          "period": S.string, "leads_total": S.integer, "leads_qualified": S.integer, "leads_delivered": S.integer,
                          "leads_returned": S.integer, "acceptance_rate": S.number, "revenue_cents": S.integer,
                          "avg_lead_cost_cents": S.integer,
                      ], required: ["period", "leads_total", "revenue_cents"], nullable: ["acceptance_rate", "avg_lead_cost_cents"]))]),
            Operation(.GET, "/api/v1/reports/campaigns", "Reports", "Each campaign's numbers for a period",
                      query: days,
                      answers: [.init(status: 200, description: "By campaign.", schema: S.object([
                          "period": S.string,
                          "campaigns": S.array(S.object(["id": S.string, "name": S.string, "leads": S.integer, "accepted": S.integer,
                                                         "returned": S.integer, "revenue_cents": S.integer,
                                                         "acceptance_rate": S.nullable(S.number)])),
                      ], required: ["period", "campaigns"]))]),
            Operation(.GET, "/api/v1/reports/buyers", "Reports", "Each buyer's numbers for a period",
                      query: days,
                      answers: [.init(status: 200, description: "By buyer.", schema: S.object([
                          "period": S.string,
                          "buyers": S.array(S.object(["id": S.string, "name": S.string, "leads_purchased": S.integer,
                                                      "returned": S.integer, "acceptance_rate": S.nullable(S.number),
                                                      "total_spent_cents": S.integer])),
                      ], required: ["period", "buyers"]))]),
            Operation(.GET, "/api/v1/reports/export", "Reports", "Leads or transactions as CSV, streamed",
                      query: [.init(name: "type", schema: S.enumeration(["leads", "transactions"]), description: "What to export (default leads).")]
                        + days + [
                            .init(name: "status", schema: S.leadStatus, description: "Leads: only this state."),
                            .init(name: "campaign_type", schema: S.string, description: "Leads: only this type."),
                            .init(name: "state", schema: S.orEmpty(S.state), description: "Leads: only this US state."),
                            .init(name: "source", schema: S.string, description: "Leads: only this source."),
                            .init(name: "transaction_type", schema: S.ref("TransactionType"), description: "Transactions: only this type."),
                            buyerQuery,
                        ],
                      answers: [.init(status: 200, description: "RFC 4180 CSV with a header row.", schema: S.string, contentType: "text/csv")]),
        ]
    }
}
