import Foundation
import HTTPServer
import LeadlineTesting
import Testing

@Suite struct RoutingTests {
    let raw: RawServer

    init() throws {
        raw = try RawServer { router in
            router.add(.GET, "/things/{id}") { request in try .json(["id": request.parameter("id")]) }
            router.add(.POST, "/things") { request in
                struct Thing: Decodable { let name: String; let count: Int }
                let thing = try request.decode(Thing.self)
                return try .json(["name": thing.name, "count": String(thing.count)], status: 201)
            }
            router.add(.GET, "/api/list/") { _ in .text("list") }
            router.add(.GET, "/boom") { _ in throw CocoaError(.fileNoSuchFile) }
            router.add(.GET, "/query") { request in try .json(request.query) }
        }
    }

    @Test func pathParameterIsCaptured() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "GET", "/things/abc-123")
            #expect(reply.status == 200)
            #expect(try reply.json()["id"] as? String == "abc-123")
    }
    }

    @Test func unknownPathIs404InTheErrorShape() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "GET", "/nothing/here")
            #expect(reply.status == 404)
            let error = try #require(try reply.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "not_found")
            #expect(error["message"] as? String != nil)
            #expect(error["fields"] as? [Any] != nil)
    }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "DELETE", "/things/1")
            #expect(reply.status == 405)
            #expect(reply.header("Allow") == "GET, HEAD")
            #expect(reply.errorCode == "method_not_allowed")
    }
    }

    @Test func trailingSlashIsNotSignificant() async throws {
        try await blocking { [self] () throws in
            #expect(try http(raw.port, "GET", "/api/list").text == "list")
            #expect(try http(raw.port, "GET", "/api/list/").text == "list")
    }
    }

    @Test func headIsAnsweredLikeGetWithoutBody() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "HEAD", "/things/7")
            #expect(reply.status == 200)
            #expect(reply.body.isEmpty)
    }
    }

    @Test func queryStringIsDecoded() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "GET", "/query?caller_id=%2B15551234567&payout=38.50")
            let json = try reply.json()
            #expect(json["caller_id"] as? String == "+15551234567")
            #expect(json["payout"] as? String == "38.50")
    }
    }

    @Test func unexpectedErrorIs500WithoutDetails() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "GET", "/boom")
            #expect(reply.status == 500)
            #expect(reply.errorCode == "internal_error")
            #expect(!reply.text.contains("fileNoSuchFile"))
    }
    }

    @Test func requestIDIsGeneratedOrEchoed() async throws {
        try await blocking { [self] () throws in
            let generated = try http(raw.port, "GET", "/things/1")
            #expect(generated.header("X-Request-Id")?.hasPrefix("req_") == true)
            let echoed = try http(raw.port, "GET", "/things/1", headers: ["X-Request-Id": "abc-42"])
            #expect(echoed.header("X-Request-Id") == "abc-42")
            let refused = try http(raw.port, "GET", "/things/1", headers: ["X-Request-Id": "bad id<script>"])
            #expect(refused.header("X-Request-Id")?.hasPrefix("req_") == true)
    }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await blocking { [self] () throws in
            let connection = try HTTPConnection(port: raw.port)
            for i in 0..<5 {
                let reply = try connection.request("GET", "/things/\(i)")
                #expect(reply.status == 200)
                #expect(reply.header("Connection")?.lowercased() != "close")
            }
            let post = try connection.request("POST", "/things", headers: ["Content-Type": "application/json"],
                                              body: jsonBody(["name": "a", "count": 2]))
            #expect(post.status == 201)
            #expect(try connection.request("GET", "/things/after").status == 200)
    }
    }
}

@Suite struct BodyTests {
    let raw: RawServer

    init() throws {
        raw = try RawServer(maxBodyBytes: 1024) { router in
            router.add(.POST, "/things") { request in
                struct Thing: Decodable { let name: String; let count: Int; let tags: [String]? }
                let thing = try request.decode(Thing.self)
                return try .json(["name": thing.name], status: 201)
            }
            router.add(.POST, "/upload", maxBodyBytes: 8192, accepts: ["text/csv"]) { request in
                .text("got \(request.body.count)")
            }
        }
    }

    func post(_ body: [UInt8], contentType: String? = "application/json", path: String = "/things") throws -> HTTPConnection.Reply {
        try http(raw.port, "POST", path, headers: contentType.map { ["Content-Type": $0] } ?? [:], body: body)
    }

    @Test func malformedJSONIs400NamingTheProblem() async throws {
        try await blocking { [self] () throws in
            let reply = try post(Array(#"{"name": "a", "count": }"#.utf8))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "malformed_json")
            let message = try #require(((try reply.json()["error"]) as? [String: Any])?["message"] as? String)
            #expect(message.hasPrefix("malformed JSON"))
    }
    }

    @Test func emptyBodyIs400() async throws {
        try await blocking { [self] () throws in
            let reply = try post([])
            #expect(reply.status == 400)
            #expect(reply.errorCode == "malformed_json")
    }
    }

    @Test func wrongTypeAndMissingFieldAre422WithFieldNames() async throws {
        try await blocking { [self] () throws in
            let wrong = try post(jsonBody(["name": "a", "count": "three"]))
            #expect(wrong.status == 422)
            let fields = try #require(((try wrong.json()["error"]) as? [String: Any])?["fields"] as? [[String: String]])
            #expect(fields.first?["field"] == "count")
            #expect(fields.first?["reason"] == "must be an integer")

            let missing = try post(jsonBody(["count": 3]))
            #expect(missing.status == 422)
            let missingFields = try #require(((try missing.json()["error"]) as? [String: Any])?["fields"] as? [[String: String]])
            #expect(missingFields.first?["field"] == "name")
            #expect(missingFields.first?["reason"] == "is required")

            let nested = try post(jsonBody(["name": "a", "count": 1, "tags": ["x", 5]]))
            #expect(nested.status == 422)
            #expect(nested.text.contains("tags[1]"))
    }
    }

    @Test func notAnObjectIsRefused() async throws {
        try await blocking { [self] () throws in
            let reply = try post(Array("[1,2,3]".utf8))
            #expect(reply.status == 400)
    }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await blocking { [self] () throws in
            let reply = try post(jsonBody(["name": "a", "count": 1]), contentType: "text/plain")
            #expect(reply.status == 415)
            #expect(reply.errorCode == "unsupported_media_type")
            let none = try post(jsonBody(["name": "a", "count": 1]), contentType: nil)
            #expect(none.status == 415)
            let withCharset = try post(jsonBody(["name": "a", "count": 1]), contentType: "application/json; charset=utf-8")
            #expect(withCharset.status == 201)
    }
    }

    @Test func declaredLengthOverTheLimitIs413() async throws {
        try await blocking { [self] () throws in
            let reply = try post(Array(repeating: UInt8(ascii: " "), count: 5000))
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
    }
    }

    @Test func chunkedBodyOverTheLimitIs413AndConnectionStaysUsable() async throws {
        try await blocking { [self] () throws in
            let connection = try HTTPConnection(port: raw.port)
            var raw = Array("POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for _ in 0..<4 {
                let chunk = Array(repeating: UInt8(ascii: " "), count: 500)
                raw += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
            }
            raw += Array("0\r\n\r\n".utf8)
            try connection.sendRaw(raw)
            let reply = try connection.readReply()
            #expect(reply.status == 413)
            #expect(try connection.request("POST", "/things", headers: ["Content-Type": "application/json"],
                                           body: jsonBody(["name": "ok", "count": 1])).status == 201)
    }
    }

    @Test func uploadRoutesTakeTheirOwnLimitAndType() async throws {
        try await blocking { [self] () throws in
            let csv = Array(repeating: UInt8(ascii: "a"), count: 6000)
            let reply = try post(csv, contentType: "text/csv", path: "/upload")
            #expect(reply.status == 200)
            #expect(reply.text == "got 6000")
            #expect(try post(Array(repeating: UInt8(ascii: "a"), count: 9000), contentType: "text/csv", path: "/upload").status == 413)
            #expect(try post(csv, contentType: "application/json", path: "/upload").status == 415)
    }
    }

    @Test func garbageBytesNeverCrashTheServer() async throws {
        try await blocking { [self] () throws in
            for body in [[0xff, 0xfe, 0x00, 0x7b] as [UInt8], Array(String(repeating: "[", count: 900).utf8), [0x00],
                         Array(#"{"name":"\u0000","count":99999999999999999999999}"#.utf8)] {
                let reply = try post(body)
                #expect((400..<500).contains(reply.status), "status \(reply.status) for \(body.prefix(8))")
            }
            #expect(try post(jsonBody(["name": "still", "count": 1])).status == 201)
    }
    }
}

@Suite struct BodyToFileTests {
    let folder = TemporaryDirectory()
    let raw: RawServer

    init() throws {
        let kept = folder.file("kept.csv")
        raw = try RawServer(maxBodyBytes: 1024, uploadDirectory: folder.path) { router in
            // Reads the spooled file back; the server deletes it after the answer.
            router.addAsync(.POST, "/spool", maxBodyBytes: 1 << 20, accepts: ["text/csv"], bodyToFile: true) { request in
                guard let file = request.bodyFile else { return .text("no file", status: 500) }
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path)))
                let pattern = bytes.enumerated().allSatisfy { $0.element == UInt8(ascii: "a") + UInt8($0.offset % 26) }
                return .text("\(file.size) \(bytes.count) \(pattern) \(request.body.isEmpty)")
            }
            // Takes the file over by moving it.
            router.addAsync(.POST, "/keep", maxBodyBytes: 1 << 20, accepts: ["text/csv"], bodyToFile: true) { request in
                try FileManager.default.moveItem(atPath: request.bodyFile!.path, toPath: kept)
                return .text("kept")
            }
        }
    }

    func uploads() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload-") }
    }

    @Test func largeBodyGoesToAFileThatIsDeletedAfterTheAnswer() async throws {
        try await blocking { [self] () throws in
            let body = (0..<600_000).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let reply = try http(raw.port, "POST", "/spool", headers: ["Content-Type": "text/csv"], body: body)
            #expect(reply.status == 200)
            #expect(reply.text == "600000 600000 true true")
            // The completion notice may come a moment after the answer.
            for _ in 0..<200 where try !uploads().isEmpty { usleep(5000) }
            #expect(try uploads().isEmpty)
    }
    }

    @Test func aHandlerCanKeepTheFileAndOversizedUploadsLeaveNothing() async throws {
        try await blocking { [self] () throws in
            let reply = try http(raw.port, "POST", "/keep", headers: ["Content-Type": "text/csv"], body: Array("phone\n5551234567\n".utf8))
            #expect(reply.status == 200)
            #expect(try String(contentsOfFile: folder.file("kept.csv"), encoding: .utf8) == "phone\n5551234567\n")

            let connection = try HTTPConnection(port: raw.port)
            var request = Array("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = Array(repeating: UInt8(ascii: "a"), count: 300_000)
            for _ in 0..<4 { request += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8) }
            request += Array("0\r\n\r\n".utf8)
            try connection.sendRaw(request)
            #expect(try connection.readReply().status == 413)
            for _ in 0..<200 where try !uploads().isEmpty { usleep(5000) }
            #expect(try uploads().isEmpty)
    }
    }
}

@Suite struct RestSegmentTests {
    @Test func restSegmentTakesTheRemainingPath() throws {
        var router = Router()
        router.add(.GET, "/assets/{path...}") { _ in .text("") }
        router.add(.GET, "/assets/special") { _ in .text("") }
        guard case .found(let route, let parameters) = router.match(.GET, "/assets/css/leadline.css") else {
            Issue.record("expected a match"); return
        }
        #expect(route.pattern == "/assets/{path...}")
        #expect(parameters["path"] == "css/leadline.css")
        guard case .found(let exact, _) = router.match(.GET, "/assets/special") else { Issue.record("expected a match"); return }
        #expect(exact.pattern == "/assets/special")
        guard case .notFound = router.match(.GET, "/assets") else { Issue.record("/assets alone has no path"); return }
        guard case .methodNotAllowed = router.match(.POST, "/assets/a/b") else { Issue.record("expected 405"); return }
    }
}

@Suite struct SpecificityTests {
    /// A literal segment outranks a parameter whatever the order of registration, and a path that only a literal
    /// route matches exactly is that route's: another method is a 405 naming its methods, not a lookup by id.
    @Test func theMostSpecificPatternDecides() throws {
        var router = Router()
        router.add(.GET, "/leads/{id}") { _ in .text("") }
        router.add(.PATCH, "/leads/{id}") { _ in .text("") }
        router.add(.POST, "/leads/inbound") { _ in .text("") }
        router.add(.GET, "/buyers/{id}") { _ in .text("") }
        router.add(.GET, "/buyers/match") { _ in .text("") }

        guard case .found(let match, _) = router.match(.GET, "/buyers/match") else { Issue.record("expected a match"); return }
        #expect(match.pattern == "/buyers/match")
        guard case .found(let byID, let parameters) = router.match(.GET, "/leads/42") else { Issue.record("expected a match"); return }
        #expect(byID.pattern == "/leads/{id}")
        #expect(parameters["id"] == "42")
        guard case .methodNotAllowed(let allowed) = router.match(.GET, "/leads/inbound") else {
            Issue.record("GET /leads/inbound must be a 405, not a lead called inbound"); return
        }
        #expect(allowed == [.POST])
        guard case .methodNotAllowed(let forID) = router.match(.DELETE, "/leads/42") else { Issue.record("expected 405"); return }
        #expect(Set(forID) == [.GET, .PATCH, .HEAD])
    }
}
