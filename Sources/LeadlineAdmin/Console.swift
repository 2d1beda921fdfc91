import Foundation
import HTTPServer
import LeadlineCore
import LeadlineCrypto
import Logging
import Simulator
import Store
import Synchronization

/// The web console under `/admin`: first-run setup, sign-in and sign-out, and the pages. Every page needs a session
/// (the `ll_session` cookie); every POST made from a page carries the session's CSRF token, and any POST from
/// another site (by `Origin` or `Sec-Fetch-Site`) is refused before anything else is looked at.
public final class Console: Sendable {
    public static let cookieName = "ll_session"

    let store: SQLiteStore
    let clock: any Clock
    public let users: AdminUsers
    public let sessions: AdminSessions
    let throttle: LoginThrottle
    let gate: ComplianceGate
    let tenants: Tenants
    let buyers: Buyers
    let campaigns: Campaigns
    let exchange: Exchange
    let leads: Leads
    let keys: APIKeys
    let billing: Billing
    let imports: ImportJobs
    let destinations: Destinations
    let callRecords: CallRecords
    let calls: Calls
    let postbacks: Postbacks
    /// The largest CSV upload accepted (the API's limit too).
    let maxUploadBytes: Int
    let sequences: Sequences
    let domains: SendingDomains
    let pages = Pages()
    let auditLog: AuditLog
    let logger = Logger(label: "leadline.console")
    /// The scenario runs of the Simulator page, when this server runs them (`enableSimulator`).
    let simulator = Mutex<ScenarioRuns?>(nil)
    /// The one-time token of the first-run URL, while no user exists.
    private let setupToken = Mutex<String?>(nil)

    public init(store: SQLiteStore, clock: any Clock, users: AdminUsers, gate: ComplianceGate, tenants: Tenants, buyers: Buyers,
                campaigns: Campaigns, exchange: Exchange, leads: Leads, keys: APIKeys, billing: Billing, imports: ImportJobs,
                maxUploadBytes: Int, destinations: Destinations, callRecords: CallRecords, calls: Calls, postbacks: Postbacks,
                sequences: Sequences, domains: SendingDomains) {
        self.store = store
        self.clock = clock
        self.users = users
        self.gate = gate
        self.tenants = tenants
        self.buyers = buyers
        self.campaigns = campaigns
        self.exchange = exchange
        self.leads = leads
        self.keys = keys
        self.billing = billing
        self.imports = imports
        self.destinations = destinations
        self.callRecords = callRecords
        self.calls = calls
        self.postbacks = postbacks
        self.maxUploadBytes = maxUploadBytes
        self.sequences = sequences
        self.domains = domains
        sessions = AdminSessions(store: store, clock: clock)
        auditLog = AuditLog(store: store, clock: clock)
        throttle = LoginThrottle(clock: clock)
    }

    /// On a database without console users, makes the one-time setup path (`/admin/setup?token=…`) and returns it;
    /// nil when someone can already sign in.
    public func firstRunPath() throws -> String? {
        guard try users.count() == 0 else { return nil }
        let token = setupToken.withLock { token in
            if token == nil { token = SecureRandom.bytes(24).hex }
            return token!
        }
        return "/admin/setup?token=\(token)"
    }

    /// Registers the console's pages; `apiDocument` is the OpenAPI description its API reference page shows.
    public func register(_ router: inout Router, apiDocument: JSONValue) {
        let form = ["application/x-www-form-urlencoded"]
        registerAPIReference(&router, document: apiDocument)
        registerDashboard(&router)
        registerCompliance(&router)
        registerBuyers(&router)
        registerBuyerTestPing(&router)
        registerCampaigns(&router)
        registerLeads(&router)
        registerSequences(&router)
        registerDomains(&router)
        registerKeys(&router)
        registerBilling(&router)
        registerBackups(&router)
        registerImports(&router)
        registerCalls(&router)
        registerAudit(&router)
        registerAuctions(&router)
        registerInvoices(&router)
        registerSettings(&router)
        registerSimulator(&router)
        registerDestinations(&router)
        addPage(&router, .GET, "/admin/login") { [self] request in
            if try await session(request) != nil { return Pages.redirect("/admin") }
            if let path = try firstRunPath(), request.isFromLoopback {
                return pages.render("message", title: "Set up Leadline", viewer: nil, ["text": "No one can sign in yet.",
                                    "link": ["href": path, "label": "Create the first administrator"]])
            }
            return pages.render("login", title: "Sign in", viewer: nil)
        }

        addPage(&router, .POST, "/admin/login", accepts: form) { [self] request in
            try Self.sameOrigin(request)
            let fields = try request.form()
            let email = String((fields["email"] ?? "").prefix(320)), password = fields["password"] ?? ""
            if let wait = throttle.wait(email: email, ip: request.remoteAddress) {
                var response = pages.render("login", title: "Sign in", viewer: nil,
                                            ["error": "Too many failed attempts. Try again in \((wait + 59) / 60) minutes.", "email": email], status: 429)
                response.headers.set("Retry-After", String(wait))
                return response
            }
            guard let user = try users.authenticate(email: email, password: password) else {
                throttle.failed(email: email, ip: request.remoteAddress)
                return pages.render("login", title: "Sign in", viewer: nil, ["error": "The email or the password is wrong.", "email": email],
                                    status: 401)
            }
            throttle.succeeded(email: email)
            return try await signIn(user, request)
        }

        addPage(&router, .POST, "/admin/logout", accepts: form) { [self] request in
            try Self.sameOrigin(request)
            guard let token = request.cookies[Self.cookieName], let session = try await session(request) else {
                return Pages.redirect("/admin/login")
            }
            try Self.checkCSRF(request, session)
            if request.query["everywhere"] == "1" {
                try await sessions.endAll(userID: session.user.id)
            } else {
                try await sessions.end(token)
            }
            var response = Pages.redirect("/admin/login")
            response.setCookie(.expired(Self.cookieName, path: "/admin"))
            return response
        }

        addPage(&router, .GET, "/admin/setup") { [self] request in
            let given = try checkSetupToken(request.query["token"])
            return pages.render("setup", title: "Set up", viewer: nil, ["token": given, "minimum": AdminUsers.minimumPasswordLength])
        }

        addPage(&router, .POST, "/admin/setup", accepts: form) { [self] request in
            try Self.sameOrigin(request)
            let fields = try request.form()
            let given = try checkSetupToken(fields["token"])
            let email = String((fields["email"] ?? "").prefix(320))
            do {
                let user = try users.create(email: email, password: fields["password"] ?? "", role: .operator, tenantID: nil)
                setupToken.withLock { $0 = nil }
                return try await signIn(user, request)
            } catch CoreError.invalid(let problems) {
                return pages.render("setup", title: "Set up", viewer: nil, [
                    "token": given, "email": email, "minimum": AdminUsers.minimumPasswordLength,
                    "hasErrors": true, "errors": problems.map { ["field": $0.field, "reason": $0.reason] },
                ], status: 422)
            }
        }
    }

    /// Registers a console route whose refusals (403, 404, 415, …) are answered as a page, not as the API's JSON.
    /// Registers a console route whose refusals (403, 404, 415, …) are answered as a page, not as the API's JSON. A POST
    /// that succeeds is written to the audit log.
    func addPage(_ router: inout Router, _ method: HTTPMethod, _ path: String, accepts: [String] = ["application/json"],
                 maxBodyBytes: Int? = nil, bodyToFile: Bool = false, _ handler: @escaping @Sendable (Request) async throws -> Response) {
        let pages = self.pages
        router.addAsync(method, path, maxBodyBytes: maxBodyBytes, accepts: accepts, bodyToFile: bodyToFile) { [self] request in
            do {
                // The session is resolved once, here, before the handler runs (signing out ends it; the audit log
                // still needs to know who did).
                var request = request
                if let token = request.cookies[Self.cookieName], let session = try await sessions.resolve(token) {
                    request.attributes[SessionKey.self] = session
                }
                let actor = request.attributes[SessionKey.self]
                let response = try await handler(request)
                if method == .POST, response.status < 400 { await audit(request, actor: actor, status: response.status) }
                return response
            } catch let refusal as any HTTPErrorConvertible {
                let error = refusal.httpError
                guard error.status < 500 else { throw refusal }
                let text = error.fields.isEmpty ? error.message : error.fields.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
                var response = pages.render("message", title: Self.title(error.status), viewer: nil,
                                            ["text": text, "link": ["href": "/admin", "label": "Back to the console"]], status: error.status)
                for (name, value) in error.headers { response.headers.set(name, value) }
                return response
            }
        }
    }

    /// Writes a change to the audit log; a failure to write it is logged, and does not undo the change.
    private func audit(_ request: Request, actor: AdminSessions.Session?, status: Int) async {
        let fields = request.mediaType == "application/x-www-form-urlencoded" ? FormBody(urlEncoded: request.body).fields : []
        let form = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        var tenantID = actor?.user.tenantID
        if tenantID == nil, let name = form["tenant"], !name.isEmpty { tenantID = try? tenants.named(name).id }
        let target = request.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        do {
            try await auditLog.record(user: actor?.user, email: actor?.user.email ?? form["email"] ?? "(unknown)", tenantID: tenantID,
                                      action: "POST \(request.route ?? request.path)", target: target.isEmpty ? nil : target,
                                      fields: fields, status: status)
        } catch {
            logger.error("the audit log could not be written", metadata: ["route": .string(request.route ?? ""), "error": .string("\(error)")])
        }
    }

    static func title(_ status: Int) -> String {
        switch status {
        case 401: return "Please sign in"
        case 403: return "Not allowed"
        case 404: return "Not found"
        case 429: return "Too many attempts"
        default: return "That did not work"
        }
    }

    /// The setup link's token when it is the live one: 404 once setup is done, 403 for any other token.
    private func checkSetupToken(_ given: String?) throws -> String {
        guard let expected = setupToken.withLock({ $0 }), try users.count() == 0 else { throw HTTPError.notFound("setup is done") }
        guard let given, Digest.constantTimeEquals(Array(given.utf8), Array(expected.utf8)) else {
            throw HTTPError.forbidden("this setup link is not valid; use the one `leadline serve` printed")
        }
        return given
    }

    func signIn(_ user: AdminUser, _ request: Request, to path: String = "/admin") async throws -> Response {
        let token = try await sessions.start(user, userAgent: request.headers["User-Agent"], ip: request.remoteAddress)
        var response = Pages.redirect(path)
        response.setCookie(SetCookie(name: Self.cookieName, value: token, path: "/admin", maxAge: Int(AdminSessions.maximumAge),
                                     secure: request.headers["X-Forwarded-Proto"]?.lowercased() == "https"))
        return response
    }

    /// The request's signed-in session, as `addPage` resolved it.
    func session(_ request: Request) async throws -> AdminSessions.Session? {
        request.attributes[SessionKey.self]
    }

    enum SessionKey: AttributeKey { typealias Value = AdminSessions.Session }

    func viewer(_ session: AdminSessions.Session) -> Pages.Viewer {
        Pages.Viewer(email: session.user.email, role: session.user.role.rawValue, csrf: session.csrfToken)
    }

    /// A form posted from another site is refused: browsers send `Sec-Fetch-Site`, and `Origin` on every POST.
    static func sameOrigin(_ request: Request) throws {
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin", site != "none" {
            throw HTTPError.forbidden("cross-site form posts are refused")
        }
        if let origin = request.headers["Origin"], let host = request.headers["Host"] {
            let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
            guard origin != "null", originHost?.lowercased() == host.lowercased() else { throw HTTPError.forbidden("cross-origin form posts are refused") }
        }
    }

    static func checkCSRF(_ request: Request, _ session: AdminSessions.Session) throws {
        try checkCSRF(sent: try request.form()["_csrf"], session)
    }

    static func checkCSRF(sent: String?, _ session: AdminSessions.Session) throws {
        guard let sent, Digest.constantTimeEquals(Array(sent.utf8), Array(session.csrfToken.utf8)) else {
            throw HTTPError.forbidden("the form's security token is missing or stale; reload the page and try again")
        }
    }
}
