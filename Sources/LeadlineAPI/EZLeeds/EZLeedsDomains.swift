import HTTPServer
import LeadlineCore

/// EZLeeds' Domains: sending domains with the DNS records to publish and their verification.
extension Routes {
    mutating func addEZLeedsDomains(_ domains: SendingDomains) {
        addAsync(.POST, "/api/v1/domains") { request in
            let caller = try request.caller
            struct Body: Decodable { let domain: String? }
            let domain = try await domains.create(tenantID: caller.tenantID, domain: try request.decode(Body.self).domain)
            struct Created: Encodable { let id: String, domain: String, status: String, dns_records: [RecordView] }
            return try .json(Created(id: domain.id, domain: domain.domain, status: domain.status.rawValue,
                                     dns_records: domains.records(domain).map(RecordView.init)), status: 201)
        }
        add(.GET, "/api/v1/domains") { request in
            let caller = try request.caller
            struct Item: Encodable {
                let id: String, domain: String, status: String
                @Nullable var verified_at: String?
            }
            struct Page: Encodable { let items: [Item] }
            return try .json(Page(items: try domains.all(tenantID: caller.tenantID).map {
                Item(id: $0.id, domain: $0.domain, status: $0.status.rawValue, verified_at: $0.verifiedAt)
            }))
        }
        add(.GET, "/api/v1/domains/{id}") { request in
            let caller = try request.caller
            let domain = try domains.domain(tenantID: caller.tenantID, id: try request.parameter("id"))
            return try .json(DomainView(domain, records: domains.records(domain)))
        }
        addAsync(.POST, "/api/v1/domains/{id}/verify") { request in
            let caller = try request.caller
            let domain = try await domains.verify(tenantID: caller.tenantID, id: try request.parameter("id"))
            return try .json(DomainView(domain, records: domains.records(domain)))
        }
        addAsync(.DELETE, "/api/v1/domains/{id}") { request in
            let caller = try request.caller
            let domain = try await domains.delete(tenantID: caller.tenantID, id: try request.parameter("id"))
            struct Answer: Encodable { let deleted: Bool, domain: String }
            return try .json(Answer(deleted: true, domain: domain.domain))
        }
    }
}

struct RecordView: Encodable {
    let type: String, name: String, value: String
    init(_ r: DNSRecord) { type = r.type; name = r.name; value = r.value }
}

struct DomainView: Encodable {
    let id: String, domain: String, status: String
    let spf_valid: Bool, dkim_valid: Bool, dmarc_valid: Bool
    @Nullable var verified_at: String?
    @Nullable var checked_at: String?
    let problems: [String: String]
    let dns_records: [RecordView]
    let created_at: String

    init(_ d: SendingDomain, records: [DNSRecord]) {
        id = d.id; domain = d.domain; status = d.status.rawValue; spf_valid = d.spfValid; dkim_valid = d.dkimValid; dmarc_valid = d.dmarcValid
        verified_at = d.verifiedAt; checked_at = d.checkedAt; problems = d.problems; dns_records = records.map(RecordView.init)
        created_at = d.createdAt
    }
}

extension DNSClient.Failure: HTTPErrorConvertible {
    public var httpError: HTTPError { HTTPError(status: 502, code: "dns_unavailable", message: description) }
}
