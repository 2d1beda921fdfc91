import Foundation
import HTTPServer
import LeadlineCore
import Store

/// `/admin/backups`, for operators only (a backup holds every tenant): the backups beside the database, taking one
/// now, downloading one, and staging a restore. A running server cannot swap its database under its own requests, so
/// a restore is staged and happens at the next start, before the database is opened, after the database as it was is
/// saved as a backup of its own.
extension Console {
    func registerBackups(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addPage(&router, .GET, "/admin/backups") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            try Self.requireOperator(session)
            var values: [String: Any] = [:]
            values["notice"] = request.query["notice"].flatMap { Self.backupNotices[$0] }
            return try backupsPage(session, values)
        }

        addPage(&router, .GET, "/admin/backups/{name}/download") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            try Self.requireOperator(session)
            let name = try request.parameter("name")
            guard let path = try backupFolder.path(of: name) else { throw HTTPError.notFound("no backup named \(name.prefix(80))") }
            var response = Response(status: 200, body: .file(path: path))
            response.headers.set("Content-Type", "application/vnd.sqlite3")
            response.headers.set("Content-Disposition", "attachment; filename=\"\(name)\"")
            Pages.secure(&response)
            return response
        }

        addPage(&router, .POST, "/admin/backups", accepts: form) { [self] request in
            let (session, _) = try await signedChange(request)
            try Self.requireOperator(session)
            let folder = backupFolder, store = store
            _ = try await onOwnThread { try folder.takeNow(store) }
            return Pages.redirect("/admin/backups?notice=taken")
        }

        addPage(&router, .POST, "/admin/backups/{name}/restore", accepts: form) { [self] request in
            let (session, fields) = try await signedChange(request)
            try Self.requireOperator(session)
            let name = try request.parameter("name")
            guard fields["confirm"] == name else {
                return try backupsPage(session, Self.errors([.init("confirm", "type the backup's name to confirm the restore")]), status: 422)
            }
            do {
                try backupFolder.requestRestore(name, migrations: Schema.migrations)
            } catch let problem as StoreError {
                return try backupsPage(session, Self.errors([.init("backup", problem.description)]), status: 422)
            }
            return Pages.redirect("/admin/backups?notice=staged")
        }

        addPage(&router, .POST, "/admin/backups/restore/cancel", accepts: form) { [self] request in
            let (session, _) = try await signedChange(request)
            try Self.requireOperator(session)
            backupFolder.cancelRestore()
            return Pages.redirect("/admin/backups?notice=cancelled")
        }
    }

    static let backupNotices = ["taken": "Backup taken.", "cancelled": "The staged restore is cancelled.",
                                "staged": "Restore staged: restart the service (systemctl restart leadline) to apply it. The database as it is now is saved first."]

    var backupFolder: BackupFolder { BackupFolder(databasePath: store.path) }

    static func requireOperator(_ session: AdminSessions.Session) throws {
        guard session.user.role == .operator else { throw HTTPError.forbidden("backups hold every tenant's data: operators only") }
    }

    func backupsPage(_ session: AdminSessions.Session, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values["csrf"] = session.csrfToken
        values["folder"] = try backupFolder.folder
        values["staged"] = backupFolder.requestedRestore ?? ""
        let formatter = ByteCountFormatter()
        values["backups"] = try backupFolder.list().map {
            ["name": $0.name, "size": formatter.string(fromByteCount: Int64($0.bytes)), "modified": Timestamp.format($0.modified),
             "kind": $0.name.hasPrefix("manual-") ? "by hand" : $0.name.hasPrefix("pre-restore-") ? "before a restore" : "scheduled"]
        }
        return pages.render("backups", title: "Backups", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let backups = """
        {{<layout}}
        {{$content}}
        <h1>Backups</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#hasErrors}}<ul class="error" role="alert">{{#errors}}<li>{{field}}: {{reason}}</li>{{/errors}}</ul>{{/hasErrors}}
        {{#staged}}
        <section class="card" role="alert">
          <p><strong>A restore of {{staged}} is staged.</strong> It happens when the service next starts.</p>
          <form method="post" action="/admin/backups/restore/cancel"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Cancel the restore</button></form>
        </section>
        {{/staged}}
        <section class="card">
          <form method="post" action="/admin/backups"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Back up now</button></form>
          <table class="dense">
            <thead><tr><th scope="col">Backup</th><th scope="col">Taken</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
            {{#backups}}<tr><th scope="row"><a href="/admin/backups/{{name}}/download" download>{{name}}</a></th><td>{{modified}}</td><td>{{kind}}</td><td>{{size}}</td>
              <td><details class="confirm"><summary>Restore…</summary><form method="post" action="/admin/backups/{{name}}/restore"><input type="hidden" name="_csrf" value="{{csrf}}">
                <p>Everything after this backup is lost when the service restarts (the database as it is now is kept as a backup first).</p>
                <label for="confirm-{{name}}">Type <code>{{name}}</code> to confirm</label><input id="confirm-{{name}}" name="confirm" type="text" required autocomplete="off">
                <button type="submit" class="danger">Stage the restore</button></form></details></td></tr>
            {{/backups}}
            {{^backups}}<tr><td colspan="5">No backups yet.</td></tr>{{/backups}}
            </tbody>
          </table>
          <p class="scope">In {{folder}}. Scheduled backups: <code>leadline serve --backup-every 6h --backup-keep 7</code>.</p>
        </section>
        {{/content}}
        {{/layout}}
        """
}
