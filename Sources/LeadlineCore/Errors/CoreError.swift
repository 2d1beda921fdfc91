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

    public var description: String {
        switch self {
        case .invalid(let problems): return problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        case .notFound(let what): return "\(what) not found"
        case .conflict(let message): return message
        }
    }
}
