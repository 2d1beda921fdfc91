import Glibc

/// The server's limit on open files. Each connection is one: clients', and the outbound client keeps up to 64 to each
/// live buyer (1,024 in all) besides the database's files. The usual soft limit of 1,024 is reached by a dozen busy
/// buyers, after which neither side can open a connection; so `serve` raises the soft limit to the hard one, as far
/// as the system allows an unprivileged process, before it starts. So do the simulator's commands: a mock buyer that
/// hangs holds a connection for every ping it lets time out.
enum OpenFileLimit {
    /// The soft limit before and after; equal when it was already as high as it may be (or could not be read).
    @discardableResult
    static func raise(upTo most: rlim_t = 1 << 20) -> (before: rlim_t, after: rlim_t) {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return (0, 0) }
        let before = limit.rlim_cur
        let wanted = min(limit.rlim_max, most)
        guard wanted > before else { return (before, before) }
        limit.rlim_cur = wanted
        return setrlimit(resource, &limit) == 0 ? (before, wanted) : (before, before)
    }
}
