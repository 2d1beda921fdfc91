import CCurl
import Glibc

/// What the outbound client's thread waits on, driven by curl's socket interface: an epoll set holding exactly the
/// sockets curl asks to watch, curl's next deadline, and an eventfd that wakes the thread for new requests or shutdown.
///
/// curl is told which sockets became ready, so it works only on those transfers. (`curl_multi_perform` instead visits
/// every transfer in flight on every wake-up and polls each one's socket: with live pings to ten buyers at 32 pings at
/// once, some 320 poll calls per wake-up.) Touched only by the transfer thread: curl calls back on it, from inside
/// `curl_multi_socket_action`, `curl_multi_add_handle` and `curl_multi_remove_handle`.
final class SocketEvents {
    private let epoll: Int32
    private let multi: UnsafeMutableRawPointer
    private let wakeup: Int32
    private var ready = [epoll_event](repeating: epoll_event(), count: 256)

    /// Where a socket number stands in the epoll set: not in it, watched for curl, or parked (curl stopped watching
    /// it, as it does for each connection it keeps for reuse between requests).
    private enum Membership { case absent, watched, parked }
    private var membership: [Membership] = []

    init(driving multi: UnsafeMutableRawPointer) {
        self.multi = multi
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeup))
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = leadline_curl_multi_set_socket_function(multi, curlWatchesSocket, me)
    }

    deinit {
        close(wakeup)
        close(epoll)
    }

    /// Wakes the thread from `waitAndAct`; safe from any thread.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeup, &one, MemoryLayout<UInt64>.size)
    }

    /// Waits until a socket is ready, curl's next deadline, or `wake` (at most a second), then lets curl act on what
    /// happened.
    func waitAndAct() {
        let count = ready.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), curlTimeout()) }
        var running: Int32 = 0
        for index in 0..<max(0, Int(count)) {
            let event = ready[index]
            let fd = event.data.fd
            if fd == wakeup {
                var drained: UInt64 = 0
                _ = read(wakeup, &drained, MemoryLayout<UInt64>.size)
                continue
            }
            if state(of: fd) == .parked {
                // A kept connection that failed or was closed by its server (errors and hang-ups are reported even
                // for no events): out of the set, and curl finds it dead when it next tries it.
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                setState(of: fd, .absent)
                continue
            }
            var bits: Int32 = 0
            if event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 { bits |= CURL_CSELECT_IN }
            if event.events & EPOLLOUT.rawValue != 0 { bits |= CURL_CSELECT_OUT }
            if event.events & EPOLLERR.rawValue != 0 { bits |= CURL_CSELECT_ERR }
            curl_multi_socket_action(multi, fd, bits, &running)
        }
        if curlTimeout() == 0 { curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running) }
    }

    /// How long until curl's next own deadline (a request's timeout, a transfer just added), at most a second. Asked
    /// each time rather than kept from curl's timer callback: curl calls that only when its earliest deadline changes,
    /// so a wake-up a fraction of a millisecond early (curl rounds down) would leave the deadline unwatched.
    private func curlTimeout() -> Int32 {
        var milliseconds = -1
        curl_multi_timeout(multi, &milliseconds)
        return milliseconds < 0 ? 1000 : Int32(min(milliseconds, 1000))
    }

    /// A socket curl no longer watches stays in the set with no events (parked) rather than leaving it: curl watches
    /// the socket of a kept connection again at its next request, and adding a socket to an epoll set allocates what
    /// removing it frees (the removal and the adding again were some 6% of this thread's work at 10,000 requests a
    /// second). A socket closed while parked has left the set with its last descriptor; a new socket given the same
    /// number is added when a change finds it missing.
    fileprivate func watch(_ fd: Int32, what: Int32) {
        let current = state(of: fd)
        if what == CURL_POLL_REMOVE {
            guard current == .watched else { return }
            var event = epoll_event(events: 0, data: epoll_data_t(fd: fd))
            setState(of: fd, epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0 ? .parked : .absent)
            return
        }
        var mask: UInt32 = 0
        if what & CURL_POLL_IN != 0 { mask |= EPOLLIN.rawValue }
        if what & CURL_POLL_OUT != 0 { mask |= EPOLLOUT.rawValue }
        var event = epoll_event(events: mask, data: epoll_data_t(fd: fd))
        // Whichever the first try, the other one when the set disagrees (a socket number closed and opened again in
        // between): a socket watched for the wrong events would stall its transfer until its timeout.
        if current != .absent {
            if epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT { epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) }
        } else {
            if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST { epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) }
        }
        setState(of: fd, .watched)
    }

    private func state(of fd: Int32) -> Membership {
        Int(fd) < membership.count ? membership[Int(fd)] : .absent
    }

    private func setState(of fd: Int32, _ state: Membership) {
        guard fd >= 0 else { return }
        if Int(fd) >= membership.count { membership += Array(repeating: .absent, count: Int(fd) + 1 - membership.count) }
        membership[Int(fd)] = state
    }
}

private func events(_ pointer: UnsafeMutableRawPointer?) -> SocketEvents {
    Unmanaged<SocketEvents>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlWatchesSocket: curl_socket_callback = { _, socket, what, context, _ in
    events(context).watch(socket, what: what)
    return 0
}
