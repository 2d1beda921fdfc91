import Synchronization

/// How a deferred handler (`Router.addDeferred`) answers: once, from any thread, when its answer is ready (a timer
/// fired, another thread finished), with no task waiting for it. The connection stays suspended until then, so a
/// deferred handler must always send its reply; a second reply is ignored.
public final class Reply: Sendable {
    private let deliver: @Sendable (Response) -> Void
    private let sent = Atomic<Bool>(false)

    init(_ deliver: @escaping @Sendable (Response) -> Void) {
        self.deliver = deliver
    }

    public func send(_ response: Response) {
        guard !sent.exchange(true, ordering: .acquiringAndReleasing) else { return }
        deliver(response)
    }
}
