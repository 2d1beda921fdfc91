import Foundation
import HTTPServer
import LeadlineTesting
import Synchronization
import Testing

@Suite struct AsyncHandlerTests {
    @Test func asyncHandlerDoesNotHoldAServerThread() async throws {
        try await blocking { () throws in
            // One server thread. Ten requests wait inside an async handler; if waiting held the thread, the eleventh
            // (synchronous) request could never be answered and the gate would never open.
            let gate = Gate()
            let raw = try RawServer(threads: 1) { router in
                router.addAsync(.GET, "/slow") { _ in
                    await gate.wait()
                    return .text("slow done")
                }
                router.add(.GET, "/fast") { _ in .text("fast") }
            }
            let results = Mutex<[Int]>([])
            let group = DispatchGroup()
            for _ in 0..<10 {
                onThread(group) {
                    let status = (try? http(raw.port, "GET", "/slow"))?.status ?? -1
                    results.withLock { $0.append(status) }
                }
            }
            gate.awaitArrivals(10)
            let fast = try http(raw.port, "GET", "/fast")
            #expect(fast.text == "fast")
            gate.open()
            group.wait()
            #expect(results.withLock { $0 } == Array(repeating: 200, count: 10))
    }
    }

    @Test func asyncHandlersDoNotNeedSwiftsGlobalPool() throws {
        // Every thread of the global cooperative pool is blocked: this test's own (a synchronous test runs on one) and
        // the rest by tasks waiting on a semaphore. A handler that continued on that pool after its first suspension
        // would never answer; on the handler threads it does.
        let raw = try RawServer { router in
            router.addAsync(.GET, "/later") { _ in
                try await Task.sleep(for: .milliseconds(5))
                return .text("answered")
            }
        }
        let release = DispatchSemaphore(value: 0)
        let blockers = ProcessInfo.processInfo.activeProcessorCount
        for _ in 0..<blockers { Task.detached { release.wait() } }
        let reply = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            reply.withLock { $0 = (try? http(raw.port, "GET", "/later"))?.text }
            done.signal()
        }
        thread.start()
        let answered = done.wait(timeout: .now() + 30) == .success
        for _ in 0..<blockers { release.signal() }
        #expect(answered)
        #expect(reply.withLock { $0 } == "answered")
    }

    @Test func asyncHandlerKeepsKeepAliveAndRunsMiddleware() async throws {
        try await blocking { () throws in
            let raw = try RawServer { router in
                router.addAsync(.POST, "/echo") { request in
                    try await Task.sleep(for: .milliseconds(5))
                    return .text(String(decoding: request.body, as: UTF8.self))
                }
                router.addAsync(.GET, "/fails") { _ in throw HTTPError.conflict("taken") }
            }
            let connection = try HTTPConnection(port: raw.port)
            for i in 0..<3 {
                let reply = try connection.request("POST", "/echo", headers: ["Content-Type": "application/json"], body: Array("\(i)".utf8))
                #expect(reply.text == "\(i)")
                #expect(reply.header("X-Request-Id") != nil)
            }
            let failed = try connection.request("GET", "/fails")
            #expect(failed.status == 409)
            #expect(failed.errorCode == "conflict")
    }
    }

    @Test func aDeferredHandlerIsAnsweredFromAnotherThreadWithoutHoldingAServerThread() async throws {
        try await blocking { () throws in
            // One server thread. Ten requests are held by a deferred handler, whose replies this test keeps; the
            // eleventh (synchronous) request is answered meanwhile, then the test answers the ten from its own thread.
            let replies = Mutex<[(path: String, reply: Reply)]>([])
            let raw = try RawServer(threads: 1) { router in
                router.addDeferred(.GET, "/held/{n}") { request, reply in
                    replies.withLock { $0.append((request.path, reply)) }
                }
                router.add(.GET, "/fast") { _ in .text("fast") }
            }
            let answers = Mutex<[String: HTTPConnection.Reply]>([:])
            let group = DispatchGroup()
            for n in 0..<10 {
                onThread(group) {
                    let reply = try? http(raw.port, "GET", "/held/\(n)")
                    answers.withLock { $0["/held/\(n)"] = reply }
                }
            }
            while replies.withLock({ $0.count }) < 10 { usleep(2000) }
            #expect(try http(raw.port, "GET", "/fast").text == "fast")
            for (path, reply) in replies.withLock({ $0 }) {
                reply.send(.text("answered \(path)"))
                reply.send(.text("a second answer is ignored"))
            }
            group.wait()
            let received = answers.withLock { $0 }
            #expect(received.count == 10)
            for (path, reply) in received {
                #expect(reply.status == 200)
                #expect(reply.text == "answered \(path)")
                #expect(reply.header("X-Request-Id") != nil, "the server's middleware finished the deferred answer too")
            }
        }
    }

    @Test func streamedBodyArrivesIntact() async throws {
        try await blocking { () throws in
            struct Counting: ResponseStream {
                let total: UInt64
                func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
                    let count = Int(min(UInt64(buffer.count), total - offset))
                    for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: (offset + UInt64(i)) % 251) }
                    return count
                }
            }
            let size: UInt64 = 3_000_000
            let raw = try RawServer { router in
                router.add(.GET, "/download") { _ in Response(body: .stream(length: size, Counting(total: size))) }
                router.add(.GET, "/unsized") { _ in Response(body: .stream(length: nil, Counting(total: 100_000))) }
            }
            let reply = try http(raw.port, "GET", "/download")
            #expect(reply.body.count == Int(size))
            #expect(reply.body.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
            let unsized = try http(raw.port, "GET", "/unsized")
            #expect(unsized.body.count == 100_000)
    }
    }

    @Test func fileBodyIsSentFromDisk() async throws {
        try await blocking { () throws in
            let folder = TemporaryDirectory()
            let path = folder.file("backup.db")
            let content = Array((0..<200_000).map { UInt8($0 % 256) })
            _ = FileManager.default.createFile(atPath: path, contents: Data(content))
            let raw = try RawServer { router in
                router.add(.GET, "/file") { _ in Response(body: .file(path: path)) }
                router.add(.GET, "/missing") { _ in Response(body: .file(path: folder.file("nope"))) }
            }
            #expect(try http(raw.port, "GET", "/file").body == content)
            #expect(try http(raw.port, "GET", "/missing").status == 404)
    }
    }
}

@Suite struct ShutdownTests {
    @Test func stopFinishesRequestsInFlightAndRefusesNewConnections() async throws {
        try await blocking { () throws in
            let gate = Gate()
            let raw = try RawServer { router in
                router.addAsync(.GET, "/slow") { _ in
                    await gate.wait()
                    return .text("finished")
                }
            }
            let port = raw.port
            let slowReply = Mutex<HTTPConnection.Reply?>(nil)
            let group = DispatchGroup()
            onThread(group) {
                let reply = try? http(port, "GET", "/slow")
                slowReply.withLock { $0 = reply }
            }
            gate.awaitArrivals(1)

            let stopped = Atomic<Bool>(false)
            onThread(group) {
                raw.server.stop()
                stopped.store(true, ordering: .sequentiallyConsistent)
            }
            // The listener closes before stop waits for the request in flight.
            var refused = false
            for _ in 0..<200 where !refused {
                refused = (try? HTTPConnection(port: port)) == nil
                if !refused { usleep(5000) }
            }
            #expect(refused)
            let stoppedEarly = stopped.load(ordering: .sequentiallyConsistent)
            #expect(!stoppedEarly, "stop must wait for the request in flight")
            gate.open()
            group.wait()
            let stoppedAfter = stopped.load(ordering: .sequentiallyConsistent)
            #expect(stoppedAfter)
            let reply = try #require(slowReply.withLock { $0 })
            #expect(reply.status == 200)
            #expect(reply.text == "finished")
    }
    }
}
