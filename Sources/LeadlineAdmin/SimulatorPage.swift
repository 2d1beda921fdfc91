import Foundation
import HTTPServer
import LeadlineCore
import Simulator
import Synchronization

/// `/admin/simulator`: start a built-in scenario against this server in the page's tenant and follow it (progress,
/// numbers, then its report), or stop it. A run uses a key of its own, revoked when it ends. Only a server that allows
/// private buyer URLs runs scenarios (their mock buyers listen on loopback); elsewhere the page says how to rehearse.
extension Console {
    func registerSimulator(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addTenantPage(&router, path: "/admin/simulator", notices: Self.simulatorNotices) { [self] in try simulatorPage($0, $1, $2, status: $3) }

        addPage(&router, .POST, "/admin/simulator/runs", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            guard let runs = simulator.withLock({ $0 }) else { throw HTTPError.notFound("this server does not run scenarios") }
            var problems: [CoreError.FieldProblem] = []
            let name = fields["scenario"] ?? ""
            var scenario = BuiltInScenarios.named(name)
            if scenario == nil { problems.append(.init("scenario", "must be one of \(BuiltInScenarios.all.map(\.name).joined(separator: ", "))")) }
            let duration = (fields["duration"] ?? "").trimmingSpaces
            let seconds = Scenario.seconds(duration)
            if seconds == nil || !(10...86_400).contains(seconds ?? 0) { problems.append(.init("duration", "must be from 10s to 24h, such as 90s, 5m or 2h")) }
            if let seed = fields["seed"]?.trimmingSpaces, !seed.isEmpty {
                if let number = UInt64(seed) { scenario?.seed = number } else { problems.append(.init("seed", "must be a whole number")) }
            }
            guard let scenario, let seconds, problems.isEmpty else {
                return try simulatorPage(session, tenant, Self.errors(problems), status: 422)
            }
            let issued = try await keys.create(APIKeys.Request(tenantID: tenant.id, name: "simulator run (\(session.user.email))",
                                                                scopes: Scope.allCases, rateLimitPerMinute: 0))
            let keys = self.keys, keyID = issued.key.id, tenantID = tenant.id
            let started = runs.start(scenario, tenantID: tenant.id, key: issued.token, seconds: Double(seconds), now: clock.now) {
                _ = try? keys.revoke(id: keyID, tenantID: tenantID)
            }
            guard started != nil else {
                _ = try? keys.revoke(id: keyID, tenantID: tenantID)
                return try simulatorPage(session, tenant, Self.errors([.init("scenario", "a run is under way in this tenant; stop it first")]), status: 409)
            }
            return Pages.redirect("/admin/simulator?tenant=\(tenant.name)&notice=started")
        }

        addPage(&router, .POST, "/admin/simulator/runs/{id}/stop", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            guard let runs = simulator.withLock({ $0 }), runs.stop(id: try request.parameter("id"), tenantID: tenant.id) else {
                throw HTTPError.notFound("no run under way by that id")
            }
            return Pages.redirect("/admin/simulator?tenant=\(tenant.name)&notice=stopping")
        }
    }

    static let simulatorNotices = ["started": "Started: its buyers and campaigns are set up, then its leads arrive. This page follows it.",
                                   "stopping": "Stopping: leads under way finish, then its report appears."]

    /// Lets the console start scenarios against this server, reached at `base`.
    public func enableSimulator(base: String) { simulator.withLock { $0 = ScenarioRuns(base: base) } }

    /// Stops every run (the server is stopping).
    public func stopSimulator() { simulator.withLock { $0 }?.stopAll() }

    func simulatorPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/simulator")) { $1 }
        guard let runs = simulator.withLock({ $0 }) else {
            values["disabled"] = true
            return pages.render("simulator", title: "Simulator", viewer: viewer(session), values, status: status)
        }
        values["enabled"] = true
        values["scenarios"] = BuiltInScenarios.all.compactMap { entry -> [String: Any]? in
            guard let scenario = BuiltInScenarios.named(entry.name) else { return nil }
            return ["name": entry.name, "about": scenario.description, "selected": entry.name == "quick"]
        }
        let all = runs.runs(tenantID: tenant.id)
        values["running"] = all.contains { $0.state == .running }
        values["runs"] = all.map { run -> [String: Any] in
            let s = run.stats
            var row: [String: Any] = [
                "id": run.id, "scenario": run.scenario, "state": run.state.rawValue, "startedAt": Timestamp.format(run.startedAt),
                "duration": "\(Int(run.durationSeconds)) s", "leads": s[count: "leads"], "sold": s[count: "sold"],
                "revenue": Self.dollars(s[count: "revenue_cents"]), "errors": s[count: "errors"], "isRunning": run.state == .running,
                "lines": run.lines.suffix(8).joined(separator: "\n"),
            ]
            row["report"] = run.report
            return row
        }
        return pages.render("simulator", title: "Simulator", viewer: viewer(session), values, status: status)
    }
}

extension Templates {
    static let simulator = """
        {{<layout}}
        {{$head}}{{#running}}<meta http-equiv="refresh" content="5">{{/running}}{{/head}}
        {{$content}}
        <h1>Simulator</h1>
        {{>pageHead}}
        {{#disabled}}
        <section class="card">
          <p>This server does not run scenarios: their mock buyers answer on this machine's loopback address, and a
          production server refuses private addresses as buyer URLs. Start a development server with
          <code>leadline serve --allow-private-targets</code> (or <code>--demo</code>) to run them here, or rehearse on a
          throwaway server of its own with <code>leadline simulate quick</code>.</p>
        </section>
        {{/disabled}}
        {{#enabled}}
        {{#canChange}}
        <section class="card">
          <h2>Start a scenario</h2>
          <p class="scope">It adds the scenario's buyers (mock ones, answering on this machine), campaigns, destinations and test leads to
          the tenant <strong>{{tenant}}</strong>, and sells, calls and bills them as real ones. Use a sandbox tenant.</p>
          <form method="post" action="/admin/simulator/runs">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="sim-scenario">Scenario</label>
            <select id="sim-scenario" name="scenario">{{#scenarios}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}: {{about}}</option>{{/scenarios}}</select>
            <label for="sim-duration">How long its traffic runs (real time: 10s to 24h)</label>
            <input id="sim-duration" name="duration" type="text" value="2m" required>
            <label for="sim-seed">Seed (blank: the scenario's; the same seed sends the same leads)</label>
            <input id="sim-seed" name="seed" type="text" inputmode="numeric">
            <button type="submit">Start</button>
          </form>
        </section>
        {{/canChange}}
        <section class="card">
          <h2>Runs</h2>
          <table class="dense numbers">
            <thead><tr><th scope="col">Run</th><th scope="col">Scenario</th><th scope="col">Started</th><th scope="col">For</th><th scope="col">State</th><th scope="col">Leads</th><th scope="col">Sold</th><th scope="col">Revenue</th><th scope="col">Errors</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#runs}}<tr><td><code>{{id}}</code></td><td>{{scenario}}</td><td>{{startedAt}}</td><td>{{duration}}</td><td>{{state}}</td><td>{{leads}}</td><td>{{sold}}</td><td>{{revenue}}</td><td>{{errors}}</td>
              {{#canChange}}<td>{{#isRunning}}<form method="post" action="/admin/simulator/runs/{{id}}/stop"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit" class="secondary">Stop</button></form>{{/isRunning}}</td>{{/canChange}}</tr>
            <tr><td colspan="10">{{#report}}<details><summary>Report</summary><pre class="raw">{{report}}</pre></details>{{/report}}{{^report}}<pre class="raw">{{lines}}</pre>{{/report}}</td></tr>
            {{/runs}}
            {{^runs}}<tr><td colspan="10">No runs yet.</td></tr>{{/runs}}
            </tbody>
          </table>
        </section>
        {{/enabled}}
        {{/content}}
        {{/layout}}
        """
}
