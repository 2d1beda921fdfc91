import Foundation
@testable import HTTPServer
import LeadlineTesting
import Synchronization
import Testing

/// Servers driven by one `ServerLoop` thread (how the simulator runs its mock buyers).
@Suite struct ServerLoopTests {
    /// A server on `loop` whose `/now` answers at once, `/later` after `delay` on the loop's thread, `/elsewhere` from
    /// a thread of its own (a resume the loop is not running), and `/held` never until its owner flushes.
    final class LoopServer: Sendable {
        let server: HTTPServer
        let owner = Owner()
        final class Owner: Sendable {}

        init(loop: ServerLoop, delay: Duration = .milliseconds(20)) throws {
            var router = Router()
            let owner = owner
            router.add(.GET, "/now") { _ in .text("now") }
            router.addDeferred(.GET, "/later") { _, reply in loop.after(delay, owner: owner) { reply.send(.text("later")) } }
            router.addDeferred(.GET, "/elsewhere") { _, reply in
                Thread { usleep(5_000); reply.send(.text("elsewhere")) }.start()
            }
            router.addDeferred(.GET, "/held") { _, reply in loop.after(.seconds(3600), owner: owner) { reply.send(.text("flushed")) } }
            server = HTTPServer(configuration: ServerConfiguration(listen: "127.0.0.1:0", drainTimeout: .seconds(5), loop: loop),
                                responder: Responder(router: router, middleware: [], defaultMaxBodyBytes: 1024))
            try server.start()
        }
    }

    /// One loop for the suite: a loop's thread runs for the rest of the process.
    static let loop = ServerLoop(name: "test-loop")

    @Test func oneThreadServesSeveralServersWithTimedAndResumedAnswers() async throws {
        try await blocking { () throws in
            let loop = Self.loop
            let servers = try (0..<3).map { _ in try LoopServer(loop: loop) }
            #expect(Set(servers.map(\.server.port)).count == 3)
            // Keep-alive connections to each server, several requests on each, and the deferred ones at once from many
            // threads.
            for server in servers {
                let connection = try HTTPConnection(port: server.server.port)
                for path in ["/now", "/later", "/elsewhere", "/now"] {
                    let reply = try connection.request("GET", path)
                    #expect(reply.status == 200)
                    #expect(reply.text == String(path.dropFirst()))
                }
            }
            let answers = Mutex<[String]>([])
            onThreads(60) { index in
                let server = servers[index % 3], path = index % 2 == 0 ? "/later" : "/elsewhere"
                let text = (try? http(server.server.port, "GET", path))?.text ?? "failed"
                answers.withLock { $0.append(text) }
            }
            #expect(answers.withLock { $0.sorted() } == Array(repeating: "elsewhere", count: 30) + Array(repeating: "later", count: 30))
            for server in servers { server.server.stop() }
        }
    }

    @Test func aServerStopsOnceWhatItHeldIsFlushedWhileItsNeighbourGoesOn() async throws {
        try await blocking { () throws in
            let loop = Self.loop
            let stopping = try LoopServer(loop: loop), staying = try LoopServer(loop: loop)
            let held = Mutex<String?>(nil)
            let group = DispatchGroup()
            group.enter()
            Thread {
                held.withLock { $0 = (try? http(stopping.server.port, "GET", "/held"))?.text }
                group.leave()
            }.start()
            // The request is in (and held) before the server stops.
            var waited = 0
            while stopping.server.inFlight.load(ordering: .relaxed) == 0 && waited < 5_000 { usleep(1_000); waited += 1 }
            #expect(stopping.server.inFlight.load(ordering: .relaxed) == 1)
            loop.flush(owner: stopping.owner)
            stopping.server.stop()
            group.wait()
            #expect(held.withLock { $0 } == "flushed")
            #expect((try? http(stopping.server.port, "GET", "/now")) == nil, "a stopped server still answers")
            // The loop still drives the other server, timed answers included.
            #expect(try http(staying.server.port, "GET", "/later").text == "later")
            #expect(try http(staying.server.port, "GET", "/now").text == "now")
            staying.server.stop()
        }
    }
}
