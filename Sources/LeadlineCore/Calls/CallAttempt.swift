import Foundation
import GRDB

/// One call to a lead, as a state machine. The provider's events move it along the main path
///
///     queued ─▶ dialing ─▶ ringing ─▶ answered ─▶ qualifying ─▶ transferring ─▶ transferred ─▶ ended
///
/// or end it early in one of the terminal states (`no_answer`, `busy`, `voicemail`, `failed`, `not_qualified`,
/// `opt_out`); a call the compliance gate refused never leaves `blocked`. Each move is a `call_events` row.
public enum CallStatus: String, Codable, Sendable, CaseIterable {
    case queued, dialing, ringing, answered, qualifying, transferring, transferred, ended
    case blocked
    case noAnswer = "no_answer"
    case busy, voicemail, failed
    case notQualified = "not_qualified"
    case optOut = "opt_out"

    public var isLive: Bool { [.queued, .dialing, .ringing, .answered, .qualifying, .transferring, .transferred].contains(self) }

    /// The states a call may move to from this one.
    public var allowedNext: Set<CallStatus> {
        let endings: Set<CallStatus> = [.ended, .failed]
        switch self {
        case .queued: return [.dialing, .blocked, .failed]
        case .dialing: return endings.union([.ringing, .answered, .noAnswer, .busy, .voicemail])
        case .ringing: return endings.union([.answered, .noAnswer, .busy, .voicemail])
        case .answered: return endings.union([.qualifying, .voicemail, .notQualified, .optOut])
        case .qualifying: return endings.union([.transferring, .notQualified, .optOut])
        case .transferring: return endings.union([.transferred, .transferring])
        case .transferred: return endings
        case .ended, .blocked, .noAnswer, .busy, .voicemail, .failed, .notQualified, .optOut: return []
        }
    }

    /// Whether an unanswered call of this kind is tried again later.
    var isRetried: Bool { self == .noAnswer || self == .busy || self == .voicemail || self == .failed }
}

/// How a finished call turned out (the terminal state, or for an ended call what happened in it).
public enum CallOutcome: String, Codable, Sendable {
    case blocked
    case noAnswer = "no_answer"
    case busy, voicemail, failed
    case notQualified = "not_qualified"
    case optOut = "opt_out"
    /// The consumer hung up before a transfer.
    case hungUp = "hung_up"
    /// Qualified, but no line was open to take the transfer.
    case noDestination = "no_destination"
    /// Qualified, but every line tried failed to answer.
    case transferFailed = "transfer_failed"
    case transferred
}

public struct CallAttempt: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var leadID: String
    public var campaignID: String?
    public var attemptNo: Int
    public var provider: String
    public var providerCallID: String?
    public var fromNumber: String?
    public var toNumber: String
    public var status: CallStatus
    public var outcome: CallOutcome?
    public var leadStatusBefore: LeadStatus
    /// The gate's decision, JSON.
    public var compliance: String
    public var outreachAttemptID: String?
    public var disclosures: [String]
    public var answers: [String: String]
    public var transcript: [TranscriptLine]
    public var endReason: String?
    public var ringSeconds: Int?
    public var talkSeconds: Int?
    public var createdAt: String
    public var answeredAt: String?
    public var endedAt: String?
    public var updatedAt: String

    init(row: Row) {
        id = row["id"]; tenantID = row["tenant_id"]; leadID = row["lead_id"]; campaignID = row["campaign_id"]; attemptNo = row["attempt_no"]
        provider = row["provider"]; providerCallID = row["provider_call_id"]; fromNumber = row["from_number"]; toNumber = row["to_number"]
        status = CallStatus(rawValue: row["status"]) ?? .failed
        outcome = (row["outcome"] as String?).flatMap(CallOutcome.init(rawValue:))
        leadStatusBefore = LeadStatus(rawValue: row["lead_status_before"]) ?? .new
        compliance = row["compliance"]; outreachAttemptID = row["outreach_attempt_id"]
        disclosures = StoredJSON.decode([String].self, row["disclosures"]) ?? []
        answers = StoredJSON.decode([String: String].self, row["answers"]) ?? [:]
        transcript = StoredJSON.decode([TranscriptLine].self, row["transcript"]) ?? []
        endReason = row["end_reason"]; ringSeconds = row["ring_seconds"]; talkSeconds = row["talk_seconds"]
        createdAt = row["created_at"]; answeredAt = row["answered_at"]; endedAt = row["ended_at"]; updatedAt = row["updated_at"]
    }
}

/// One line of a call's transcript.
public struct TranscriptLine: Codable, Sendable, Equatable {
    /// `agent` or `consumer`.
    public var speaker: String
    public var text: String

    public init(speaker: String, text: String) { self.speaker = speaker; self.text = text }
    public static func agent(_ text: String) -> TranscriptLine { TranscriptLine(speaker: "agent", text: text) }
    public static func consumer(_ text: String) -> TranscriptLine { TranscriptLine(speaker: "consumer", text: text) }
}

/// A step of a call, as stored.
public struct CallEventRecord: Sendable, Equatable {
    public var at: String
    public var kind: String
    public var detail: String
}

/// A warm transfer of a call to a destination.
public struct Transfer: Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ringing, bridged, failed, ended }

    public var id: String
    public var tenantID: String
    public var leadID: String
    public var attemptID: String
    public var destinationID: String
    public var buyerID: String?
    public var destinationPhone: String
    /// The number the destination saw: the consumer's.
    public var callerID: String
    public var status: Status
    public var failure: String?
    public var priceCents: Int?
    public var startedAt: String
    public var bridgedAt: String?
    public var endedAt: String?
    public var durationSeconds: Int?
    public var revenueCents: Int?
    public var postbackID: String?

    init(row: Row) {
        id = row["id"]; tenantID = row["tenant_id"]; leadID = row["lead_id"]; attemptID = row["attempt_id"]
        destinationID = row["destination_id"]; buyerID = row["buyer_id"]; destinationPhone = row["destination_phone"]
        callerID = row["caller_id"]; status = Status(rawValue: row["status"]) ?? .failed; failure = row["failure"]
        priceCents = row["price_cents"]; startedAt = row["started_at"]; bridgedAt = row["bridged_at"]; endedAt = row["ended_at"]
        durationSeconds = row["duration_seconds"]; revenueCents = row["revenue_cents"]; postbackID = row["postback_id"]
    }
}
