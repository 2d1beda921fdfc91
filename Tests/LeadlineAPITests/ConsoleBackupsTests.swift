import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Store
import Testing

/// The console's Backups page: operators take, download and stage the restore of a backup, which the next start applies.
@Suite struct ConsoleBackupsTests {
    @Test func anOperatorBacksUpDownloadsAndRestoresAtTheNextStart() async throws {
        try await blocking { () throws in
            let directory = TemporaryDirectory()
            var app: TestServer? = try TestServer(directory: directory)
            let key = try app!.makeKey()
            let kept = try app!.lead(key: key, phone: "5127310100", firstName: "Kept")
            let browser = ConsoleClient(app: app!)
            let (cookie, csrf) = try browser.signIn("ops@example.com", role: .operator, tenantID: nil, page: "/admin/backups")

            let taken = try browser.post("/admin/backups", "_csrf=\(csrf)", cookie)
            #expect(taken.status == 303)
            let page = try browser.get("/admin/backups", cookie).text
            let name = try #require(page.range(of: #"manual-[0-9TZ]+\.db"#, options: .regularExpression).map { String(page[$0]) })
            #expect(page.contains("by hand"))
            let download = try browser.get("/admin/backups/\(name)/download", cookie)
            #expect(download.status == 200)
            #expect(download.header("Content-Disposition") == "attachment; filename=\"\(name)\"")
            #expect(Array(download.body.prefix(16)) == Array("SQLite format 3\0".utf8))
            #expect(try browser.get("/admin/backups/..%2Fleadline.db/download", cookie).status == 404)

            // After the backup: a lead the restore will take away.
            let lost = try app!.lead(key: key, phone: "5127310101", firstName: "Lost")
            #expect(try browser.post("/admin/backups/\(name)/restore", "_csrf=\(csrf)&confirm=wrong", cookie).status == 422)
            #expect(BackupFolder(databasePath: directory.file("leadline.db")).requestedRestore == nil)
            let staged = try browser.post("/admin/backups/\(name)/restore", "_csrf=\(csrf)&confirm=\(name)", cookie)
            #expect(staged.status == 303)
            #expect(try browser.get(staged.header("Location") ?? "", cookie).text.contains("A restore of \(name) is staged"))

            // The next start (what `serve` does with the lock held, before opening the database) applies it.
            app?.stop()
            app = nil
            let done = try #require(try BackupFolder(databasePath: directory.file("leadline.db")).performRequestedRestore(migrations: Schema.migrations))
            #expect(done.restored.hasSuffix(name))
            #expect(done.saved?.contains("pre-restore-") == true)
            let restarted = try TestServer(directory: directory)
            #expect(try restarted.ezleeds("GET", "/api/v1/leads/\(kept)", key: key).status == 200)
            #expect(try restarted.ezleeds("GET", "/api/v1/leads/\(lost)", key: key).status == 404)
            #expect(BackupFolder(databasePath: directory.file("leadline.db")).requestedRestore == nil)
        }
    }

    @Test func aTenantAdminCannotSeeOrTakeBackups() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            _ = try app.makeKey()
            let tenant = try #require(app.server.tenants.all().first).id
            let name = try BackupFolder(databasePath: app.directory.file("leadline.db")).takeNow(app.server.store)
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/leads")
            #expect(try browser.get("/admin/backups", cookie).status == 403)
            #expect(try browser.get("/admin/backups/\(name)/download", cookie).status == 403)
            #expect(try browser.post("/admin/backups", "_csrf=\(csrf)", cookie).status == 403)
            #expect(!(try browser.get("/admin/leads", cookie).text.contains("/admin/backups")))
        }
    }
}
