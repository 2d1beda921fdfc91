import Foundation

/// A call the dialer asks a provider to place: who to call, from which number, and what the agent says.
public struct CallRequest: Sendable {
    public var attemptID: String
    /// E.164.
    public var to: String
    public var from: String?
    /// The script with the lead's fields filled in.
    public var script: CallScript
    /// The disclosure lines to say first, in order (the AI disclosure, and the recording notice where required).
    public var disclosures: [String]
    public var lead: Lead
}

/// A warm transfer a call's engine asks the provider to make: bridge the consumer to `to`, presenting `callerID`.
public struct TransferRequest: Sendable {
    public var attemptID: String
    public var providerCallID: String
    public var transferID: String
    /// The destination line, E.164.
    public var to: String
    /// The number the destination sees: the consumer's own.
    public var callerID: String
    /// What the agent says to the consumer before the bridge.
    public var line: String
    /// What the buyer's agent hears first (the whisper): who is on the line and what they answered.
    public var whisper: String
}

/// What a provider reports about a call, in Leadline's words. Adapters translate their provider's webhooks into these.
public struct CallUpdate: Sendable {
    public enum Kind: String, Sendable {
        case ringing, answered, qualifying
        /// The consumer's answers to the script's questions, for the engine to judge (for an agent that collects
        /// answers without deciding): the call goes on as `qualified` or `not_qualified`.
        case answers
        /// The consumer answered every question so that they qualify: the engine transfers them.
        case qualified
        case notQualified = "not_qualified"
        /// The consumer asked not to be called again.
        case optOut = "opt_out"
        case noAnswer = "no_answer"
        case busy, voicemail, failed
        /// The consumer hung up before a transfer.
        case hungUp = "hung_up"
        case transferBridged = "transfer_bridged"
        case transferFailed = "transfer_failed"
        /// The bridged leg ended (`transferSeconds` long).
        case transferEnded = "transfer_ended"
        /// The provider's call is over.
        case ended
        /// The provider's analysis, after the call (answers, transcript): kept, and nothing else changes.
        case analyzed
    }

    public var attemptID: String
    public var kind: Kind
    public var transferID: String?
    public var ringSeconds: Int?
    public var talkSeconds: Int?
    public var transferSeconds: Int?
    public var answers: [String: String]?
    /// The transcript so far (each update may carry all of it).
    public var transcript: [TranscriptLine]?
    /// The provider's own reason, as it said it.
    public var reason: String?

    public init(attemptID: String, kind: Kind, transferID: String? = nil, ringSeconds: Int? = nil, talkSeconds: Int? = nil,
                transferSeconds: Int? = nil, answers: [String: String]? = nil, transcript: [TranscriptLine]? = nil,
                reason: String? = nil) {
        self.attemptID = attemptID; self.kind = kind; self.transferID = transferID; self.ringSeconds = ringSeconds
        self.talkSeconds = talkSeconds; self.transferSeconds = transferSeconds; self.answers = answers
        self.transcript = transcript; self.reason = reason
    }
}

/// Where a provider sends its updates: the calls engine.
public protocol CallUpdateSink: Sendable {
    func receive(_ update: CallUpdate) async
}

/// A voice provider: places calls with the AI agent, transfers them, hangs up. The built-in one is the simulator;
/// real ones are adapters over a provider's HTTP API whose webhooks arrive as `CallUpdate`s.
public protocol VoiceProvider: Sendable {
    /// Stored on each call (`simulator`, `retell`).
    var name: String { get }
    /// Whether a call goes on when the server stops: a hosted provider's does, and its webhooks still arrive; the
    /// simulator's ends with the server.
    var callsOutliveServer: Bool { get }
    /// Starts the call and answers the provider's id for it. Updates follow through `updates`, never from inside
    /// this call.
    func start(_ call: CallRequest, updates: any CallUpdateSink) async throws -> String
    /// Bridges the consumer to a destination; `transfer_bridged` or `transfer_failed` follows.
    func transfer(_ transfer: TransferRequest, updates: any CallUpdateSink) async throws
    /// Says `line` and ends the call; `ended` follows.
    func hangUp(attemptID: String, providerCallID: String, saying line: String, updates: any CallUpdateSink) async throws
}

extension VoiceProvider {
    public var callsOutliveServer: Bool { false }
}
