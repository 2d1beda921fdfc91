import CMicroHTTPD
import Foundation
import HeapModule
import Synchronization

/// One thread that drives any number of servers (libmicrohttpd's external epoll mode: each server's epoll descriptor
/// sits in this loop's own) and runs timed actions: the simulator's mock buyers, ten servers whose answers are each
/// held back some 20 ms. With a thread per server and one more for the timers, an answer cost about 1.5 thread switches
/// (the server's thread woke for the request, the timer thread for the answer, the server's again to send it); here
/// one wake-up serves whatever any server has ready and every answer that fell due.
///
/// Timed actions run in batches up to `batching` late, so that answers due close together share a wake-up. A server
/// joins the loop through `ServerConfiguration.loop`, and tells it when it resumes a connection (libmicrohttpd, with
/// no thread of its own, signals that to nobody).
public final class ServerLoop: @unchecked Sendable {
    private struct Timed: Comparable {
        let due: ContinuousClock.Instant
        let sequence: UInt64
        let owner: ObjectIdentifier
        let action: @Sendable () -> Void

        static func < (a: Timed, b: Timed) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }
        static func == (a: Timed, b: Timed) -> Bool { a.sequence == b.sequence }
    }

    private struct State {
        var timers = Heap<Timed>()
        var sequence: UInt64 = 0
        /// The servers driven, by the descriptor of their epoll set.
        var daemons: [Int32: MHDHandle] = [:]
        /// Servers with a connection resumed since they last ran.
        var resumed: [MHDHandle] = []
        /// Whether the loop has been woken and has not yet woken up.
        var woken = false
        /// Work to run on the loop's thread between two runs of its servers, each with the semaphore its caller waits on.
        var requests: [(work: @Sendable () -> Void, done: DispatchSemaphore)] = []
    }

    /// How late a timed action may run so that it shares a wake-up with others.
    public static let batching = Duration.milliseconds(1)

    private let epoll: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())
    /// The loop's thread (set as it starts), so that callers on it are not made to wait for it.
    private let loopThread = Mutex<pthread_t?>(nil)

    public init(name: String) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epoll >= 0 && wakeFD >= 0, "cannot create the server loop's descriptors")
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFD))
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeFD, &event)
        // The thread holds the loop: both last for the rest of the process (a loop is made once and shared).
        let thread = Thread { self.run() }
        thread.name = name
        thread.start()
    }

    /// Runs `action` on the loop's thread once `delay` has passed (at once, on the caller's thread, when it is not
    /// positive).
    public func after(_ delay: Duration, owner: AnyObject, _ action: @escaping @Sendable () -> Void) {
        guard delay > .zero else { return action() }
        let soonest = state.withLock { state -> Bool in
            state.sequence += 1
            let timed = Timed(due: .now + delay, sequence: state.sequence, owner: ObjectIdentifier(owner), action: action)
            let soonest = state.timers.min.map { timed < $0 } ?? true
            state.timers.insert(timed)
            return soonest
        }
        if soonest { wake() }
    }

    /// Runs the owner's waiting actions now, on the caller's thread (a mock buyer that stops answers what it held).
    public func flush(owner: AnyObject) {
        let id = ObjectIdentifier(owner)
        let flushed = state.withLock { state -> [Timed] in
            var kept = Heap<Timed>(), flushed: [Timed] = []
            while let timed = state.timers.popMin() {
                if timed.owner == id { flushed.append(timed) } else { kept.insert(timed) }
            }
            state.timers = kept
            return flushed
        }
        for timed in flushed { timed.action() }
    }

    /// Starts driving a daemon started without a thread of its own.
    func attach(_ daemon: OpaquePointer) throws {
        let fd = leadline_mhd_epoll_fd(daemon)
        guard fd >= 0 else { throw ServerError.cannotStart("a server loop: the daemon has no epoll descriptor") }
        state.withLock { $0.daemons[fd] = MHDHandle(pointer: daemon) }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: fd))
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
        wake()  // it may already have work (or a timeout) the loop's current wait does not know of
    }

    /// A connection of the daemon was resumed: the loop runs it at once (or, when this is the loop's thread, before it
    /// next sleeps).
    func resumed(_ daemon: OpaquePointer) {
        let wakeUp = state.withLock { state -> Bool in
            let daemon = MHDHandle(pointer: daemon)
            if !state.resumed.contains(daemon) { state.resumed.append(daemon) }
            defer { state.woken = true }
            return !state.woken
        }
        if wakeUp { wake() }
    }

    /// Stops driving the daemon; returns once the loop will not touch it again (it can then be stopped).
    func detach(_ daemon: OpaquePointer) {
        let handle = MHDHandle(pointer: daemon)
        onLoop { self.release(handle.pointer) }
    }

    /// Runs `work` on the loop's thread while none of its servers runs, and returns its result (a server's own calls
    /// into libmicrohttpd, such as quiescing it, must not meet the loop's).
    func onLoop<T: Sendable>(_ work: @escaping @Sendable () -> T) -> T {
        if isLoopThread { return work() }
        let result = Mutex<T?>(nil), done = DispatchSemaphore(value: 0)
        state.withLock { $0.requests.append(({ result.withLock { $0 = work() } }, done)) }
        wake()
        done.wait()
        return result.withLock { $0! }
    }

    private var isLoopThread: Bool {
        loopThread.withLock { thread in thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func release(_ daemon: OpaquePointer) {
        let fd = leadline_mhd_epoll_fd(daemon)
        state.withLock { $0.daemons[fd] = nil }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
    }

    private func run() {
        loopThread.withLock { $0 = pthread_self() }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var ready: [MHDHandle] = []
        var due: [Timed] = []
        while true {
            // Sleep until the next batch of timed actions or the first server timeout, whichever comes first.
            let (daemons, nextDue) = state.withLock { state in (Array(state.daemons.values), state.timers.min?.due) }
            var timeout = Int64(-1)
            if let nextDue {
                let left = nextDue + Self.batching - .now
                timeout = max(0, Int64(left.components.seconds) * 1000 + Int64(left.components.attoseconds / 1_000_000_000_000_000))
            }
            for daemon in daemons {
                let limit = leadline_mhd_timeout_ms(daemon.pointer)
                if limit >= 0 && (timeout < 0 || limit < timeout) { timeout = limit }
            }
            let count = epoll_wait(epoll, &events, Int32(events.count), Int32(clamping: timeout))
            ready.removeAll(keepingCapacity: true)
            let requests = state.withLock { state -> [(work: @Sendable () -> Void, done: DispatchSemaphore)] in
                state.woken = false
                for event in events.prefix(Int(max(0, count))) where event.data.fd != wakeFD {
                    if let daemon = state.daemons[event.data.fd] { ready.append(daemon) }
                }
                let now = ContinuousClock.now
                while let first = state.timers.min, first.due <= now { due.append(state.timers.removeMin()) }
                defer { state.requests = [] }
                return state.requests
            }
            if events.prefix(Int(max(0, count))).contains(where: { $0.data.fd == wakeFD }) {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
            }
            for timed in due { timed.action() }
            due.removeAll(keepingCapacity: true)
            ready += state.withLock { state in
                defer { state.resumed.removeAll(keepingCapacity: true) }
                return state.resumed
            }
            for (work, done) in requests {
                work()
                done.signal()
            }
            // A server with a timeout that fell due has work although its descriptor did not wake us (an idle
            // connection to close); running one with nothing to do costs a system call.
            let current = state.withLock { Array($0.daemons.values) }
            for daemon in current where ready.contains(daemon) || leadline_mhd_timeout_ms(daemon.pointer) == 0 {
                MHD_run(daemon.pointer)
            }
        }
    }
}
