import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The Simulator page: a scenario started from the console runs against the server itself, in the page's tenant.
@Suite struct ConsoleSimulatorTests {
    @Test func anAdminRunsAScenarioAgainstThisServerAndReadsItsReport() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.allowPrivateTargets = true }
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/simulator")
            let page = try browser.get("/admin/simulator", cookie).text
            #expect(page.contains("<option value=\"quick\" selected>") && page.contains("No runs yet"))

            let refused = try browser.post("/admin/simulator/runs", "_csrf=\(csrf)&scenario=nope&duration=forever&seed=x", cookie)
            #expect(refused.status == 422)
            for field in ["scenario: must be one of", "duration: must be from 10s", "seed: must be a whole number"] {
                #expect(refused.text.contains(field), "\(field)")
            }

            let started = try browser.post("/admin/simulator/runs", "_csrf=\(csrf)&scenario=quick&duration=10s&seed=7", cookie)
            #expect(started.status == 303)
            #expect(try browser.get(started.header("Location") ?? "", cookie).text.contains("http-equiv=\"refresh\""))
            // A second run in the same tenant waits for the first.
            #expect(try browser.post("/admin/simulator/runs", "_csrf=\(csrf)&scenario=quick&duration=10s", cookie).status == 409)

            var report = "", last = ""
            // Alone this takes about 12 s; beside the whole suite on two cores, up to two minutes.
            for _ in 0..<600 {
                last = try browser.get("/admin/simulator", cookie).text
                if last.contains("<td>finished</td>") { report = last; break }
                Thread.sleep(forTimeInterval: 0.5)
            }
            #expect(report.contains("Scenario quick (seed 7)"), "the run did not finish within five minutes: \(last.components(separatedBy: "<h2>Runs</h2>").last ?? "")")
            #expect(!report.contains("http-equiv=\"refresh\""))
            // Its leads are the tenant's now, and the run's key was revoked when it ended.
            let leads = try app.ezleeds("GET", "/api/v1/leads?per_page=5", key: key).json()
            #expect((leads["total"] as? Int ?? 0) > 0)
            let keys = try app.server.keys.list(tenantID: tenant)
            let runKey = try #require(keys.first { $0.name.hasPrefix("simulator run") })
            #expect(runKey.revokedAt != nil)

            // A long run stopped from the page ends at once, with its report.
            #expect(try browser.post("/admin/simulator/runs", "_csrf=\(csrf)&scenario=quick&duration=1h", cookie).status == 303)
            let running = try browser.get("/admin/simulator", cookie).text
            let runID = try #require(running.range(of: #"/admin/simulator/runs/run_[0-9a-f]+/stop"#, options: .regularExpression).map { running[$0] })
            #expect(try browser.post(String(runID), "_csrf=\(csrf)", cookie).status == 303)
            var stopped = false
            for _ in 0..<240 where !stopped {
                stopped = try browser.get("/admin/simulator", cookie).text.contains("<td>stopped</td>")
                if !stopped { Thread.sleep(forTimeInterval: 0.5) }
            }
            #expect(stopped)
            #expect(try browser.post(String(runID), "_csrf=\(csrf)", cookie).status == 404)
        }
    }

    @Test func aProductionServerSaysHowToRehearseAndRunsNothing() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let tenant = try app.server.tenants.create(name: "acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/settings")
            let page = try browser.get("/admin/simulator", cookie)
            #expect(page.status == 200 && page.text.contains("leadline serve --allow-private-targets") && !page.text.contains("Start a scenario"))
            #expect(try browser.post("/admin/simulator/runs", "_csrf=\(csrf)&scenario=quick&duration=10s", cookie).status == 404)
        }
    }
}
