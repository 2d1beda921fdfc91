/// Collects the problems found while checking a caller's fields, under a prefix (`consent.`) where the fields nest.
struct FieldChecks {
    let prefix: String
    private(set) var problems: [CoreError.FieldProblem] = []

    init(prefix: String = "") { self.prefix = prefix }

    mutating func fail(_ field: String, _ reason: String) {
        problems.append(.init(prefix + field, reason))
    }

    /// The text without surrounding whitespace, nil when that leaves nothing; a problem when longer than `max`.
    mutating func text(_ value: String?, _ field: String, max: Int) -> String? {
        guard let value = value?.trimmingSpaces, !value.isEmpty else { return nil }
        // Characters are counted only when the bytes could be too many: each takes one byte or more.
        if value.utf8.count > max, value.count > max { fail(field, "must be at most \(max) characters") }
        return value
    }
}
