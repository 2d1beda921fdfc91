import Synchronization

/// What the engine asked a provider to do on each call in progress (transfer the consumer, or hang up saying a
/// line), kept until the call's conversation reaches the point where the agent acts on it: the simulator's script
/// after a qualified answer, Retell's agent when its function call is answered.
public final class CallCommands: Sendable {
    public enum Command: Sendable {
        case transfer(TransferRequest)
        case hangUp(String)
    }

    private let commands = Mutex<[String: Command]>([:])

    public init() {}

    /// Replaces any command the call had not acted on yet.
    public func set(_ command: Command, for attemptID: String) {
        commands.withLock { $0[attemptID] = command }
    }

    /// The call's command, removed.
    public func take(_ attemptID: String) -> Command? {
        commands.withLock { $0.removeValue(forKey: attemptID) }
    }
}
