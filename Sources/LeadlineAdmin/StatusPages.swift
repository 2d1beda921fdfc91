import Foundation
import HTTPServer
import LeadlineCore

/// The shapes tenant pages share: a page listing things, with the notice a redirect named; and for Buyers, Campaigns
/// and Sequences a POST that pauses or resumes one of them (CSRF-checked, then POST-redirect-GET with a notice; a
/// refusal re-renders the page with its errors).
extension Console {
    typealias PageRenderer = @Sendable (AdminSessions.Session, Tenant, [String: Any], Int) throws -> Response

    /// `GET path` renders the list; `POST path/{id}/status` sets `status` through `setStatus`, which returns whether
    /// the thing is active now.
    func addStatusPage(_ router: inout Router, path: String, notices: [String: String], render: @escaping PageRenderer,
                       setStatus: @escaping @Sendable (_ tenantID: String, _ id: String, _ status: String) async throws -> Bool) {
        addTenantPage(&router, path: path, notices: notices, render: render)

        addPage(&router, .POST, "\(path)/{id}/status", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                let active = try await setStatus(tenant.id, try request.parameter("id"), fields["status"] ?? "")
                return Pages.redirect("\(path)?tenant=\(tenant.name)&notice=\(active ? "resumed" : "paused")")
            } catch CoreError.invalid(let problems) {
                return try render(session, tenant, Self.errors(problems), 422)
            }
        }
    }

    /// `GET path`: the signed-in user's tenant page (an operator's chosen tenant), with the notice a redirect named.
    func addTenantPage(_ router: inout Router, path: String, notices: [String: String], render: @escaping PageRenderer) {
        addPage(&router, .GET, path) { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values: [String: Any] = [:]
            values["notice"] = request.query["notice"].flatMap { notices[$0] }
            return try render(session, tenant, values, 200)
        }
    }

    /// What the pause or resume button of a row says and sends.
    static func toggle(active: Bool) -> [String: Any] {
        ["toggleTo": active ? "paused" : "active", "toggleLabel": active ? "Pause" : "Resume"]
    }
}
