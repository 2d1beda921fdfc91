import Foundation

/// A real SMTP server on a loopback port: Python's aiosmtpd, requiring STARTTLS (a self-signed certificate for
/// 127.0.0.1 made by the openssl tool, which the client trusts through `caFile`) and then AUTH with `username` and
/// `password`. Each message it accepts is saved as it arrived, with its envelope; `verifyDKIM` checks a message's
/// signature with dkimpy, a verifier independent of Leadline's signer.
public final class LocalSMTP: @unchecked Sendable {
    public let username = "relay-user"
    public let password = "relay-pass-0123"
    public private(set) var port: UInt16 = 0
    public var url: String { "smtp://127.0.0.1:\(port)" }
    public var caFile: String { directory.file("cert.pem") }

    private let directory = TemporaryDirectory()
    private var process: Process?

    /// A message as the server took it.
    public struct Received: Sendable {
        public let mailFrom: String
        public let recipients: [String]
        /// Whether the session was encrypted (STARTTLS) and authenticated when it was sent.
        public let encrypted: Bool
        public let authenticated: Bool
        public let bytes: [UInt8]
        public var text: String { String(decoding: bytes, as: UTF8.self) }

        /// The value of the first header `name` (unfolded).
        public func header(_ name: String) -> String? {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            var current: (name: String, value: String)?
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t") {
                    current?.value += line
                    continue
                }
                if let current, current.name.lowercased() == name.lowercased() { return current.value }
                guard let colon = line.firstIndex(of: ":") else { current = nil; continue }
                current = (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            if let current, current.name.lowercased() == name.lowercased() { return current.value }
            return nil
        }
    }

    public init() throws {
        _ = try python("""
            import subprocess, sys
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", sys.argv[1], "-out", sys.argv[2]],
                           check=True, capture_output=True)
            """, [directory.file("key.pem"), directory.file("cert.pem")])
        try FileManager.default.createDirectory(atPath: directory.file("mail"), withIntermediateDirectories: true)
        var lastError: (any Error)?
        for _ in 0..<5 {
            port = UInt16.random(in: 20_000...60_000)
            do {
                try start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("aiosmtpd did not start")
    }

    private static let server = """
        import json, os, ssl, sys
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        folder, cert, key, user, password, port = sys.argv[1:7]

        class Handler:
            count = 0
            async def handle_DATA(self, server, session, envelope):
                Handler.count += 1
                base = os.path.join(folder, "%04d" % Handler.count)
                with open(base + ".json", "w") as f:
                    json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                               "encrypted": session.ssl is not None, "authenticated": bool(session.authenticated)}, f)
                with open(base + ".tmp", "wb") as f:
                    f.write(envelope.original_content)
                os.rename(base + ".tmp", base + ".eml")
                return "250 2.0.0 queued"

        def authenticate(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        controller = Controller(Handler(), hostname="127.0.0.1", port=int(port), tls_context=context, require_starttls=True,
                                authenticator=authenticate, auth_require_tls=True)
        controller.start()
        print("ready", flush=True)
        sys.stdin.read()
        """

    private func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.server, directory.file("mail"), directory.file("cert.pem"), directory.file("key.pem"),
                             username, password, "\(port)"]
        let output = Pipe(), errors = Pipe()
        process.standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        self.process = process
        let line = output.fileHandleForReading.availableLine()
        guard line == "ready" else {
            stop()
            throw TestFailure("aiosmtpd did not start: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).suffix(1500))")
        }
    }

    /// The messages accepted so far, oldest first.
    public var received: [Received] {
        let folder = directory.file("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { name in
            let base = folder + "/" + name.dropLast(4)
            guard let bytes = FileManager.default.contents(atPath: base + ".eml"),
                  let envelope = FileManager.default.contents(atPath: base + ".json"),
                  let fields = try? JSONSerialization.jsonObject(with: envelope) as? [String: Any] else { return nil }
            return Received(mailFrom: fields["mail_from"] as? String ?? "", recipients: fields["rcpt_tos"] as? [String] ?? [],
                            encrypted: fields["encrypted"] as? Bool ?? false, authenticated: fields["authenticated"] as? Bool ?? false,
                            bytes: Array(bytes))
        }
    }

    /// dkimpy's verdict on a message's DKIM signature, with the public key record `record` published at `name`
    /// (`<selector>._domainkey.<domain>`): "pass", or what it logged on the way to "fail".
    public static func verifyDKIM(_ message: [UInt8], name: String, record: String) throws -> String {
        let output = try python("""
            import dkim, logging, sys
            logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format="%(message)s")
            name, record = sys.argv[1], sys.argv[2].encode()
            def lookup(asked, timeout=5):
                return record if asked.decode().rstrip(".") == name else None
            message = sys.stdin.buffer.read()
            ok = dkim.verify(message, logger=logging.getLogger("dkim"), dnsfunc=lookup)
            print("pass" if ok else "fail")
            """, [name, record], input: message)
        return output.components(separatedBy: "\n").last == "pass" ? "pass" : output
    }

    public func stop() {
        guard let process else { return }
        self.process = nil
        killAndReap(process)
    }

    deinit { stop() }
}

private extension FileHandle {
    /// The first line written, waiting for it (nil at end of file).
    func availableLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 10 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
