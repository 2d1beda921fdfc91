import Foundation
import HTTPServer
@testable import LeadlineAPI
import LeadlineCore
import LeadlineTesting
import Testing

/// The EZLeeds dialect carries its key in X-API-Key or X-Compliance-API-Key; checked through the router directly
/// (its routes arrive with later issues).
@Suite struct DialectTests {
    let app: TestServer
    let responder: Responder

    init() throws {
        app = try TestServer()
        var routes = Routes(keys: app.server.keys, limiter: app.server.limiter)
        routes.add(.GET, "/api/v1/things/") { request in try .json(["tenant": try request.caller.tenantName]) }
        routes.add(.POST, "/api/v1/pingpost/ping", access: .complianceOrWrite) { _ in try .json(["ok": true]) }
        routes.add(.PATCH, "/api/v1/things/{id}/internal", access: .admin) { _ in try .json(["ok": true]) }
        responder = Responder(router: routes.router, middleware: [])
    }

    func call(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) -> Response {
        let request = Request(method: method, path: path, headers: HTTPHeaders(headers), body: body)
        guard case .now(let response) = responder.respond(to: request, match: responder.router.match(method, path)) else {
            Issue.record("expected an immediate answer")
            return Response(status: 0)
        }
        return response
    }

    @Test func ezleedsHeadersAuthenticate() throws {
        let token = try app.makeKey(scopes: [.read])
        #expect(call(.GET, "/api/v1/things/", headers: [("X-API-Key", token)]).status == 200)
        #expect(call(.GET, "/api/v1/things", headers: [("x-api-key", token)]).status == 200)
        #expect(call(.GET, "/api/v1/things/", headers: [("X-Compliance-API-Key", token)]).status == 200)
        let missing = call(.GET, "/api/v1/things/")
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"] == nil)
        // The lead2inbound header is not this dialect's.
        #expect(call(.GET, "/api/v1/things/", headers: [("Authorization", "Bearer \(token)")]).status == 401)
    }

    @Test func pingPostTakesComplianceOrWriteAndInternalTakesAdmin() throws {
        let compliance = try app.makeKey(scopes: [.compliance])
        let writer = try app.makeKey(scopes: [.write])
        let reader = try app.makeKey(scopes: [.read])
        let admin = try app.makeKey(scopes: [.admin])
        #expect(call(.POST, "/api/v1/pingpost/ping", headers: [("X-Compliance-API-Key", compliance)]).status == 200)
        #expect(call(.POST, "/api/v1/pingpost/ping", headers: [("X-API-Key", writer)]).status == 200)
        #expect(call(.POST, "/api/v1/pingpost/ping", headers: [("X-API-Key", reader)]).status == 403)
        #expect(call(.PATCH, "/api/v1/things/1/internal", headers: [("X-API-Key", writer)]).status == 403)
        #expect(call(.PATCH, "/api/v1/things/1/internal", headers: [("X-API-Key", admin)]).status == 200)
        // The default rule: GET needs read, a change needs write.
        #expect(call(.GET, "/api/v1/things/", headers: [("X-API-Key", writer)]).status == 403)
    }
}
