import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/imports`: upload a CSV of leads (a plain HTML form; the file is spooled to disk as it arrives, never held
/// in memory), see each import's progress (the page refreshes itself while one runs) and its result, and download the
/// rejected rows with their reasons. Columns are matched by their header names, as `POST /v1/imports` does.
extension Console {
    func registerImports(_ router: inout Router) {
        addTenantPage(&router, path: "/admin/imports", notices: Self.importNotices, render: { [self] in try importsPage($0, $1, $2, status: $3) })

        addPage(&router, .POST, "/admin/imports", accepts: ["multipart/form-data"], maxBodyBytes: maxUploadBytes, bodyToFile: true) { [self] request in
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
            let tenant = try tenant(for: session, named: form["tenant"])
            guard let file = form.files["file"], file.size > 0 else {
                return try importsPage(session, tenant, Self.errors([.init("file", "choose a CSV file")]), status: 422)
            }
            do {
                _ = try await imports.submit(upload: file.path, fileName: file.fileName, tenantID: tenant.id, actor: "console:\(session.user.email)")
                return Pages.redirect("/admin/imports?tenant=\(tenant.name)&notice=started")
            } catch CoreError.invalid(let problems) {
                return try importsPage(session, tenant, Self.errors(problems), status: 422)
            }
        }

        addPage(&router, .GET, "/admin/imports/{id}/rejects") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let tenant = try tenant(for: session, named: request.query["tenant"])
            let id = try request.parameter("id")
            var csv = LeadImport.Reject.csvHeader
            for reject in try imports.rejects(tenantID: tenant.id, id: id) { csv += reject.csvLine }
            var response = Response.text(csv, contentType: "text/csv; charset=utf-8")
            response.headers.set("Content-Disposition", "attachment; filename=\"\(id)-rejects.csv\"")
            Pages.secure(&response)
            return response
        }
    }

    static let importNotices = ["started": "Import started: it runs in the background; this page follows its progress."]

    func importsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/imports")) { $1 }
        let jobs = try imports.list(tenantID: tenant.id, limit: 50)
        values["imports"] = jobs.map { job -> [String: Any] in
            ["id": job.id, "file": job.fileName, "status": job.status.rawValue, "percent": Int((job.fractionDone * 100).rounded(.down)),
             "rows": job.rows, "created": job.created, "duplicate": job.duplicate, "rejected": job.rejected, "hasRejects": job.rejected > 0,
             "error": job.error ?? "", "at": job.createdAt, "by": job.actor]
        }
        values["running"] = jobs.contains { $0.status == .queued || $0.status == .running }
        values["columns"] = LeadImport.Field.allCases.map { ["field": $0.names.first ?? "", "aliases": $0.names.dropFirst().joined(separator: ", ")] }
        return pages.render("imports", title: "Imports", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let imports = """
        {{<layout}}
        {{$head}}{{#running}}<meta http-equiv="refresh" content="3">{{/running}}{{/head}}
        {{$content}}
        <h1>Imports</h1>
        {{>pageHead}}
        {{#canChange}}
        <section class="card">
          <h2>Import a CSV of leads</h2>
          <form method="post" action="/admin/imports" enctype="multipart/form-data">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="i-file">CSV file (first row: column names)</label>
            <input id="i-file" name="file" type="file" accept=".csv,text/csv" required>
            <button type="submit">Upload and import</button>
          </form>
          <details><summary>Columns it reads</summary>
            <table class="dense"><tbody>{{#columns}}<tr><th scope="row"><code>{{field}}</code></th><td>{{aliases}}</td></tr>{{/columns}}</tbody></table>
            <p class="scope">A phone column is required. Rows that repeat a recent lead are counted as duplicates; rows that fail a check are rejected with the reason.</p>
          </details>
        </section>
        {{/canChange}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">File</th><th scope="col">Started</th><th scope="col">Progress</th><th scope="col">Rows</th><th scope="col">New</th><th scope="col">Duplicates</th><th scope="col">Rejected</th></tr></thead>
            <tbody>
            {{#imports}}<tr><th scope="row">{{file}}<br><small>{{id}} · {{by}}</small></th><td>{{at}}</td>
              <td><progress max="100" value="{{percent}}" aria-label="{{file}}: {{percent}}%">{{percent}}%</progress> {{status}}{{#error}}<br><span class="error">{{error}}</span>{{/error}}</td>
              <td>{{rows}}</td><td>{{created}}</td><td>{{duplicate}}</td>
              <td>{{rejected}}{{#hasRejects}} <a href="/admin/imports/{{id}}/rejects?tenant={{tenant}}" download>download</a>{{/hasRejects}}</td></tr>
            {{/imports}}
            {{^imports}}<tr><td colspan="7">No imports yet.</td></tr>{{/imports}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
