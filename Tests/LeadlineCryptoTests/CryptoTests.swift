import Testing
import Foundation
@testable import LeadlineCrypto

@Suite struct DigestTests {
    @Test func sha256KnownAnswer() {
        #expect(Digest.sha256("abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacRFC4231TestCase2() {
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEquals() {
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0, 1, 0xab, 0xff]
        #expect([UInt8](hex: bytes.hex) == bytes)
        #expect([UInt8](hex: "zz") == nil)
        #expect([UInt8](hex: "abc") == nil)
    }
}

@Suite struct RandomTests {
    @Test func base62IsTheRequestedLengthAndAlphabet() {
        let token = SecureRandom.base62(length: 40)
        #expect(token.count == 40)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(SecureRandom.base62(length: 40) != token)
    }

    @Test func pooledBytesAreNeverGivenTwiceAcrossRefillsAndThreads() async {
        // Small requests come from a 4 KB pool: 16-byte draws from four tasks cross many refills. A byte given twice
        // would show as a repeated 16-byte value (2^-128 by chance).
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_000).map { _ in SecureRandom.bytes(16) } } }
            return await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(draws.count == 8_000 && Set(draws).count == 8_000)
        // Sizes at and past the pooled limit, and none.
        for count in [0, 1, 63, 64, 65, 4096, 10_000] { #expect(SecureRandom.bytes(count).count == count) }
        let large = SecureRandom.bytes(10_000)
        #expect(Set(large).count > 200, "random bytes, not a filler")
    }
}

@Suite struct PasswordHashTests {
    @Test func scryptRFC7914Vector() {
        // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
        let out = PasswordHash.scrypt(Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(out.hex == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func hashAndVerify() {
        let hasher = PasswordHash(n: 1024, r: 8, p: 1)
        let encoded = hasher.hash("correct horse")
        #expect(encoded.hasPrefix("scrypt$1024$8$1$"))
        #expect(PasswordHash.verify("correct horse", against: encoded))
        #expect(!PasswordHash.verify("wrong horse", against: encoded))
        #expect(!PasswordHash.verify("correct horse", against: "scrypt$garbage"))
        #expect(hasher.hash("correct horse") != encoded, "salted")
    }
}

@Suite struct SecretBoxTests {
    @Test func sealOpenRoundTripAndTamperDetection() throws {
        let box = try SecretBox(key: SecretBox.generateKey())
        let sealed = box.seal(Array("whsec_123".utf8), associatedData: Array("buyer_1".utf8))
        #expect(try box.open(sealed, associatedData: Array("buyer_1".utf8)) == Array("whsec_123".utf8))
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(sealed, associatedData: Array("buyer_2".utf8)) }
        var tampered = sealed
        tampered[14] ^= 1
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(tampered, associatedData: Array("buyer_1".utf8)) }
        let other = try SecretBox(key: SecretBox.generateKey())
        #expect(throws: SecretBox.Failure.authenticationFailed) { try other.open(sealed, associatedData: Array("buyer_1".utf8)) }
        #expect(try box.open(box.seal([])) == [])
    }
}

@Suite struct RSAKeyTests {
    /// The key's signature checked by the openssl command (an implementation independent of this code's use of libcrypto).
    @Test func aSignatureVerifiesWithOpenSSLsOwnTool() throws {
        let key = try RSAKey.generate(bits: 2048)
        #expect(key.publicDER.count == 294)
        #expect(try RSAKey(privateDER: key.privateDER).publicDER == key.publicDER)
        let message = Array("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=leadline".utf8)
        let signature = try key.signSHA256(message)
        #expect(signature.count == 256)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        func verify(_ signed: [UInt8]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl", "dgst", "-sha256", "-keyform", "DER", "-verify", try write("public.der", key.publicDER),
                                 "-signature", try write("signature", signature), try write("message", signed)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try verify(message) == 0)
        #expect(try verify(message + [0x20]) != 0)
        #expect(throws: RSAKey.Failure.self) { try RSAKey(privateDER: [0x30, 0x03, 0x02, 0x01, 0x00]) }
    }
}
