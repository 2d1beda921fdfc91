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

/// Texts to one sender and emails to another (a provider for one, the simulator for the other, say); a channel
/// with no sender fails its messages.
public struct MessageChannels: MessageSender {
    public var sms: (any MessageSender)?
    public var email: (any MessageSender)?

    public init(sms: (any MessageSender)?, email: (any MessageSender)?) {
        self.sms = sms
        self.email = email
    }

    struct NotConfigured: Error, CustomStringConvertible {
        let channel: OutboundMessage.Channel
        var description: String { "no \(channel.rawValue) channel is configured" }
    }

    public func send(_ message: OutboundMessage) async throws -> String {
        guard let sender = message.channel == .sms ? sms : email else { throw NotConfigured(channel: message.channel) }
        return try await sender.send(message)
    }
}
