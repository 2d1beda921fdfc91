public enum StoreError: Error, CustomStringConvertible, Equatable {
    case newerSchema(path: String, unknown: [String])
    case notALeadlineDatabase(path: String, reason: String)
    case integrityCheckFailed(path: String, problems: [String])
    case locked(path: String)
    case io(String)

    public var description: String {
        switch self {
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer Leadline (it has migrations this binary does not know: \(unknown.joined(separator: ", "))); upgrade the binary instead"
        case .notALeadlineDatabase(let path, let reason):
            return "\(path) is not a Leadline database: \(reason)"
        case .integrityCheckFailed(let path, let problems):
            return "\(path) failed its integrity check: \(problems.prefix(5).joined(separator: "; "))"
        case .locked(let path):
            return "\(path) is in use by a running `leadline serve`; stop it first"
        case .io(let message):
            return message
        }
    }
}
