import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Testing

/// CSV rows: consented leads with unique phones, every `badEvery`-th row unusable, and the first row repeated at the end.
func importCSV(rows: Int, badEvery: Int, offset: Int = 0) -> [UInt8] {
    var text = "Phone Number,First Name,State,Opt-In Date,Consent Language,Landing Page\n"
    for index in 0..<rows {
        if index % badEvery == badEvery - 1 { text += "12\(index),Bad,ZZ,,,\n"; continue }
        text += "(702) \(String(format: "%03d", 100 + (offset + index) / 10_000))-\(String(format: "%04d", (offset + index) % 10_000)),"
            + "P\(index),NV,2026-07-20T10:00:00Z,\"I agree, by automated calls too\",https://example.com/q\n"
    }
    text += "(702) 100-\(String(format: "%04d", offset % 10_000)),Again,NV,2026-07-20T10:00:00Z,I agree,https://example.com/q\n"
    return Array(text.utf8)
}

/// Polls an import until it ends (for up to two minutes: the whole suite shares two cores with it).
func awaitImport(_ port: UInt16, _ id: String, key: String) throws -> [String: Any] {
    for _ in 0..<12_000 {
        let job = try http(port, "GET", "/v1/imports/\(id)", headers: ["Authorization": "Bearer \(key)"]).json()
        if job["status"] as? String == "done" || job["status"] as? String == "failed" { return job }
        usleep(10_000)
    }
    Issue.record("import \(id) did not end")
    return [:]
}

@Suite struct ImportsAPITests {
    let app: TestServer
    let key: String

    init() throws {
        app = try TestServer()
        key = try app.makeKey(scopes: [.read, .write])
    }

    func upload(_ body: [UInt8], contentType: String = "text/csv", name: String = "may.csv", key: String? = nil) throws -> HTTPConnection.Reply {
        try app.request("POST", "/v1/imports?file_name=\(name)",
                        headers: ["Authorization": "Bearer \(key ?? self.key)", "Content-Type": contentType], body: body)
    }

    @Test func anUploadIsImportedInTheBackgroundWithProgressAndRejects() async throws {
        try await blocking { [self] () throws in
            let accepted = try upload(importCSV(rows: 1_200, badEvery: 50))
            #expect(accepted.status == 202)
            let job = try accepted.json()
            let id = try #require(job["id"] as? String)
            #expect(id.hasPrefix("imp_"))
            #expect(accepted.header("Location") == "/v1/imports/\(id)")
            #expect(job["file_name"] as? String == "may.csv")
            #expect(job["error"] is NSNull)

            let ended = try awaitImport(app.port, id, key: key)
            #expect(ended["status"] as? String == "done")
            #expect(ended["rows"] as? Int == 1_201)
            #expect(ended["created"] as? Int == 1_176)
            #expect(ended["rejected"] as? Int == 24)
            #expect(ended["duplicate"] as? Int == 1)
            #expect(ended["progress"] as? Double == 1)
            #expect(ended["bytes_done"] as? Int == ended["bytes"] as? Int)
            #expect(ended["finished_at"] is String)

            let rejects = try app.request("GET", "/v1/imports/\(id)/rejects", headers: ["Authorization": "Bearer \(key)"])
            #expect(rejects.status == 200)
            #expect(rejects.header("Content-Type")?.hasPrefix("text/csv") == true)
            let lines = rejects.text.split(separator: "\n")
            #expect(lines.first == "row,reasons")
            #expect(lines.count == 25)
            #expect(lines[1].hasPrefix("51,\"phone:"))

            // The leads went through the one intake: consent certificates, the lead2inbound list.
            let leads = try app.request("GET", "/v1/leads?limit=500", headers: ["Authorization": "Bearer \(key)"]).json()
            #expect((leads["leads"] as? [[String: Any]])?.first?["status"] as? String == "new")
            #expect(try app.server.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM consent_certificates") } == 1_176)

            let list = try app.request("GET", "/v1/imports", headers: ["Authorization": "Bearer \(key)"]).json()
            #expect((list["imports"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
    }
    }

    @Test func badUploadsAreRefusedWithReasonsAndTenantsAreKeptApart() async throws {
        try await blocking { [self] () throws in
            let noPhone = try upload(Array("name,email\nPat,p@example.com\n".utf8))
            #expect(noPhone.status == 422)
            #expect(noPhone.fields.contains("header"))
            let empty = try upload([])
            #expect(empty.status == 422)
            #expect(empty.fields.contains("body"))
            #expect(try upload(Array("phone\n7025550100\n".utf8), contentType: "application/json").status == 415)
            let reader = try app.makeKey(scopes: [.read])
            #expect(try upload(Array("phone\n7025550100\n".utf8), key: reader).status == 403)
            let unterminated = try upload(Array("phone,first_name\n\"7025550100,Pat\n".utf8))
            #expect(unterminated.status == 202)
            let failed = try awaitImport(app.port, try #require(try unterminated.json()["id"] as? String), key: key)
            #expect(failed["status"] as? String == "failed")
            #expect((failed["error"] as? String)?.contains("never ends") == true)

            let accepted = try upload(Array("phone\n7025550100\n".utf8)).json()
            let id = try #require(accepted["id"] as? String)
            let other = try app.makeKey(tenant: "other", scopes: [.read, .write])
            #expect(try app.request("GET", "/v1/imports/\(id)", headers: ["Authorization": "Bearer \(other)"]).status == 404)
            #expect(try app.request("GET", "/v1/imports/\(id)/rejects", headers: ["Authorization": "Bearer \(other)"]).status == 404)
            #expect(try app.request("GET", "/v1/imports", headers: ["Authorization": "Bearer \(other)"]).json()["imports"] as? [Any] != nil)
            #expect((try app.request("GET", "/v1/imports", headers: ["Authorization": "Bearer \(other)"]).json()["imports"] as? [Any])?.isEmpty == true)
            // The accepted upload runs to its end before the server stops: a stop waits for a running import, and this
            // suite's server stops on a thread of Swift's shared pool, which the import needs to finish.
            #expect(try awaitImport(app.port, id, key: key)["status"] as? String == "done")
    }
    }

    @Test func anUploadWithoutAGoodKeyIsRefusedBeforeItsBodyIsRead() async throws {
        try await blocking { [self] () throws in
            let reader = try app.makeKey(scopes: [.read])
            for (auth, status) in [(nil, 401), ("Bearer ll_nope", 401), ("Bearer \(reader)", 403)] as [(String?, Int)] {
                // Headers announcing 100 MB, and no body sent: the answer comes anyway, from the headers alone.
                let connection = try HTTPConnection(port: app.port)
                var head = "POST /v1/imports HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 100000000\r\n"
                if let auth { head += "Authorization: \(auth)\r\n" }
                try connection.sendRaw(Array((head + "\r\n").utf8))
                #expect(try connection.readReply().status == status)
            }
            let spooled = try FileManager.default.contentsOfDirectory(atPath: app.directory.file("leadline.db.imports"))
            #expect(spooled.isEmpty, "nothing was written to disk: \(spooled)")
    }
    }

    @Test func anImportInterruptedByARestartFinishesAfterIt() async throws {
        try await blocking { [self] () throws in
            let id = try #require(try upload(importCSV(rows: 6_000, badEvery: 100)).json()["id"] as? String)
            // Stop at once: the import is queued or part way; the next server carries on from its last committed batch.
            app.stop()
            var options = ServeOptions(databasePath: app.directory.file("leadline.db"))
            options.listen = "127.0.0.1:0"
            options.clock = app.clock
            let again = try LeadlineServer(options)
            try again.start()
            defer { again.stop() }
            let ended = try awaitImport(again.port, id, key: key)
            #expect(ended["status"] as? String == "done")
            #expect(ended["rows"] as? Int == 6_001)
            #expect(ended["created"] as? Int == 5_940 && ended["rejected"] as? Int == 60 && ended["duplicate"] as? Int == 1,
                    "no row is imported twice across the restart")
            #expect(try again.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 5_940)
            // The job is marked done first (a crash after that must not run it again), then its upload is deleted.
            var uploads = try FileManager.default.contentsOfDirectory(atPath: app.directory.file("leadline.db.imports"))
            for _ in 0..<1_000 where !uploads.isEmpty {
                usleep(10_000)
                uploads = try FileManager.default.contentsOfDirectory(atPath: app.directory.file("leadline.db.imports"))
            }
            #expect(uploads.isEmpty, "the kept upload is deleted once imported: \(uploads)")
    }
    }
}
