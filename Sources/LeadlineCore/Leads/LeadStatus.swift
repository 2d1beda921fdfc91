/// One state machine for every lead, whichever dialect or console changed it. A change that is not listed is refused.
///
///     new ──▶ qualified ──▶ dialing ──▶ contacted ──▶ transferred ──▶ delivered ──▶ accepted
///      │          │            │            │              │              │            │
///      └──────────┴────────────┴────────────┴──▶ ineligible └──────────────┴──▶ returned ◀┘
///
/// `ineligible` (no consent, DNC, invalid, opted out) and `returned` are final.
public enum LeadStatus: String, Codable, Sendable, CaseIterable {
    case new, qualified, dialing, contacted, transferred, delivered, accepted, returned, ineligible

    public var allowedNext: Set<LeadStatus> {
        switch self {
        case .new: return [.qualified, .dialing, .contacted, .delivered, .ineligible]
        case .qualified: return [.dialing, .contacted, .transferred, .delivered, .ineligible]
        // A call that is not answered puts the lead back where it was for the next attempt.
        case .dialing: return [.new, .qualified, .contacted, .transferred, .ineligible]
        case .contacted: return [.qualified, .dialing, .transferred, .delivered, .ineligible]
        case .transferred: return [.delivered, .accepted, .returned]
        case .delivered: return [.accepted, .returned]
        case .accepted: return [.returned]
        case .returned, .ineligible: return []
        }
    }

    public func canMove(to next: LeadStatus) -> Bool { allowedNext.contains(next) }

    /// Whether a lead in this state may still be called or sold.
    public var isEligible: Bool { self != .ineligible && self != .returned }
}
