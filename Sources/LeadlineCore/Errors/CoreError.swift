/// What the core refuses, with what a caller needs to fix it. The API layer maps each case to a status code.
public enum CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public struct FieldProblem: Equatable, Sendable {
        public var field: String
        public var reason: String
        public init(_ field: String, _ reason: String) { self.field = field; self.reason = reason }
    }

    case invalid([FieldProblem])
    case notFound(String)
    case conflict(String)
    /// Refused because of the state something is in, with a code a program can branch on (`no_bid`, `already_sold`).
    case refused(code: String, String)
    /// Refused because it is no longer there to act on (an expired ping).
    case gone(code: String, String)

    public var description: String {
        switch self {
        case .invalid(let problems): return problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        case .notFound(let what): return "\(what) not found"
        case .conflict(let message), .refused(_, let message), .gone(_, let message): return message
        }
    }
}
