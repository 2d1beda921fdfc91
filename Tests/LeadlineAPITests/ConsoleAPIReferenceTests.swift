import Foundation
import LeadlineAdmin
import LeadlineTesting
import Testing

/// The console's API reference is rendered from the document `/openapi.json` serves: every operation is on the page
/// with its key, parameters, body fields and answers.
@Suite struct ConsoleAPIReferenceTests {
    @Test func everyOperationOfTheDescriptionIsOnThePage() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let browser = ConsoleClient(app: app)
            #expect(try browser.get("/admin/api", "").status == 303, "signed out: to the sign-in page")
            let acme = try app.server.tenants.create(name: "acme").id
            let (cookie, _) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: acme, page: "/admin/api")
            let reply = try browser.get("/admin/api", cookie)
            #expect(reply.status == 200)
            let page = reply.text

            let document = try app.request("GET", "/openapi.json").json()
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var operations = 0
            for (path, item) in paths {
                for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    operations += 1
                    let id = try #require((item[method] as? [String: Any])?["operationId"] as? String)
                    #expect(page.contains("id=\"\(id)\""), "\(method) \(path) has its entry")
                    #expect(page.contains("<code>\(path.replacingOccurrences(of: "&", with: "&amp;"))</code>"))
                }
            }
            #expect(page.contains("\(operations) operations"))
            // The key and scopes, the body's fields (nested ones dotted, references followed), parameters and answers.
            #expect(page.contains("Key: X-API-Key or X-Compliance-API-Key · scope admin or compliance or write"))
            #expect(page.contains("Key: Authorization: Bearer · scope admin or write"))
            #expect(page.contains("<code>consent.consent_timestamp</code>"), "lead2inbound's consent block, nested")
            #expect(page.contains("<code>consent.consent_type</code>"), "EZLeeds' consent block, through its $ref")
            #expect(page.contains("<code>per_page</code>") && page.contains("integer 1–200"))
            #expect(page.contains("<code class=\"error\">409</code>") && page.contains("The ping has expired."))
        }
    }
}
