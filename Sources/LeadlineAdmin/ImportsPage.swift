import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/imports`: upload a CSV of leads (a plain HTML form; the file is spooled to disk as it arrives, never held
/// in memory), choose which column holds which field (the columns whose header names a field come chosen, as
/// `POST /v1/imports` reads them), see each import's progress (the page refreshes itself while one runs) and its
/// result, and download the rejected rows with their reasons.
extension Console {
    func registerImports(_ router: inout Router) {
        addTenantPage(&router, path: "/admin/imports", notices: Self.importNotices, render: { [self] in try importsPage($0, $1, $2, status: $3) })

        addUploadPage(&router, "/admin/imports") { [self] session, form, tenant in
            guard let file = form.files["file"], file.size > 0 else {
                return try importsPage(session, tenant, Self.errors([.init("file", "choose a CSV file")]), status: 422)
            }
            do {
                let staged = try imports.stage(upload: file.path, tenantID: tenant.id)
                let chosen = LeadImport.recognisedColumns(staged.header)
                return try columnsPage(session, tenant, staged, fileName: file.fileName, chosen: chosen, [:])
            } catch CoreError.invalid(let problems) {
                return try importsPage(session, tenant, Self.errors(problems), status: 422)
            }
        }

        addPage(&router, .POST, "/admin/imports/columns", accepts: ["application/x-www-form-urlencoded"]) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let staged = try imports.staged(token: fields["token"] ?? "", tenantID: tenant.id)
            let fileName = fields["file_name"] ?? "upload.csv"
            var chosen: [LeadImport.Field: Int] = [:]
            var problems: [CoreError.FieldProblem] = []
            for index in staged.header.indices {
                guard let name = fields["column_\(index)"], !name.isEmpty else { continue }
                guard let field = LeadImport.Field(rawValue: name) else { problems.append(.init("column \(index + 1)", "is not a lead field")); continue }
                if let other = chosen[field] {
                    problems.append(.init(field.label, "is chosen for columns \(other + 1) and \(index + 1); choose one"))
                } else {
                    chosen[field] = index
                }
            }
            do {
                if !problems.isEmpty { throw CoreError.invalid(problems) }
                _ = try await imports.submit(staged: staged.token, fileName: fileName, tenantID: tenant.id, actor: "console:\(session.user.email)",
                                             columns: chosen)
                return Pages.redirect("/admin/imports?tenant=\(tenant.name)&notice=started")
            } catch CoreError.invalid(let found) {
                return try columnsPage(session, tenant, staged, fileName: fileName, chosen: chosen, Self.errors(found), status: 422)
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

    /// The staged upload's columns, each with its first values and the field it fills.
    func columnsPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ staged: ImportJobs.StagedUpload, fileName: String,
                     chosen: [LeadImport.Field: Int], _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/imports")) { $1 }
        values["token"] = staged.token
        values["fileName"] = fileName
        values["columns"] = staged.header.enumerated().map { index, name -> [String: Any] in
            let field = chosen.first { $0.value == index }?.key
            return ["index": index, "number": index + 1, "name": name.isEmpty ? "(no name)" : name,
                    "samples": staged.samples.compactMap { $0.indices.contains(index) ? $0[index] : nil }.filter { !$0.isEmpty }.joined(separator: " · "),
                    "ignored": field == nil,
                    "fields": LeadImport.Field.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == field] }]
        }
        return pages.render("importColumns", title: "Choose the columns", viewer: viewer(session), values, status: status)
    }

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
            <button type="submit">Upload and choose the columns</button>
          </form>
          <details><summary>Columns it reads</summary>
            <table class="dense"><tbody>{{#columns}}<tr><th scope="row"><code>{{field}}</code></th><td>{{aliases}}</td></tr>{{/columns}}</tbody></table>
            <p class="scope">A phone column is required. Columns with these names come chosen; you can change any before the import starts.
            Rows that repeat a recent lead are counted as duplicates; rows that fail a check are rejected with the reason.</p>
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

extension Templates {
    static let importColumns = """
        {{<layout}}
        {{$content}}
        <p><a href="/admin/imports?tenant={{tenant}}">← Imports</a></p>
        <h1>Choose the columns of {{fileName}}</h1>
        {{>pageHead}}
        <section class="card">
          <form method="post" action="/admin/imports/columns">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <input type="hidden" name="token" value="{{token}}">
            <input type="hidden" name="file_name" value="{{fileName}}">
            <table class="dense">
              <thead><tr><th scope="col">Column</th><th scope="col">First values</th><th scope="col">Fills</th></tr></thead>
              <tbody>
              {{#columns}}<tr><th scope="row">{{number}}. {{name}}</th><td>{{samples}}</td>
                <td><select name="column_{{index}}" aria-label="Column {{number}} fills">
                  <option value=""{{#ignored}} selected{{/ignored}}>(not imported)</option>
                  {{#fields}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/fields}}
                </select></td></tr>
              {{/columns}}
              </tbody>
            </table>
            <p class="scope">Each row goes through the same checks as a lead sent to the API. A phone column is required.</p>
            <button type="submit">Import</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """
}
