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
            // Column names no alias knows: the admin says which column is the phone.
            let csv = "Cell No.,Given Name,ST,Comments\n5127310100,<b>Ann</b>,TX,first\n5127310100,Ann,TX,again\n123,Bad,TX,short\n"
            func upload(_ body: [UInt8]) throws -> HTTPConnection.Reply {
                try app.request("POST", "/admin/imports", headers: ["Cookie": "\(Console.cookieName)=\(cookie)",
                                                                    "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
            }
            // Without the CSRF token, or with an empty file, nothing is kept.
            #expect(try upload(Self.multipart(boundary, csrf: "stale", fileName: "leads.csv", csv: csv)).status == 403)
            #expect(try upload(Self.multipart(boundary, csrf: csrf, fileName: "leads.csv", csv: "")).status == 422)

            let columns = try upload(Self.multipart(boundary, csrf: csrf, fileName: "spring leads.csv", csv: csv))
            #expect(columns.status == 200)
            #expect(columns.text.contains("Choose the columns of spring leads.csv"))
            #expect(columns.text.contains("1. Cell No.") && columns.text.contains("5127310100 · 5127310100 · 123"), "each column with its first values")
            #expect(columns.text.contains("<option value=\"firstName\" selected>First name</option>"), "a known name comes chosen")
            #expect(columns.text.contains("<option value=\"state\" selected>State</option>"))
            let token = try #require(columns.text.range(of: #"name="token" value="[0-9a-f]{32}""#, options: .regularExpression)
                .map { String(columns.text[$0].dropLast().suffix(32)) })
            func choose(_ form: String) throws -> HTTPConnection.Reply {
                try browser.post("/admin/imports/columns", "_csrf=\(csrf)&token=\(token)&file_name=spring+leads.csv&" + form, cookie)
            }
            let noPhone = try choose("column_1=firstName&column_2=state&column_3=")
            #expect(noPhone.status == 422 && noPhone.text.contains("phone: choose the column that holds the phone number"))
            let twice = try choose("column_0=phone&column_1=firstName&column_2=firstName")
            #expect(twice.status == 422 && twice.text.contains("First name: is chosen for columns 2 and 3"))
            #expect(try browser.post("/admin/imports/columns", "_csrf=\(csrf)&token=\(String(repeating: "0", count: 32))&column_0=phone", cookie).status == 404)
            #expect((try app.request("GET", "/v1/imports", headers: ["Authorization": "Bearer \(key)"]).json()["imports"] as? [Any])?.isEmpty == true)

            let started = try choose("column_0=phone&column_1=firstName&column_2=state&column_3=")
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
