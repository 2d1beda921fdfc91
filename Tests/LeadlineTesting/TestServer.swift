import Foundation
import HTTPServer
import LeadlineAPI
import LeadlineCore
import Logging
import Store

/// Tests log warnings and errors only, so the access log does not drown their output.
public let quietLogging: Void = {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .warning
        return handler
    }
}()

/// A fresh temporary folder, removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("leadline-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The real server on an ephemeral loopback port over a fresh temporary database, with a clock the test moves.
public final class TestServer: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let clock: ManualClock
    public let server: LeadlineServer
    public var port: UInt16 { server.port }
    private var stopped = false

    /// `directory`: an earlier server's, to start again over its database (a restart).
    public init(now: Date = Date(timeIntervalSince1970: 1_785_000_000), directory: TemporaryDirectory = TemporaryDirectory(),
                configure: (inout ServeOptions) -> Void = { _ in }) throws {
        _ = quietLogging
        self.directory = directory
        clock = ManualClock(now)
        var options = ServeOptions(databasePath: directory.file("leadline.db"))
        options.listen = "127.0.0.1:0"
        options.clock = clock
        configure(&options)
        server = try LeadlineServer(options)
        try server.start()
    }

    /// A tenant and a key for it; returns the key's token.
    public func makeKey(tenant: String = "acme", scopes: [Scope] = [.read, .write], rateLimit: Int? = 0) throws -> String {
        let owner = try (try? server.tenants.named(tenant)) ?? server.tenants.create(name: tenant)
        return try server.keys.create(.init(tenantID: owner.id, name: "test", scopes: scopes, rateLimitPerMinute: rateLimit)).token
    }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) throws -> HTTPConnection.Reply {
        try http(port, method, path, headers: headers, body: body)
    }

    /// Sends a web-form lead with consent the quickstart's way (`POST /v1/leads`); answers its id.
    public func lead(key: String, phone: String, firstName: String = "Jane", email: String? = nil, state: String = "TX") throws -> String {
        var body: [String: Any] = ["source": "webform", "first_name": firstName, "phone": phone, "state": state,
                                   "consent": ["consent_timestamp": "2026-07-05T12:00:00Z", "consent_text_version": "v2",
                                               "source_url": "https://example.com/quote"]]
        if let email { body["email"] = email }
        let reply = try request("POST", "/v1/leads", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                body: jsonBody(body))
        guard reply.status == 201, let id = try reply.json()["lead_id"] as? String else { throw TestFailure("lead: \(reply.text)") }
        return id
    }

    /// An EZLeeds call (`X-API-Key`), with a JSON body when one is given.
    public func ezleeds(_ method: String, _ path: String, key: String, _ body: Any? = nil) throws -> HTTPConnection.Reply {
        var headers = ["X-API-Key": key]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try request(method, path, headers: headers, body: body.map(jsonBody))
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        server.stop()
    }

    deinit { stop() }
}

/// An HTTPServer with routes of the test's own, on an ephemeral port.
public final class RawServer: @unchecked Sendable {
    public let server: HTTPServer
    public var port: UInt16 { server.port }

    public init(threads: Int = 2, maxBodyBytes: Int = 1024, drain: Duration = .seconds(10), middleware: [any Middleware] = [RequestIDMiddleware()],
         uploadDirectory: String = NSTemporaryDirectory(), _ build: (inout Router) -> Void) throws {
        _ = quietLogging
        var router = Router()
        build(&router)
        server = HTTPServer(configuration: ServerConfiguration(listen: "127.0.0.1:0", threads: threads, drainTimeout: drain,
                                                                  uploadDirectory: uploadDirectory),
                            responder: Responder(router: router, middleware: middleware, defaultMaxBodyBytes: maxBodyBytes))
        try server.start()
    }

    deinit { server.stop() }
}
