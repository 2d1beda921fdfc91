import HTTPServer
import LeadlineCore

/// Renames the core's field names to the ones a dialect's callers sent, so a 422 names their field.
func renamingFields(_ error: CoreError, _ names: [String: String]) -> CoreError {
    guard case .invalid(let problems) = error else { return error }
    return .invalid(problems.map { .init(names[$0.field] ?? $0.field, $0.reason) })
}

struct ScoreReasonView: Encodable {
    let rule: String, points: Int, detail: String
    init(_ reason: LeadScore.Reason) { rule = reason.rule; points = reason.points; detail = reason.detail }
}

struct LeadEventView: Encodable {
    let at: String, actor: String, kind: String
    @Nullable var from_status: String?
    @Nullable var to_status: String?
    let detail: [String: String]
    init(_ event: LeadEvent) {
        at = event.at
        actor = event.actor
        kind = event.kind
        from_status = event.fromStatus
        to_status = event.toStatus
        detail = (try? JSON.decode([String: String].self, from: Array(event.detail.utf8))) ?? [:]
    }
}

struct ConsentView: Encodable {
    let id: String, consent_type: String, channel: String
    @Nullable var mechanism: String?
    @Nullable var consent_text: String?
    @Nullable var consent_text_version: String?
    @Nullable var page_url: String?
    @Nullable var ip_address: String?
    @Nullable var user_agent: String?
    let consented_at: String, created_at: String, hash: String, is_active: Bool
    @Nullable var revoked_at: String?
    init(_ c: ConsentCertificate) {
        id = c.id; consent_type = c.consentType; channel = c.channel; mechanism = c.mechanism; consent_text = c.consentText
        consent_text_version = c.consentTextVersion; page_url = c.pageURL; ip_address = c.ipAddress; user_agent = c.userAgent
        consented_at = c.consentedAt; created_at = c.createdAt; hash = "sha256:" + c.hash; is_active = c.isActive
        revoked_at = c.revokedAt
    }
}

extension Request {
    /// The actor recorded on lead events for this caller.
    var eventActor: String { actor.map { "key:\($0)" } ?? "anonymous" }

    /// A positive integer query parameter, within bounds, or a 422 naming it.
    func integerQuery(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw HTTPError.validation([.init(field: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")])
        }
        return number
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`) from the query, nil when absent, or a 422 naming it.
    func booleanQuery(_ name: String) throws -> Bool? {
        guard let text = query[name] else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw HTTPError.validation([.init(field: name, reason: "must be true or false")])
        }
    }
}
