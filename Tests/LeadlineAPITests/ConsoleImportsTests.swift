import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The console's CSV import: a browser's multipart upload, the import in the background, its report and rejects.
@Suite struct ConsoleImportsTests {
    static func multipart(_ boundary: String, csrf: String, fileName: String, csv: String) -> [UInt8] {
        Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n"
               + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
               + "--\(boundary)--\r\n").utf8)
    }

    @Test func anUploadedCSVIsImportedAndItsRejectsDownloaded() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/imports")
            let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
            let csv = "phone,first_name,state\n5127310100,<b>Ann</b>,TX\n5127310100,Ann,TX\n123,Bad,TX\n"
            func upload(_ body: [UInt8]) throws -> HTTPConnection.Reply {
                try app.request("POST", "/admin/imports", headers: ["Cookie": "\(Console.cookieName)=\(cookie)",
                                                                    "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
            }
            // Without the CSRF token, or without a phone column, nothing is imported.
            #expect(try upload(Self.multipart(boundary, csrf: "stale", fileName: "leads.csv", csv: csv)).status == 403)
            let noPhone = try upload(Self.multipart(boundary, csrf: csrf, fileName: "leads.csv", csv: "name\nAnn\n"))
            #expect(noPhone.status == 422 && noPhone.text.contains("no phone column"))

            let started = try upload(Self.multipart(boundary, csrf: csrf, fileName: "spring leads.csv", csv: csv))
            #expect(started.status == 303)
            let queued = try #require((try app.request("GET", "/v1/imports", headers: ["Authorization": "Bearer \(key)"]).json()["imports"] as? [[String: Any]])?.first)
            let job = try awaitImport(app.port, try #require(queued["id"] as? String), key: key)
            #expect(job["status"] as? String == "done")
            #expect(job["created"] as? Int == 1 && job["duplicate"] as? Int == 1 && job["rejected"] as? Int == 1)

            let page = try browser.get("/admin/imports", cookie).text
            #expect(page.contains("spring leads.csv") && page.contains("<progress max=\"100\" value=\"100\""))
            #expect(!page.contains("http-equiv=\"refresh\""), "nothing runs: no refresh")
            let id = try #require(job["id"] as? String)
            let rejects = try browser.get("/admin/imports/\(id)/rejects", cookie)
            #expect(rejects.header("Content-Disposition") == "attachment; filename=\"\(id)-rejects.csv\"")
            #expect(rejects.text.hasPrefix("row,reasons\n4,\"phone: "), "\(rejects.text)")
            // The lead's name arrives as it was typed, and the console shows it escaped.
            #expect(try browser.get("/admin/leads", cookie).text.contains("&lt;b&gt;Ann&lt;/b&gt;"))
        }
    }
}
