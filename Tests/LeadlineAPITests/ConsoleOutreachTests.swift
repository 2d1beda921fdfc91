import Foundation
import LeadlineAdmin
import LeadlineCore
import LeadlineTesting
import Testing

/// The console's Sequences and Domains pages: what an admin sees and what they can do there.
@Suite struct ConsoleOutreachTests {
    @Test func anAdminSeesSequencesPausesOneAndManagesTemplates() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let browser = ConsoleClient(app: app)
            let sequence = try app.ezleeds("POST", "/api/v1/sequences/", key: key, ["name": "<i>Intake</i>", "steps": [
                ["channel": "sms", "template": "Hi {{first_name}} <3"], ["channel": "call", "delay_minutes": 150],
            ]]).json()["id"] as! String
            let tenant = try #require(app.server.tenants.all().first).id
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/sequences")

            let page = try browser.get("/admin/sequences", cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("&lt;i&gt;Intake&lt;/i&gt;") && !page.text.contains("<i>Intake</i>"))
            #expect(page.text.contains("<strong>sms</strong> at enrolment: Hi {{first_name}} &lt;3"))
            #expect(page.text.contains("<strong>call</strong> after 2 h 30 min: the AI agent&#39;s call")
                    || page.text.contains("<strong>call</strong> after 2 h 30 min: the AI agent&#x27;s call"))

            // Pause from the console; the API sees it.
            let paused = try browser.post("/admin/sequences/\(sequence)/status", "_csrf=\(csrf)&status=paused", cookie)
            #expect(paused.status == 303)
            #expect(try app.ezleeds("GET", "/api/v1/sequences/\(sequence)", key: key).json()["status"] as? String == "paused")
            #expect(try browser.get(paused.header("Location") ?? "", cookie).text.contains("Sequence paused"))

            // A template without its text is refused field by field, and what was typed stays in the form.
            let refused = try browser.post("/admin/sequences/templates", "_csrf=\(csrf)&name=Welcome+%3Cb%3E&channel=email&subject=Hi&body=", cookie)
            #expect(refused.status == 422)
            #expect(refused.text.contains("body: "))
            #expect(refused.text.contains("value=\"Welcome &lt;b&gt;\""))
            let added = try browser.post("/admin/sequences/templates", "_csrf=\(csrf)&name=Welcome&channel=email&subject=Your+quote&body=Hello+%7B%7Bfirst_name%7D%7D", cookie)
            #expect(added.status == 303)
            let templates = try app.ezleeds("GET", "/api/v1/templates", key: key).json()["items"] as? [[String: Any]] ?? []
            let template = try #require(templates.first)
            #expect(template["name"] as? String == "Welcome" && template["channel"] as? String == "email" && template["body"] as? String == "Hello {{first_name}}")
            let id = try #require(template["id"] as? String)
            #expect(try browser.get("/admin/sequences", cookie).text.contains("Delete Welcome"))
            #expect(try browser.post("/admin/sequences/templates/\(id)/delete", "_csrf=\(csrf)", cookie).status == 303)
            #expect((try app.ezleeds("GET", "/api/v1/templates", key: key).json()["items"] as? [[String: Any]])?.isEmpty == true)
            // Without the CSRF token nothing changes.
            #expect(try browser.post("/admin/sequences/\(sequence)/status", "status=active", cookie).status == 403)
            #expect(try app.ezleeds("GET", "/api/v1/sequences/\(sequence)", key: key).json()["status"] as? String == "paused")
        }
    }

    @Test func anAdminAddsASequenceFromStepRows() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            let key = try app.makeKey()
            let tenant = try app.server.tenants.named("acme").id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/sequences")
            #expect(try browser.post("/admin/sequences/templates", "_csrf=\(csrf)&name=Welcome&channel=email&subject=Hi&body=Hello+%7B%7Bfirst_name%7D%7D", cookie).status == 303)
            let template = try #require(try app.server.sequences.templates(tenantID: tenant).first).id
            let page = try browser.get("/admin/sequences", cookie).text
            #expect(page.contains("Add a sequence") && page.contains("&#123;&#123;first_name&#125;&#125;"), "the placeholder is shown, not rendered")
            #expect(page.contains("<option value=\"\(template)\">Welcome (email)</option>"))

            let refused = try browser.post("/admin/sequences", "_csrf=\(csrf)&name=Nurture&step0_channel=sms&step0_text=&step1_channel=fax&step1_delay_minutes=soon", cookie)
            #expect(refused.status == 422 && refused.text.contains("step1_delay_minutes: must be a whole number"))
            let coreRefused = try browser.post("/admin/sequences", "_csrf=\(csrf)&name=Nurture&step0_channel=sms&step0_text=&step1_channel=fax", cookie)
            #expect(coreRefused.status == 422 && coreRefused.text.contains("steps[0].template") && coreRefused.text.contains("steps[1].channel"))
            #expect(coreRefused.text.contains("value=\"Nurture\""))

            let added = try browser.post("/admin/sequences", [
                "_csrf=\(csrf)", "name=Nurture", "step0_channel=sms", "step0_text=Hi+%7B%7Bfirst_name%7D%7D%2C+still+looking%3F",
                "step1_channel=email", "step1_delay_minutes=1440", "step1_template=\(template)", "step2_channel=call", "step2_delay_minutes=60",
                "step3_channel=", "step3_text=ignored",
            ].joined(separator: "&"), cookie)
            #expect(added.status == 303)
            let sequences = try app.ezleeds("GET", "/api/v1/sequences/", key: key).json()
            let listed = try #require((sequences["items"] as? [[String: Any]])?.first)
            let sequence = try app.ezleeds("GET", "/api/v1/sequences/\(listed["id"] as? String ?? "")", key: key).json()
            let steps = try #require(sequence["steps"] as? [[String: Any]])
            #expect(sequence["name"] as? String == "Nurture" && steps.map { $0["channel"] as? String } == ["sms", "email", "call"])
            #expect(steps[1]["delay_minutes"] as? Int == 1440 && steps[1]["template_id"] as? String == template)
        }
    }

    @Test func anAdminAddsVerifiesAndDeletesASendingDomain() async throws {
        try await blocking { () throws in
            let dns = try LocalDNS()
            let app = try TestServer { $0.dnsResolver = dns.address }
            _ = try app.makeKey()
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("admin@example.com", role: .admin, tenantID: tenant, page: "/admin/domains")

            #expect(try browser.post("/admin/domains", "_csrf=\(csrf)&domain=not+a+domain", cookie).status == 422)
            let added = try browser.post("/admin/domains", "_csrf=\(csrf)&domain=mail.acme-legal.test", cookie)
            #expect(added.status == 303)
            #expect(try browser.post("/admin/domains", "_csrf=\(csrf)&domain=mail.acme-legal.test", cookie).status == 409)
            let page = try browser.get(added.header("Location") ?? "", cookie).text
            #expect(page.contains("Domain added"))
            #expect(page.contains("value=\"leadline._domainkey.mail.acme-legal.test\""))
            let domain = try #require(app.server.domains.all(tenantID: tenant).first)
            let records = app.server.domains.records(domain)
            #expect(page.contains("value=\"\(records[1].value)\""))

            // Nothing published: not verified, and each record's problem is shown.
            let first = try browser.post("/admin/domains/\(domain.id)/verify", "_csrf=\(csrf)", cookie)
            #expect(first.header("Location")?.hasSuffix("notice=not_verified") == true)
            #expect(try browser.get("/admin/domains", cookie).text.contains("class=\"error\">DKIM: "))
            try dns.publish([records[0].name: [[records[0].value]], records[1].name: [DomainsAPITests.strings(records[1].value)],
                             records[2].name: [[records[2].value]]])
            let second = try browser.post("/admin/domains/\(domain.id)/verify", "_csrf=\(csrf)", cookie)
            #expect(second.header("Location")?.hasSuffix("notice=verified") == true)
            #expect(try browser.get("/admin/domains", cookie).text.contains("class=\"ok\">DKIM: found"))

            #expect(try browser.post("/admin/domains/\(domain.id)/delete", "_csrf=\(csrf)", cookie).status == 303)
            #expect(try app.server.domains.all(tenantID: tenant).isEmpty)
        }
    }

    @Test func aViewerSeesDomainsButCannotAddOne() async throws {
        try await blocking { () throws in
            let app = try TestServer()
            _ = try app.makeKey()
            let tenant = try #require(app.server.tenants.all().first).id
            let browser = ConsoleClient(app: app)
            let (cookie, csrf) = try browser.signIn("viewer@example.com", role: .viewer, tenantID: tenant, page: "/admin/domains")
            #expect(!(try browser.get("/admin/domains", cookie).text.contains("Add a domain")))
            #expect(try browser.post("/admin/domains", "_csrf=\(csrf)&domain=mail.acme-legal.test", cookie).status == 403)
            #expect(try app.server.domains.all(tenantID: tenant).isEmpty)
        }
    }
}
