import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/compliance`: the state rules, a do-not-call lookup, adding to the internal list, importing the federal or a
/// state's registry file, and blackout days.
/// Operators pick the tenant; a tenant's users see their own. Viewers see everything and change nothing.
extension Console {
    func registerCompliance(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]

        addPage(&router, .GET, "/admin/compliance") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            var values: [String: Any] = [:]
            if let phone = request.query["phone"], !phone.trimmingSpaces.isEmpty {
                values["phone"] = phone
                do {
                    let number = try PhoneNumber.checked(phone)
                    let found = try gate.dnc.lists(tenantID: tenant.id).names(holding: DNCNumbers.digits(number)!)
                    values["lookup"] = ["number": number, "result": found.isEmpty ? "on no list" : "on " + found.joined(separator: ", ")]
                } catch CoreError.invalid(let problems) {
                    values.merge(Self.errors(problems)) { $1 }
                }
            }
            values["notice"] = request.query["notice"].flatMap { Self.notices[$0] }
            return try compliancePage(session, tenant, values)
        }

        addUploadPage(&router, "/admin/compliance/dnc/import") { [self] session, form, tenant in
            var problems: [CoreError.FieldProblem] = []
            var list: DNCList?
            switch form["list"] ?? "" {
            case "federal": list = .federal
            case "state":
                if let code = USStates.canonical(form["state"] ?? "") { list = .state(code) } else {
                    problems.append(.init("state", "choose the state whose list this is"))
                }
            default: problems.append(.init("list", "must be the federal list or a state's"))
            }
            let file = form.files["file"]
            if (file?.size ?? 0) == 0 { problems.append(.init("file", "choose the registry file (unzipped)")) }
            guard let list, let file, problems.isEmpty else { return try compliancePage(session, tenant, Self.errors(problems), status: 422) }
            do {
                let report = try gate.dnc.importFile(tenantID: tenant.id, list: list, path: file.path, fileName: file.fileName,
                                                     changeList: form["kind"] == "changes", actor: "console:\(session.user.email)")
                let rejected = report.rejectedLines.prefix(20).map { "line \($0.line): \($0.reason)" }
                return try compliancePage(session, tenant, ["dncImport": [
                    "list": report.list, "kind": report.kind, "lines": report.lines, "added": report.added, "deleted": report.deleted,
                    "rejected": report.rejected, "areaCodes": report.areaCodes, "size": report.listSize,
                    "rejectedLines": rejected.joined(separator: "\n"), "hasRejected": !rejected.isEmpty,
                ] as [String: Any]])
            } catch CoreError.invalid(let problems) {
                return try compliancePage(session, tenant, Self.errors(problems), status: 422)
            }
        }

        addPage(&router, .POST, "/admin/compliance/dnc", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                let phone = try PhoneNumber.checked(fields["phone"])
                try await gate.dnc.add(tenantID: tenant.id, phone: phone, reason: fields["reason"], channel: "console",
                                       actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/compliance?tenant=\(tenant.name)&notice=dnc_added&phone=\(phone.dropFirst())")
            } catch CoreError.invalid(let problems) {
                return try compliancePage(session, tenant, Self.errors(problems), status: 422)
            }
        }

        addPage(&router, .POST, "/admin/compliance/blackouts", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            do {
                _ = try await gate.blackouts.declare(tenantID: tenant.id, state: fields["state"], startsOn: fields["starts_on"],
                                                     endsOn: (fields["ends_on"] ?? "").isEmpty ? nil : fields["ends_on"],
                                                     reason: fields["reason"], actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/compliance?tenant=\(tenant.name)&notice=blackout_declared")
            } catch CoreError.invalid(let problems) {
                return try compliancePage(session, tenant, Self.errors(problems), status: 422)
            }
        }

        addPage(&router, .POST, "/admin/compliance/blackouts/{id}/lift", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            try await gate.blackouts.lift(tenantID: tenant.id, id: try request.parameter("id"))
            return Pages.redirect("/admin/compliance?tenant=\(tenant.name)&notice=blackout_lifted")
        }
    }

    /// Messages shown after a redirect, by code (the page never echoes text from the address bar as a message).
    static let notices = ["dnc_added": "The number is on the internal do-not-call list.", "blackout_declared": "Blackout declared.",
                          "blackout_lifted": "Blackout lifted."]

    static func errors(_ problems: [CoreError.FieldProblem]) -> [String: Any] {
        ["hasErrors": true, "errors": problems.map { ["field": $0.field, "reason": $0.reason] }]
    }

    /// A POST that changes something: same origin, a live session that may change things, its CSRF token, and the
    /// tenant it acts on.
    func changeRequest(_ request: Request) async throws -> (AdminSessions.Session, FormBody, Tenant) {
        let (session, fields) = try await signedChange(request)
        return (session, fields, try tenant(for: session, named: fields["tenant"]))
    }

    /// `POST path` with a file (a multipart form, spooled to disk as it arrives): the same checks as `changeRequest`,
    /// then `handle`; the upload's files are removed afterwards (move one away to keep it).
    func addUploadPage(_ router: inout Router, _ path: String,
                       _ handle: @escaping @Sendable (AdminSessions.Session, MultipartForm, Tenant) async throws -> Response) {
        addPage(&router, .POST, path, accepts: ["multipart/form-data"], maxBodyBytes: maxUploadBytes, bodyToFile: true) { [self] request in
            try Self.sameOrigin(request)
            guard let session = try await session(request) else { throw HTTPError.unauthorized("sign in again") }
            guard let body = request.bodyFile, let boundary = request.multipartBoundary else {
                throw HTTPError(status: 400, code: "bad_multipart", message: "send the file with the page's form")
            }
            defer { try? FileManager.default.removeItem(atPath: body.path) }
            let form = try MultipartForm.read(path: body.path, boundary: boundary)
            defer { for file in form.files.values { try? FileManager.default.removeItem(atPath: file.path) } }
            try Self.checkCSRF(sent: form["_csrf"], session)
            guard session.user.canChange else { throw HTTPError.forbidden("viewers cannot change anything") }
            return try await handle(session, form, try tenant(for: session, named: form["tenant"]))
        }
    }

    /// The same checks for a change that is not a tenant's (backups).
    func signedChange(_ request: Request) async throws -> (AdminSessions.Session, FormBody) {
        try Self.sameOrigin(request)
        guard let session = try await session(request) else { throw HTTPError.unauthorized("sign in again") }
        try Self.checkCSRF(request, session)
        guard session.user.canChange else { throw HTTPError.forbidden("viewers cannot change anything") }
        return (session, try request.form())
    }

    /// The tenant a page acts on: a tenant user's own; for an operator the named one, or the first.
    func tenant(for session: AdminSessions.Session, named name: String?) throws -> Tenant {
        let all = try tenants.all()
        if let own = session.user.tenantID {
            guard let tenant = all.first(where: { $0.id == own }) else { throw HTTPError.notFound("your tenant no longer exists") }
            return tenant
        }
        if let name, !name.isEmpty {
            guard let tenant = all.first(where: { $0.name == name }) else { throw HTTPError.notFound("no tenant named \(name.prefix(60))") }
            return tenant
        }
        guard let first = all.first else { throw HTTPError.notFound("there is no tenant yet: create one with `leadline tenant create`") }
        return first
    }

    func compliancePage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let lists = try gate.dnc.lists(tenantID: tenant.id)
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/compliance")) { $1 }
        values["internalCount"] = lists.internal.count
        values["federalCount"] = lists.federal.count
        let states = lists.states.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.count)" }
        if !states.isEmpty { values["stateLists"] = "state lists " + states.joined(separator: ", ") }
        values["blackouts"] = try gate.blackouts.current(tenantID: tenant.id).map {
            ["id": $0.id, "state": $0.state ?? "every state", "startsOn": $0.startsOn, "endsOn": $0.endsOn, "reason": $0.reason, "actor": $0.actor]
        }
        values["rulesVersion"] = StateRules.version
        values["rules"] = StateRules.all.map(Self.ruleRow)
        return pages.render("compliance", title: "Compliance", viewer: viewer(session), values, status: status)
    }

    /// What every tenant page shows: the tenant, the CSRF token, whether the user may change things, and for an
    /// operator the tenant chooser (a GET form to `path`).
    func pageBasics(_ session: AdminSessions.Session, _ tenant: Tenant, path: String) throws -> [String: Any] {
        var values: [String: Any] = ["tenant": tenant.name, "csrf": session.csrfToken, "canChange": session.user.canChange, "path": path]
        if session.user.tenantID == nil {
            values["chooseTenant"] = true
            values["tenants"] = try tenants.all().map { ["name": $0.name, "selected": $0.id == tenant.id] }
        }
        return values
    }

    static func ruleRow(_ rule: StateRule) -> [String: Any] {
        func text(_ day: DayRule) -> String { day.withinFederalHours?.description ?? "no calls" }
        let holidays: String = switch rule.hours.holiday {
        case .banned?: "no calls"
        case .window(let window)?: window.description
        case nil: "as usual"
        }
        return ["code": rule.code, "weekday": text(rule.hours.weekday), "saturday": text(rule.hours.saturday), "sunday": text(rule.hours.sunday),
                "holidays": holidays, "cap": rule.caps.map { "\($0.limit) per \($0.hours) h\($0.artificialVoiceOnly ? " (AI)" : "")" }.joined(separator: ", "),
                "stateDNC": rule.stateDNC ? "yes" : "", "recording": rule.allPartyRecording ? "yes" : ""]
    }
}
