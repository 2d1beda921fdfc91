import Foundation
import LeadlineCrypto

/// What a call platform's revenue postback says, whichever names it uses: Ringba, Retreaver, TrackDrive and others
/// each spell caller id, duration, buyer, payout and call id their own way. Names are matched without regard to case.
public struct PostbackReport: Sendable, Equatable {
    static let callerNames = ["caller_id", "callerid", "ani", "from", "phone", "caller_number"]
    static let durationNames = ["duration", "call_duration", "billable_seconds", "talk_time"]
    static let buyerNames = ["buyer", "buyer_name", "target"]
    static let dollarNames = ["payout", "revenue", "amount", "call_revenue"]
    static let centNames = ["payout_cents"]
    static let callIDNames = ["call_id", "call_uuid", "callid"]
    /// Where a platform echoes the id Leadline gave it (a transfer's `xfer_…` or a call's `call_…`).
    static let echoNames = ["transfer_id", "leadline_id", "sub_id", "ref_id", "attempt_id"]

    /// E.164 when it reads as a US number, otherwise as sent.
    public var callerID: String?
    public var durationSeconds: Int?
    public var buyer: String?
    public var revenueCents: Int?
    /// The platform's own id for the call.
    public var platformCallID: String?
    /// Leadline's transfer or call id, echoed back.
    public var echoedID: String?
    /// Fields present but unreadable: the hit is kept for review with these.
    public var problems: [CoreError.FieldProblem] = []

    public init(fields: [(name: String, value: String)]) {
        var byName: [String: String] = [:]
        for (name, value) in fields where byName[name.lowercased()] == nil {
            let trimmed = value.trimmingSpaces
            if !trimmed.isEmpty { byName[name.lowercased()] = String(trimmed.prefix(200)) }
        }
        func first(_ names: [String]) -> (name: String, value: String)? {
            for name in names { if let value = byName[name] { return (name, value) } }
            return nil
        }
        if let caller = first(Self.callerNames) {
            callerID = (try? PhoneNumber.normalize(caller.value)) ?? caller.value
        }
        if let duration = first(Self.durationNames) {
            if let seconds = Self.seconds(duration.value) { durationSeconds = seconds } else {
                problems.append(.init(duration.name, "must be a number of seconds"))
            }
        }
        buyer = first(Self.buyerNames)?.value
        if let cents = first(Self.centNames) {
            if let value = Int(cents.value), value >= 0, value <= 100_000_000 { revenueCents = value } else {
                problems.append(.init(cents.name, "must be a whole number of cents"))
            }
        } else if let dollars = first(Self.dollarNames) {
            if let value = Self.cents(dollars.value) { revenueCents = value } else {
                problems.append(.init(dollars.name, "must be an amount in dollars, such as 38.50 or $38.50"))
            }
        }
        for name in Self.echoNames { if let value = byName[name], Self.isOurs(value) { echoedID = value; break } }
        if let call = first(Self.callIDNames) {
            if Self.isOurs(call.value) { echoedID = echoedID ?? call.value } else { platformCallID = call.value }
        }
    }

    /// Whether an id is one Leadline gave out.
    static func isOurs(_ id: String) -> Bool { id.hasPrefix("xfer_") || id.hasPrefix("call_") }

    /// `38.50`, `$38.50`, `38.5`, `38`, `1,038.50` → cents; nil for anything else (negative, more than 2 decimals, words).
    static func cents(_ text: String) -> Int? {
        var text = text
        if text.hasPrefix("$") { text.removeFirst() }
        text = text.replacingOccurrences(of: ",", with: "")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty || parts.count == 2,
              whole.allSatisfy(\.isASCIIDigit), whole.count <= 9 else { return nil }
        var cents = (Int(whole) ?? 0) * 100
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            cents += Int(fraction.count == 1 ? fraction + "0" : fraction)!
        }
        return cents
    }

    /// Whole seconds (`247`, or `247.4` rounded), at most a day.
    static func seconds(_ text: String) -> Int? {
        guard let value = Double(text), value.isFinite, value >= 0, value <= 86_400 else { return nil }
        return Int(value.rounded())
    }

    /// The same hit again has the same fingerprint.
    var fingerprint: String {
        let parts = [callerID ?? "", durationSeconds.map(String.init) ?? "", buyer ?? "", revenueCents.map(String.init) ?? "",
                     platformCallID ?? "", echoedID ?? ""]
        return Digest.sha256(parts.joined(separator: "\u{1F}")).hex
    }
}
