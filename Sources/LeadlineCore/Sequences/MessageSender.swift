import Foundation

/// A text or an email a sequence step sends.
public struct OutboundMessage: Sendable, Equatable {
    public enum Channel: String, Sendable { case sms, email }

    public var channel: Channel
    public var tenantID: String
    public var leadID: String
    /// E.164 for a text, an address for an email.
    public var to: String
    public var subject: String?
    public var text: String
    /// An email's HTML part (the lead's fields escaped).
    public var html: String?
}

/// Where texts and emails leave: the simulator by default; real channels (SMTP, an SMS provider) are adapters behind
/// the same seam.
public protocol MessageSender: Sendable {
    /// Sends the message and answers the provider's id for it; throws when it was not accepted.
    func send(_ message: OutboundMessage) async throws -> String
}
