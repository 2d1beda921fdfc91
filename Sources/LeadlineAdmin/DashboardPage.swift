import Foundation
import HTTPServer
import LeadlineCore

/// `/admin`: today, the last 7 and the last 30 days at a glance (leads received and where they stand now, revenue),
/// with the last 30 days drawn as inline SVG bar charts. A tenant's users see their tenant; an operator sees every
/// tenant, or one they pick.
extension Console {
    func registerDashboard(_ router: inout Router) {
        addPage(&router, .GET, "/admin") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            let (tenant, chooser) = try scope(session, request, path: "/admin", everything: "All tenants")
            let numbers = try DashboardNumbers.load(store, tenantID: tenant?.id, now: clock.now)
            var values: [String: Any] = [
                "scope": tenant.map { "Tenant \($0.name)." } ?? "All tenants.", "optedOut": numbers.optedOut,
                "windows": numbers.windows.map { window -> [String: Any] in
                    ["label": window.label, "leads": window.leads, "qualified": window.count(.qualified, .dialing, .contacted),
                     "delivered": window.count(.delivered), "transferred": window.count(.transferred), "accepted": window.count(.accepted),
                     "returned": window.count(.returned), "ineligible": window.count(.ineligible), "revenue": Self.signedDollars(window.revenueCents)]
                },
                "leadChart": Self.bars(numbers.days.map { ($0.day, $0.leads, "\($0.leads) leads") }),
                "revenueChart": Self.bars(numbers.days.map { ($0.day, max(0, $0.revenueCents), Self.signedDollars($0.revenueCents)) }),
                "firstDay": numbers.days.first?.day ?? "", "lastDay": numbers.days.last?.day ?? "",
            ]
            values.merge(chooser) { $1 }
            return pages.render("dashboard", title: "Dashboard", viewer: viewer(session), values)
        }
    }

    /// What a page that can show every tenant at once acts on: a tenant user's own tenant; for an operator the one picked,
    /// or all (nil) with the chooser's values (`scopeChooser`).
    func scope(_ session: AdminSessions.Session, _ request: Request, path: String, everything: String) throws -> (Tenant?, [String: Any]) {
        guard session.user.tenantID == nil else { return (try tenant(for: session, named: nil), [:]) }
        let named = request.query["tenant"] ?? ""
        let tenant = named.isEmpty ? nil : try self.tenant(for: session, named: named)
        return (tenant, ["chooseTenant": true, "path": path,
                         "tenants": [["name": "", "label": everything, "selected": tenant == nil]]
                             + (try tenants.all().map { ["name": $0.name, "label": $0.name, "selected": $0.id == tenant?.id] })])
    }

    /// Bars for a 600 × 120 chart: one per day, scaled to the largest.
    static func bars(_ series: [(day: String, value: Int, label: String)]) -> [[String: Any]] {
        let top = max(1, series.map(\.value).max() ?? 1)
        let width = 600.0 / Double(max(1, series.count))
        return series.enumerated().map { index, entry in
            let height = entry.value == 0 ? 0 : max(1, Int((Double(entry.value) / Double(top) * 120).rounded()))
            return ["x": String(format: "%.1f", Double(index) * width + 1), "width": String(format: "%.1f", max(1, width - 2)),
                    "y": 120 - height, "height": height, "title": "\(entry.day): \(entry.label)"]
        }
    }
}

extension Templates {
    static let dashboard = """
        {{<layout}}
        {{$content}}
        <h1>Dashboard</h1>
        {{>scopeChooser}}
        <section class="card">
          <table class="dense numbers">
            <thead><tr><th scope="col"><span class="visually-hidden">Period</span></th><th scope="col">Leads</th><th scope="col">Qualified</th><th scope="col">Transferred</th><th scope="col">Delivered</th><th scope="col">Accepted</th><th scope="col">Returned</th><th scope="col">Ineligible</th><th scope="col">Revenue</th></tr></thead>
            <tbody>
            {{#windows}}<tr><th scope="row">{{label}}</th><td>{{leads}}</td><td>{{qualified}}</td><td>{{transferred}}</td><td>{{delivered}}</td><td>{{accepted}}</td><td>{{returned}}</td><td>{{ineligible}}</td><td>{{revenue}}</td></tr>
            {{/windows}}
            </tbody>
          </table>
          <p class="scope">{{scope}} Leads received in each period, by where they stand now; revenue is what was charged less what was credited back. Opted out (internal do-not-call): {{optedOut}}.</p>
        </section>
        <section class="charts">
          <figure class="card">
            <figcaption>Leads per day</figcaption>
            <svg class="chart" viewBox="0 0 600 140" role="img" aria-label="Leads per day, {{firstDay}} to {{lastDay}}">
              {{#leadChart}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{title}}</title></rect>{{/leadChart}}
              <text x="0" y="136" class="axis">{{firstDay}}</text><text x="600" y="136" class="axis end">{{lastDay}}</text>
            </svg>
          </figure>
          <figure class="card">
            <figcaption>Revenue per day</figcaption>
            <svg class="chart revenue" viewBox="0 0 600 140" role="img" aria-label="Revenue per day, {{firstDay}} to {{lastDay}}">
              {{#revenueChart}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{title}}</title></rect>{{/revenueChart}}
              <text x="0" y="136" class="axis">{{firstDay}}</text><text x="600" y="136" class="axis end">{{lastDay}}</text>
            </svg>
          </figure>
        </section>
        {{/content}}
        {{/layout}}
        """
}
