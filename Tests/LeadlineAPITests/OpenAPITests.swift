import Foundation
import LeadlineTesting
import Testing

/// `GET /openapi.json` is kept true: it validates as OpenAPI 3.1, and it describes exactly the routes served.
@Suite struct OpenAPITests {
    @Test func theDescriptionValidatesAsOpenAPI31() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let reply = try server.request("GET", "/openapi.json")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json")
            // openapi-spec-validator (PyPI), an implementation independent of ours, checks the whole document.
            let verdict = try python("""
                import json, sys
                from openapi_spec_validator import validate
                from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
                document = json.load(sys.stdin)
                try:
                    validate(document)
                    print("valid", document["openapi"])
                except OpenAPIValidationError as error:
                    print("invalid:", error)
                """, input: reply.body)
            #expect(verdict == "valid 3.1.0")
        }
    }

    @Test func everyRoutedPathIsDescribedAndEveryDescribedPathIsRouted() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let document = try server.request("GET", "/openapi.json").json()
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let methods: Set = ["get", "post", "put", "patch", "delete"]
            let described = Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
            // The console's pages (HTML behind a session) and the embedded assets are not the API.
            let routed = Set(server.server.routeTable.filter { !$0.path.hasPrefix("/admin") && !$0.path.hasPrefix("/assets/") }
                .map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(described).sorted() == [], "routed but not described")
            #expect(described.subtracting(routed).sorted() == [], "described but not routed")
            #expect(routed.count > 90)
        }
    }

    @Test func securityFollowsEachRoutesAccessRule() async throws {
        try await blocking { () throws in
            let server = try TestServer()
            let document = try server.request("GET", "/openapi.json").json()
            let paths = document["paths"] as? [String: [String: Any]] ?? [:]
            func operation(_ method: String, _ path: String) -> [String: Any]? { paths[path]?[method] as? [String: Any] }
            func security(_ method: String, _ path: String) -> [[String: [String]]]? {
                operation(method, path)?["security"] as? [[String: [String]]]
            }
            // lead2inbound carries a bearer key; EZLeeds an X-API-Key (or the compliance key); both name the scopes.
            #expect(security("post", "/v1/leads") == [["bearer": ["admin", "write"]]])
            #expect(security("get", "/api/v1/leads") == [["apiKey": ["admin", "read"]], ["complianceKey": ["admin", "read"]]])
            #expect(security("post", "/api/v1/pingpost/ping") == [["apiKey": ["admin", "compliance", "write"]],
                                                                   ["complianceKey": ["admin", "compliance", "write"]]])
            #expect(security("post", "/api/v1/billing/refund") == [["apiKey": ["admin"]], ["complianceKey": ["admin"]]])
            #expect(security("get", "/healthz") == [])
            #expect(security("get", "/v1/me") == [["bearer": []]])
            // Every refusal a keyed route can give is described; an open one has no 401.
            let refund = try #require(operation("post", "/api/v1/billing/refund")?["responses"] as? [String: Any])
            #expect(Set(refund.keys).isSuperset(of: ["200", "400", "401", "403", "409", "422", "429"]))
            let health = try #require(operation("get", "/healthz")?["responses"] as? [String: Any])
            #expect(health["401"] == nil)
        }
    }
}
