import Foundation
import LeadlineTesting
import Testing

@Suite struct AssetTests {
    let app: TestServer
    init() throws { app = try TestServer() }

    @Test func publicFilesAreServedFromTheBinaryWithValidators() async throws {
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("public/css/leadline.css"))
        try await blocking { [app] () throws in
            let css = try app.request("GET", "/assets/css/leadline.css")
            #expect(css.status == 200)
            #expect(css.header("Content-Type") == "text/css; charset=utf-8")
            #expect(css.body == [UInt8](onDisk))
            let etag = try #require(css.header("ETag"))
            let again = try app.request("GET", "/assets/css/leadline.css", headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)

            #expect(try app.request("GET", "/robots.txt").text.contains("Disallow: /"))
            #expect(try app.request("GET", "/assets/README.md").status == 404, "documentation is not an asset")
            #expect(try app.request("GET", "/assets/../Package.swift").status == 404)
            #expect(try app.request("GET", "/assets/nothing.js").status == 404)
        }
    }
}
