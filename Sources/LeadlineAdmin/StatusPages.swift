import Foundation
import HTTPServer
import LeadlineCore

/// The shapes tenant pages share: a page listing things, with the notice a redirect named; for Buyers, Campaigns
/// and Sequences a POST that pauses or resumes one of them (CSRF-checked, then POST-redirect-GET with a notice; a
/// refusal re-renders the page with its errors); and for Buyers and Campaigns adding and editing one with its form.
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

    /// `GET path`: the signed-in user's tenant page (an operator's chosen tenant), with the notice a redirect named and
    /// the `after` cursor of a list paged by key.
    func addTenantPage(_ router: inout Router, path: String, notices: [String: String], render: @escaping PageRenderer) {
        addPage(&router, .GET, path) { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values: [String: Any] = [:]
            values["notice"] = request.query["notice"].flatMap { notices[$0] }
            values["after"] = request.query["after"]
            return try render(session, tenant, values, 200)
        }
    }

    /// How a kind of thing with a settings form (buyers, campaigns) is added and edited: `POST path` adds one and
    /// goes to its page, `GET path/{id}` is its page with the form in its stored values, `POST path/{id}` saves the
    /// form, `POST path/{id}/delete` deletes one without history. A refusal renders the form again with what was
    /// typed and every problem (422), or the page with why it cannot be deleted (409).
    struct SettingsForms<Thing: Sendable>: Sendable {
        let path: String
        let notices: [String: String]
        let load: @Sendable (_ tenantID: String, _ id: String) throws -> Thing
        let id: @Sendable (Thing) -> String
        /// The stored thing as the form's values.
        let stored: @Sendable (Thing) -> [String: String]
        /// What the form's template needs from its values.
        let formValues: @Sendable ([String: String]) -> [String: Any]
        /// Adds one from the form; its id.
        let create: @Sendable (_ tenantID: String, FormBody) async throws -> String
        let update: @Sendable (_ tenantID: String, Thing, FormBody) async throws -> Void
        let delete: @Sendable (_ tenantID: String, Thing) async throws -> Void
        /// Pauses or resumes one; whether it is active now.
        let setStatus: @Sendable (_ tenantID: String, _ id: String, _ status: String) async throws -> Bool
        let listPage: PageRenderer
        let page: @Sendable (AdminSessions.Session, Tenant, Thing, [String: Any], Int) throws -> Response
    }

    /// Registers the list (`GET path`, pausing and resuming: `addStatusPage`) and the forms.
    func addSettingsForms<Thing>(_ router: inout Router, _ forms: SettingsForms<Thing>) {
        addStatusPage(&router, path: forms.path, notices: forms.notices, render: forms.listPage, setStatus: forms.setStatus)
        let form = ["application/x-www-form-urlencoded"]
        @Sendable func typedAgain(_ problems: [CoreError.FieldProblem], _ fields: FormBody) -> [String: Any] {
            var values = Self.errors(problems)
            values["draft"] = forms.formValues(Self.draft(fields))
            return values
        }
        addPage(&router, .POST, forms.path, accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                let id = try await forms.create(tenant.id, fields)
                return Pages.redirect("\(forms.path)/\(id)?tenant=\(tenant.name)&notice=added")
            } catch CoreError.invalid(let problems) {
                return try forms.listPage(session, tenant, typedAgain(problems, fields), 422)
            }
        }

        addPage(&router, .GET, "\(forms.path)/{id}") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            let thing = try forms.load(tenant.id, try request.parameter("id"))
            var values: [String: Any] = ["draft": forms.formValues(forms.stored(thing))]
            values["notice"] = request.query["notice"].flatMap { forms.notices[$0] }
            return try forms.page(session, tenant, thing, values, 200)
        }

        addPage(&router, .POST, "\(forms.path)/{id}", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let thing = try forms.load(tenant.id, try request.parameter("id"))
            do {
                try await forms.update(tenant.id, thing, fields)
                return Pages.redirect("\(forms.path)/\(forms.id(thing))?tenant=\(tenant.name)&notice=saved")
            } catch CoreError.invalid(let problems) {
                return try forms.page(session, tenant, thing, typedAgain(problems, fields), 422)
            }
        }

        addPage(&router, .POST, "\(forms.path)/{id}/delete", accepts: form) { [self] request in
            let (session, _, tenant) = try await changeRequest(request)
            let thing = try forms.load(tenant.id, try request.parameter("id"))
            do {
                try await forms.delete(tenant.id, thing)
                return Pages.redirect("\(forms.path)?tenant=\(tenant.name)&notice=deleted")
            } catch CoreError.refused(_, let message) {
                var values = Self.errors([.init("delete", message)])
                values["draft"] = forms.formValues(forms.stored(thing))
                return try forms.page(session, tenant, thing, values, 409)
            }
        }
    }

    /// What the pause or resume button of a row says and sends.
    static func toggle(active: Bool) -> [String: Any] {
        ["toggleTo": active ? "paused" : "active", "toggleLabel": active ? "Pause" : "Resume"]
    }
}
