import Foundation
import Synchronization
import HTTPServer
import LeadlineTesting
import OutboundHTTP
import Testing

@Suite struct OutboundClientTests {
    static let client = OutboundClient()
    static let loopbackAllowed = AddressPolicy(allowPrivate: true)

    /// A loopback server with an echo, slow routes and a long answer, shared by the suite and never stopped: stopping
    /// waits for requests in flight, and that wait must not happen on Swift's cooperative pool, where these tests run.
    static let shared = try! makeServer()

    static func server() throws -> RawServer { shared }
    /// Requests the sleeping route is serving now, and the most it has served at once.
    static let inFlight = Atomic<Int>(0)
    static let mostInFlight = Atomic<Int>(0)

    private static func makeServer() throws -> RawServer {
        // The slow routes answer from a timer (deferred handlers), so they depend neither on Swift's cooperative pool,
        // which other suites may be keeping busy, nor on which server thread took a connection: a burst of connections
        // can all land on one thread, and a route that slept on it answered them one after another.
        try RawServer(threads: 4, maxBodyBytes: 1 << 20) { router in
            router.addAsync(.POST, "/echo") { request in
                var response = Response.text(String(decoding: request.body, as: UTF8.self), status: 201)
                response.headers.set("X-Seen-Signature", request.headers["X-Signature"] ?? "none")
                return response
            }
            router.addDeferred(.GET, "/slow") { _, reply in
                DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { reply.send(.text("late")) }
            }
            router.addDeferred(.GET, "/sleep/{ms}") { request, reply in
                let now = inFlight.add(1, ordering: .sequentiallyConsistent).newValue
                mostInFlight.max(now, ordering: .sequentiallyConsistent)
                let milliseconds = Int((try? request.parameter("ms")) ?? "0") ?? 0
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                    inFlight.subtract(1, ordering: .sequentiallyConsistent)
                    reply.send(.text("ok"))
                }
            }
            router.add(.GET, "/big") { _ in .text(String(repeating: "x", count: 100_000)) }
        }
    }

    @Test func postsTheBodyAndHeadersAndReadsTheAnswer() async throws {
        let server = try Self.server()
        let result = await Self.client.send(OutboundRequest(
            url: "http://127.0.0.1:\(server.port)/echo", headers: [("Content-Type", "application/json"), ("X-Signature", "sha256=ab")],
            body: Array(#"{"lead":1}"#.utf8), timeout: .seconds(5), policy: Self.loopbackAllowed))
        let response = try #require(result.response)
        #expect(response.status == 201)
        #expect(response.text == #"{"lead":1}"#)
        #expect(response.header("x-seen-signature") == "sha256=ab")
    }

    @Test func sendAllAnswersEveryRequestInItsOrder() async throws {
        let server = try Self.server()
        let base = "http://127.0.0.1:\(server.port)"
        let results = await Self.client.sendAll([
            OutboundRequest(method: "GET", url: "\(base)/slow", timeout: .milliseconds(200), policy: Self.loopbackAllowed),
            OutboundRequest(url: "\(base)/echo", headers: [("Content-Type", "application/json")], body: Array("1".utf8),
                            timeout: .seconds(5), policy: Self.loopbackAllowed),
            OutboundRequest(url: "\(base)/echo", timeout: .seconds(5), policy: .publicOnly),
            OutboundRequest(url: "\(base)/echo", headers: [("Content-Type", "application/json")], body: Array("2".utf8),
                            timeout: .seconds(5), policy: Self.loopbackAllowed),
        ])
        #expect(results.count == 4)
        guard case .timedOut = results[0].failure else { Issue.record("expected a timeout, got \(results[0].outcome)"); return }
        #expect(results[1].response?.text == "1")
        guard case .refused = results[2].failure else { Issue.record("expected a refusal, got \(results[2].outcome)"); return }
        #expect(results[3].response?.text == "2")
        #expect(await Self.client.sendAll([]).isEmpty)
    }

    @Test func refusesLoopbackUnlessPrivateTargetsAreAllowed() async throws {
        let server = try Self.server()
        let refused = await Self.client.send(OutboundRequest(url: "http://127.0.0.1:\(server.port)/echo", timeout: .seconds(5), policy: .publicOnly))
        guard case .refused(let why) = refused.failure else { Issue.record("expected a refusal, got \(refused.outcome)"); return }
        #expect(why.contains("loopback"))
        // A name that resolves to loopback is refused the same way: the check is on the address connected to.
        let byName = await Self.client.send(OutboundRequest(url: "http://localhost:\(server.port)/echo", timeout: .seconds(5), policy: .publicOnly))
        #expect(byName.failure?.code == "refused")
    }

    /// A kept-alive connection one request's policy allowed is not reused for a request whose policy refuses it.
    @Test func aCachedConnectionDoesNotCarryARequestItsPolicyRefuses() async throws {
        let server = try Self.server()
        let url = "http://127.0.0.1:\(server.port)/echo"
        let allowed = await Self.client.send(OutboundRequest(url: url, timeout: .seconds(5), policy: Self.loopbackAllowed))
        #expect(allowed.response?.status == 201)
        let refused = await Self.client.send(OutboundRequest(url: url, timeout: .seconds(5), policy: .publicOnly))
        guard case .refused(let why) = refused.failure else { Issue.record("expected a refusal, got \(refused.outcome)"); return }
        #expect(why.contains("loopback"))
        #expect(await Self.client.send(OutboundRequest(url: url, timeout: .seconds(5), policy: Self.loopbackAllowed)).response?.status == 201)
    }

    @Test func refusesMetadataAddressesEvenWhenPrivateTargetsAreAllowed() async {
        let result = await Self.client.send(OutboundRequest(method: "GET", url: "http://169.254.169.254/latest/meta-data/",
                                                            timeout: .seconds(2), policy: Self.loopbackAllowed))
        guard case .refused(let why) = result.failure else { Issue.record("expected a refusal, got \(result.outcome)"); return }
        #expect(why.contains("metadata"))
    }

    @Test func aSlowServerTimesOutWithoutBeingWaitedFor() async throws {
        let server = try Self.server()
        let result = await Self.client.send(OutboundRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/slow",
                                                            timeout: .milliseconds(200), policy: Self.loopbackAllowed))
        // Had the client waited, it would have had the route's 200 after 1.5 s.
        #expect(result.failure == .timedOut)
    }

    @Test func aLongAnswerIsAFailureNotATruncation() async throws {
        let server = try Self.server()
        let result = await Self.client.send(OutboundRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/big", timeout: .seconds(5),
                                                            maxResponseBytes: 10_000, policy: Self.loopbackAllowed))
        #expect(result.failure == .tooLarge(limit: 10_000))
    }

    @Test func onlyHTTPAndHTTPSAreUsed() async {
        for url in ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com", "not a url"] {
            let result = await Self.client.send(OutboundRequest(url: url, timeout: .seconds(1), policy: Self.loopbackAllowed))
            #expect(result.failure?.code == "invalid_url", "\(url)")
        }
    }

    @Test func requestsRunInParallel() async throws {
        let server = try Self.server()
        // 40 requests at once to a route that answers after 300 ms: the server must see several of them at the same
        // time (the client opens up to 64 connections to a host), and all must come back.
        let results = await withTaskGroup(of: OutboundResult.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await Self.client.send(OutboundRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/sleep/300",
                                                           timeout: .seconds(30), policy: Self.loopbackAllowed))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 40)
        #expect(results.allSatisfy { $0.response?.status == 200 })
        #expect(Self.mostInFlight.load(ordering: .sequentiallyConsistent) > 1)
    }

    /// Closes a connection idle for a second (never stopped, as `shared`).
    static let impatient: HTTPServer = {
        var router = Router()
        router.add(.GET, "/hello") { _ in .text("hello") }
        let server = HTTPServer(configuration: ServerConfiguration(listen: "127.0.0.1:0", threads: 1, connectionTimeoutSeconds: 1),
                                responder: Responder(router: router, middleware: [], defaultMaxBodyBytes: 1024))
        try! server.start()
        return server
    }()

    @Test func aKeptConnectionTheServerClosedIsReplaced() async throws {
        // The client keeps each connection for the next request and stops watching its socket meanwhile; the server
        // closes it after a second idle. The next request must go out on a new connection at once, not wait on the
        // old one until its timeout; the socket numbers freed and taken again must be watched for the new connection.
        let client = OutboundClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(Self.impatient.port)/hello"
        for round in 0..<3 {
            let results = await client.sendAll(Array(repeating: OutboundRequest(method: "GET", url: url, timeout: .seconds(3),
                                                                                 policy: Self.loopbackAllowed), count: 4))
            #expect(results.allSatisfy { $0.response?.status == 200 && $0.elapsed < .seconds(2) }, "round \(round): \(results)")
            if round < 2 { try await Task.sleep(for: .milliseconds(2_500)) }
        }
    }
}

@Suite struct AddressPolicyTests {
    @Test func classifiesAddresses() throws {
        let policy = AddressPolicy.publicOnly
        for inside in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1", "100.64.0.1",
                       "0.0.0.0", "224.0.0.1", "::1", "::", "fd12::1", "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "64:ff9b::a00:1"] {
            #expect(policy.refusal(for: try #require(IPAddress(inside))) != nil, "\(inside)")
        }
        for outside in ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            #expect(policy.refusal(for: try #require(IPAddress(outside))) == nil, "\(outside)")
        }
        let open = AddressPolicy(allowPrivate: true)
        #expect(open.refusal(for: IPAddress("10.0.0.1")!) == nil)
        for metadata in ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "100.100.100.200"] {
            #expect(open.refusal(for: try #require(IPAddress(metadata))) != nil, "\(metadata)")
        }
        #expect(IPAddress("example.com") == nil)
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
    }
}
