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

    /// `watched` is what curl keeps for the socket (`curl_multi_assign`): non-nil once it is in the epoll set, which
    /// spares a failing `EPOLL_CTL_MOD` per request.
    fileprivate func watch(_ fd: Int32, what: Int32, watched: Bool) {
        if what == CURL_POLL_REMOVE {
            epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)  // fails harmlessly when curl already closed the socket
            return
        }
        var mask: UInt32 = 0
        if what & CURL_POLL_IN != 0 { mask |= EPOLLIN.rawValue }
        if what & CURL_POLL_OUT != 0 { mask |= EPOLLOUT.rawValue }
        var event = epoll_event(events: mask, data: epoll_data_t(fd: fd))
        // Whichever the first try, the other one when the set disagrees with curl's view (a socket number closed and
        // opened again in between): a socket watched for the wrong events would stall its transfer until its timeout.
        if watched {
            if epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT { epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) }
        } else {
            if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST { epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) }
            curl_multi_assign(multi, fd, Unmanaged.passUnretained(self).toOpaque())
        }
    }

}

private func events(_ pointer: UnsafeMutableRawPointer?) -> SocketEvents {
    Unmanaged<SocketEvents>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlWatchesSocket: curl_socket_callback = { _, socket, what, context, watched in
    events(context).watch(socket, what: what, watched: watched != nil)
    return 0
}
