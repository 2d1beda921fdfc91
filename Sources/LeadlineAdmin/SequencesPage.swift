import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/sequences`: the tenant's outreach sequences with their steps and how they are doing (pause, resume), a new
/// sequence (its steps as rows: channel, wait, a template or the text), and the message templates steps can use (add,
/// delete).
extension Console {
    func registerSequences(_ router: inout Router) {
        let form = ["application/x-www-form-urlencoded"]
        addStatusPage(&router, path: "/admin/sequences", notices: Self.sequenceNotices,
                      render: { [self] in try sequencesPage($0, $1, $2, status: $3) },
                      setStatus: { [sequences] tenantID, id, status in
                          guard let status = OutreachSequence.Status(rawValue: status) else {
                              throw CoreError.invalid([.init("status", "must be active or paused")])
                          }
                          return try await sequences.setStatus(tenantID: tenantID, id: id, status).status == .active
                      })

        addPage(&router, .POST, "/admin/sequences", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            var read = FormReader(fields)
            var steps: [SequenceInput.Step] = []
            for row in 0..<Self.stepRows {
                let channel = read.raw("step\(row)_channel") ?? "", text = read.raw("step\(row)_text") ?? ""
                let templateID = read.raw("step\(row)_template") ?? "", subject = read.raw("step\(row)_subject") ?? ""
                guard !channel.isEmpty else { continue }
                let delay = read.whole("step\(row)_delay_minutes", setting: "steps").given
                steps.append(SequenceInput.Step(channel: channel, delay_minutes: delay, template: text.isEmpty ? nil : text,
                                                template_id: templateID.isEmpty ? nil : templateID, subject: subject.isEmpty ? nil : subject))
            }
            do {
                if let refusal = read.refusal(adding: { [] }) { throw refusal }
                _ = try await sequences.create(tenantID: tenant.id, SequenceInput(name: fields["name"], steps: steps))
                return Pages.redirect("/admin/sequences?tenant=\(tenant.name)&notice=added")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["sequenceDraft"] = Self.draft(fields)
                return try sequencesPage(session, tenant, values, status: 422)
            }
        }

        addPage(&router, .POST, "/admin/sequences/templates", accepts: form) { [self] request in
            let (session, fields, tenant) = try await changeRequest(request)
            let input = Sequences.TemplateInput(name: fields["name"], channel: fields["channel"],
                                                subject: (fields["subject"] ?? "").isEmpty ? nil : fields["subject"], body: fields["body"])
            do {
                _ = try await sequences.createTemplate(tenantID: tenant.id, input)
                return Pages.redirect("/admin/sequences?tenant=\(tenant.name)&notice=template_added")
            } catch CoreError.invalid(let problems) {
                var values = Self.errors(problems)
                values["draft"] = ["name": input.name ?? "", "subject": input.subject ?? "", "body": input.body ?? "",
                                   "sms": input.channel == "sms", "email": input.channel == "email"]
                return try sequencesPage(session, tenant, values, status: 422)
            }
        }

        addPage(&router, .POST, "/admin/sequences/templates/{id}/delete", accepts: form) { [self] request in
            let (_, _, tenant) = try await changeRequest(request)
            try await sequences.deleteTemplate(tenantID: tenant.id, id: try request.parameter("id"))
            return Pages.redirect("/admin/sequences?tenant=\(tenant.name)&notice=template_deleted")
        }
    }

    static let sequenceNotices = ["paused": "Sequence paused: no step runs until it is resumed (due steps wait).",
                                  "resumed": "Sequence active again: overdue steps run now.",
                                  "template_added": "Template added.", "template_deleted": "Template deleted.",
                                  "added": "Sequence added: enrol leads in it through the API or as they arrive."]

    /// Step rows in the new-sequence form (blank rows are left out).
    static let stepRows = 6

    func sequencesPage(_ session: AdminSessions.Session, _ tenant: Tenant, _ extra: [String: Any], status: Int = 200) throws -> Response {
        let all = try sequences.all(tenantID: tenant.id)
        let metrics = try sequences.metrics(tenantID: tenant.id, sequenceIDs: all.map(\.id))
        let templates = try sequences.templates(tenantID: tenant.id)
        let names = Dictionary(templates.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var values = extra
        values.merge(try pageBasics(session, tenant, path: "/admin/sequences")) { $1 }
        values["sequences"] = all.map { sequence -> [String: Any] in
            let m = metrics[sequence.id] ?? SequenceMetrics()
            var row: [String: Any] = [
                "id": sequence.id, "name": sequence.name, "status": sequence.status.rawValue,
                "steps": sequence.steps.enumerated().map { index, step in
                    ["number": index + 1, "channel": step.channel.rawValue, "after": Self.delay(step.delayMinutes, first: index == 0),
                     "content": step.templateID.map { "template " + (names[$0] ?? "\($0) (deleted)") } ?? step.template.map { String($0.prefix(80)) } ?? "the AI agent's call"]
                },
                "enrolled": m.enrolled, "active": m.active, "completed": m.completed, "converted": m.converted,
                "conversion": Self.percent(m.conversionRate),
            ]
            row.merge(Self.toggle(active: sequence.status == .active)) { $1 }
            return row
        }
        values["templates"] = templates.map {
            ["id": $0.id, "name": $0.name, "channel": $0.channel.rawValue, "subject": $0.subject ?? "", "body": String($0.body.prefix(160))]
        }
        if values["draft"] == nil { values["draft"] = ["sms": true] }
        let typed = values["sequenceDraft"] as? [String: String] ?? [:]
        values["newSequence"] = [
            "name": typed["name"] ?? "",
            "rows": (0..<Self.stepRows).map { row -> [String: Any] in
                let channel = typed["step\(row)_channel"] ?? (row == 0 && typed.isEmpty ? "sms" : "")
                return ["row": row, "number": row + 1, "delay": typed["step\(row)_delay_minutes"] ?? "", "text": typed["step\(row)_text"] ?? "",
                        "subject": typed["step\(row)_subject"] ?? "",
                        "channels": [("", "(no step)"), ("sms", "text"), ("email", "email"), ("call", "AI call")].map {
                            ["value": $0.0, "label": $0.1, "selected": $0.0 == channel]
                        },
                        "templates": templates.map { ["id": $0.id, "name": "\($0.name) (\($0.channel.rawValue))", "selected": $0.id == typed["step\(row)_template"]] }]
            },
        ] as [String: Any]
        return pages.render("sequences", title: "Sequences", viewer: viewer(session), values, status: status)
    }

    /// `at once`, `after 30 min`, `after 2 h`, `after 1 d 4 h`.
    static func delay(_ minutes: Int, first: Bool) -> String {
        guard minutes > 0 else { return first ? "at enrolment" : "at once" }
        let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
        let parts = [days > 0 ? "\(days) d" : nil, hours > 0 ? "\(hours) h" : nil, rest > 0 ? "\(rest) min" : nil].compactMap { $0 }
        return "after " + parts.joined(separator: " ")
    }
}

extension Templates {
    static let sequences = """
        {{<layout}}
        {{$content}}
        <h1>Sequences</h1>
        {{>pageHead}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Sequence</th><th scope="col">Status</th><th scope="col">Steps</th><th scope="col">Enrolled</th><th scope="col">Active</th><th scope="col">Completed</th><th scope="col">Converted</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#sequences}}<tr>
              <th scope="row">{{name}}<br><small>{{id}}</small></th>
              <td>{{status}}</td>
              <td><ol class="steps">{{#steps}}<li><strong>{{channel}}</strong> {{after}}: {{content}}</li>{{/steps}}</ol></td>
              <td>{{enrolled}}</td><td>{{active}}</td><td>{{completed}}</td><td>{{converted}} ({{conversion}})</td>
              {{#canChange}}<td><form method="post" action="/admin/sequences/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form></td>{{/canChange}}
            </tr>
            {{/sequences}}
            {{^sequences}}<tr><td colspan="8">No sequences yet: add one below, or with <code>POST /api/v1/sequences/</code>.</td></tr>{{/sequences}}
            </tbody>
          </table>
          <p class="scope">Leads are enrolled with <code>POST /api/v1/sequences/{id}/enroll</code>; every text and email step asks the compliance gate first, and a STOP, an unsubscribe or a do-not-call entry ends the lead's enrolment.</p>
        </section>

        {{#canChange}}
        <section class="card">
          <h2>Add a sequence</h2>
          {{#newSequence}}
          <form method="post" action="/admin/sequences">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="s-name">Name</label>
            <input id="s-name" name="name" type="text" required maxlength="200" value="{{name}}">
            <table class="dense">
              <thead><tr><th scope="col">Step</th><th scope="col">Channel</th><th scope="col">Wait (minutes after the step before)</th><th scope="col">Template</th><th scope="col">Or the text (&#123;&#123;first_name&#125;&#125; and the lead's other fields are filled in)</th><th scope="col">Email subject</th></tr></thead>
              <tbody>
              {{#rows}}<tr><th scope="row">{{number}}</th>
                <td><select name="step{{row}}_channel" aria-label="Step {{number}} channel">{{#channels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/channels}}</select></td>
                <td><input name="step{{row}}_delay_minutes" type="text" inputmode="numeric" value="{{delay}}" aria-label="Step {{number}} wait in minutes"></td>
                <td><select name="step{{row}}_template" aria-label="Step {{number}} template"><option value="">(none)</option>{{#templates}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/templates}}</select></td>
                <td><input name="step{{row}}_text" type="text" value="{{text}}" aria-label="Step {{number}} text"></td>
                <td><input name="step{{row}}_subject" type="text" value="{{subject}}" aria-label="Step {{number}} email subject"></td></tr>
              {{/rows}}
              </tbody>
            </table>
            <button type="submit">Add sequence</button>
          </form>
          {{/newSequence}}
        </section>
        {{/canChange}}

        <section class="card">
          <h2>Templates</h2>
          <table class="dense">
            <thead><tr><th scope="col">Template</th><th scope="col">Channel</th><th scope="col">Subject</th><th scope="col">Text</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#templates}}<tr><th scope="row">{{name}}<br><small>{{id}}</small></th><td>{{channel}}</td><td>{{subject}}</td><td>{{body}}</td>
              {{#canChange}}<td><details class="confirm"><summary>Delete…</summary><form method="post" action="/admin/sequences/templates/{{id}}/delete"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit" class="danger">Delete {{name}}</button></form></details></td>{{/canChange}}</tr>
            {{/templates}}
            {{^templates}}<tr><td colspan="5">No templates yet.</td></tr>{{/templates}}
            </tbody>
          </table>
          {{#canChange}}
          <h3>Add a template</h3>
          {{#draft}}
          <form method="post" action="/admin/sequences/templates">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="t-name">Name</label>
            <input id="t-name" name="name" type="text" required maxlength="200" value="{{name}}">
            <label for="t-channel">Channel</label>
            <select id="t-channel" name="channel"><option value="sms"{{#sms}} selected{{/sms}}>Text</option><option value="email"{{#email}} selected{{/email}}>Email</option></select>
            <label for="t-subject">Subject (emails)</label>
            <input id="t-subject" name="subject" type="text" maxlength="200" value="{{subject}}">
            <label for="t-body">Text: <code>&#123;&#123;first_name&#125;&#125;</code> and the lead's other fields are filled in</label>
            <textarea id="t-body" name="body" rows="4" required>{{body}}</textarea>
            <button type="submit">Add template</button>
          </form>
          {{/draft}}
          {{/canChange}}
        </section>
        {{/content}}
        {{/layout}}
        """
}
