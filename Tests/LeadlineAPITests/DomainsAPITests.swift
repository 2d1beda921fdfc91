import Foundation
import LeadlineAPI
import LeadlineCore
import LeadlineCrypto
import LeadlineTesting
import Testing

/// Sending domains against a real DNS server (dnsmasq on loopback) holding the records a tenant published.
@Suite struct DomainsAPITests {
    /// A DKIM TXT record's value cut into DNS strings of at most 255 bytes, as a zone file holds it.
    static func strings(_ value: String) -> [String] {
        stride(from: 0, to: value.count, by: 200).map { start in
            let from = value.index(value.startIndex, offsetBy: start)
            return String(value[from..<value.index(from, offsetBy: min(200, value.count - start))])
        }
    }

    @Test func aDomainIsVerifiedOnceItsThreeRecordsArePublished() async throws {
        try await blocking { () throws in
            let dns = try LocalDNS()
            let app = try TestServer { $0.dnsResolver = dns.address }
            let key = try app.makeKey()
            let created = try app.ezleeds("POST", "/api/v1/domains/", key: key, ["domain": "Mail.Acme-Legal.com."])
            #expect(created.status == 201, "\(created.text)")
            let body = try created.json()
            let id = try #require(body["id"] as? String)
            #expect(body["domain"] as? String == "mail.acme-legal.com")
            #expect(body["status"] as? String == "pending_verification")
            let records = try #require(body["dns_records"] as? [[String: String]])
            #expect(records.map { $0["type"] ?? "" } == ["TXT", "TXT", "TXT"])
            #expect(records.map { $0["name"] ?? "" } == ["mail.acme-legal.com", "leadline._domainkey.mail.acme-legal.com",
                                                         "_dmarc.mail.acme-legal.com"])
            #expect(records[0]["value"] == "v=spf1 a mx ~all")
            #expect(records[2]["value"] == "v=DMARC1; p=none")
            // The DKIM key: an RSA-2048 SubjectPublicKeyInfo (294 bytes of DER), as Python's standard library reads it.
            let dkim = try #require(records[1]["value"])
            #expect(dkim.hasPrefix("v=DKIM1; k=rsa; p="))
            let der = try #require(Data(base64Encoded: String(dkim.dropFirst("v=DKIM1; k=rsa; p=".count))))
            #expect(der.count == 294)

            // Nothing published yet.
            var check = try app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: key).json()
            #expect(check["status"] as? String == "pending_verification")
            #expect(check["spf_valid"] as? Bool == false && check["dkim_valid"] as? Bool == false && check["dmarc_valid"] as? Bool == false)
            #expect((check["problems"] as? [String: String])?.keys.sorted() == ["dkim", "dmarc", "spf"])

            // Published as the answer said (the key split over several strings, as DNS requires).
            try dns.publish(["mail.acme-legal.com": [["v=spf1 a mx ~all"], ["google-site-verification=abc"]],
                             "leadline._domainkey.mail.acme-legal.com": [Self.strings(dkim)],
                             "_dmarc.mail.acme-legal.com": [["v=DMARC1; p=none; rua=mailto:dmarc@acme-legal.com"]]])
            check = try app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: key).json()
            #expect(check["status"] as? String == "verified", "\(check)")
            #expect(check["spf_valid"] as? Bool == true && check["dkim_valid"] as? Bool == true && check["dmarc_valid"] as? Bool == true)
            #expect(check["verified_at"] as? String == Timestamp.format(app.clock.now))
            let listed = try app.ezleeds("GET", "/api/v1/domains", key: key).json()["items"] as? [[String: Any]]
            #expect(listed?.first?["status"] as? String == "verified")
            let detail = try app.ezleeds("GET", "/api/v1/domains/\(id)", key: key).json()
            #expect(detail["dkim_valid"] as? Bool == true)

            // The records taken down again: a verified domain that no longer passes has failed.
            try dns.publish(["mail.acme-legal.com": [["v=spf1 a mx ~all"]]])
            check = try app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: key).json()
            #expect(check["status"] as? String == "failed")
            #expect(check["spf_valid"] as? Bool == true)

            // Deleted: gone, and the name can be registered again.
            let deleted = try app.ezleeds("DELETE", "/api/v1/domains/\(id)", key: key)
            #expect(try deleted.json()["deleted"] as? Bool == true)
            #expect(try deleted.json()["domain"] as? String == "mail.acme-legal.com")
            #expect(try app.ezleeds("GET", "/api/v1/domains/\(id)", key: key).status == 404)
            #expect(try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": "mail.acme-legal.com"]).status == 201)
        }
    }

    @Test func wrongRecordsAreNamedOneByOne() async throws {
        try await blocking { () throws in
            let dns = try LocalDNS()
            let app = try TestServer { options in
                options.dnsResolver = dns.address
                options.spfInclude = "_spf.relay.example"
            }
            let key = try app.makeKey()
            let created = try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": "news.example.org"]).json()
            let id = try #require(created["id"] as? String)
            #expect((created["dns_records"] as? [[String: String]])?.first?["value"] == "v=spf1 include:_spf.relay.example ~all")
            let other = try RSAKey.generate()
            try dns.publish([
                "news.example.org": [["v=spf1 a mx ~all"]],
                "leadline._domainkey.news.example.org": [Self.strings("v=DKIM1; k=rsa; p=" + Data(other.publicDER).base64EncodedString())],
                "_dmarc.news.example.org": [["v=DMARC1; rua=mailto:x@example.org"]],
            ])
            let check = try app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: key).json()
            #expect(check["status"] as? String == "pending_verification")
            let problems = check["problems"] as? [String: String] ?? [:]
            #expect(problems["spf"] == "the SPF record does not include:_spf.relay.example")
            #expect(problems["dkim"]?.contains("does not carry this domain's public key") == true)
            #expect(problems["dmarc"]?.contains("no policy") == true)

            // A resolver that does not answer: a 502 saying so, and nothing recorded.
            dns.stop()
            let down = try app.ezleeds("POST", "/api/v1/domains/\(id)/verify", key: key)
            #expect(down.status == 502)
            #expect(down.errorCode == "dns_unavailable")
        }
    }

    @Test func namesAreCheckedAndOwnedOnce() async throws {
        try await blocking { () throws in
            let app = try TestServer { $0.dnsResolver = "127.0.0.1:9" }
            let key = try app.makeKey(), other = try app.makeKey(tenant: "other")
            for bad in ["", "localhost", "-bad-.example.com", "exa mple.com", "bücher.example", "ab--cd.example.com", "10.0.0.1",
                        String(repeating: "a", count: 64) + ".com", String(repeating: "abcdefghi.", count: 26) + "com"] {
                let reply = try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": bad])
                #expect(reply.status == 422, "\(bad): \(reply.text)")
                #expect(reply.fields == ["domain"], "\(bad)")
            }
            #expect(try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": "xn--bcher-kva.example"]).status == 201)
            let first = try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": "mail.shared.example"])
            #expect(first.status == 201)
            #expect(try app.ezleeds("POST", "/api/v1/domains", key: key, ["domain": "MAIL.shared.example"]).status == 409)
            #expect(try app.ezleeds("POST", "/api/v1/domains", key: other, ["domain": "mail.shared.example"]).errorCode == "domain_taken")
            let id = try #require(try first.json()["id"] as? String)
            #expect(try app.ezleeds("GET", "/api/v1/domains/\(id)", key: other).status == 404)
            #expect(try app.ezleeds("DELETE", "/api/v1/domains/\(id)", key: other).status == 404)
            #expect((try app.ezleeds("GET", "/api/v1/domains", key: other).json()["items"] as? [[String: Any]])?.isEmpty == true)
            // The private key is sealed: the column holds no DER that starts like a key in the clear (0x30 0x82).
            let sealed = try app.server.store.read { db in try Data.fetchOne(db, sql: "SELECT dkim_private_key FROM sending_domains WHERE id = ?",
                                                                              arguments: [id]) }
            #expect(sealed.map { !$0.starts(with: [0x30, 0x82]) } == true)
        }
    }
}
