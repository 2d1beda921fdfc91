import Testing
@testable import LeadlineCore

/// The stub resolver's reading of answers a live server rarely gives in tests: CNAME chains with compressed names,
/// NXDOMAIN, and broken messages (which must be refused, not crash or loop).
@Suite struct DNSClientTests {
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// An answer to a TXT question for dkim.example.com: a CNAME to keys.example.net, then its TXT record in two strings.
    static func cnameAnswer() -> [UInt8] {
        var message: [UInt8] = [0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        message += name("dkim.example.com") + [0, 16, 0, 1]
        let target = name("keys.example.net")
        message += [0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0, 0, UInt8(target.count)]
        let targetOffset = message.count
        message += target
        let strings: [UInt8] = [5] + Array("v=DKI".utf8) + [11] + Array("M1; p=QUJD;".utf8)
        message += [0xc0, UInt8(targetOffset), 0, 16, 0, 1, 0, 0, 1, 0, 0, UInt8(strings.count)] + strings
        return message
    }

    @Test func aCNAMEChainAndSplitStringsAreRead() throws {
        let answer = try DNSClient.parse(Self.cnameAnswer(), asked: "dkim.example.com", type: 16)
        #expect(answer.cname == "keys.example.net")
        #expect(answer.texts == ["v=DKIM1; p=QUJD;"])
    }

    @Test func nxdomainIsNoRecordsAndErrorsAreErrors() throws {
        var nxdomain = Self.cnameAnswer()
        nxdomain[3] = 0x83
        #expect(try DNSClient.parse(nxdomain, asked: "dkim.example.com", type: 16).texts.isEmpty)
        var refused = Self.cnameAnswer()
        refused[3] = 0x85
        #expect(throws: DNSClient.Failure.serverFailure(5)) { try DNSClient.parse(refused, asked: "x", type: 16) }
    }

    @Test func brokenMessagesAreRefused() {
        let whole = Self.cnameAnswer()
        for length in [3, 12, 20, 40, whole.count - 5] {
            #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(Array(whole.prefix(length)), asked: "x", type: 16) }
        }
        // A name pointer that points at itself.
        var loop: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]
        loop += [0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0]
        #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(loop, asked: "x", type: 16) }
    }

    @Test func theQueryIsWhatRFC1035Says() {
        let query = DNSClient.query(id: 0x1234, name: "_dmarc.example.com", type: 16)
        #expect(Array(query.prefix(12)) == [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(Array(query.dropFirst(12)) == Self.name("_dmarc.example.com") + [0, 16, 0, 1])
    }
}
