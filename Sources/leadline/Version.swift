import ArgumentParser
import Foundation
import HTTPServer
import LeadlineCrypto
import OutboundHTTP
import Store

/// What is inside this binary: for checking a security advisory against a static build, whose libraries cannot be
/// seen with `ldd`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Leadline's version and the versions of the libraries built into it.")
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let components: [(String, String)] = [
            ("leadline", Leadline.configuration.version),
            ("libmicrohttpd", HTTPServer.libraryVersion),
            ("sqlite", SQLiteStore.libraryVersion()),
            ("openssl", OpenSSL.version),
            ("libcurl", OutboundHTTP.libraryVersion),
            ("linking", Self.isStatic ? "static" : "dynamic"),
        ]
        if json {
            try printJSON(Dictionary(uniqueKeysWithValues: components))
        } else {
            for (name, version) in components { print("\(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(version)") }
        }
    }

    /// A fully static executable maps no shared objects.
    static var isStatic: Bool {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return false }
        return !maps.contains(".so")
    }
}
