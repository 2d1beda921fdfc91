/// What an API key may do. `admin` includes every other scope; the others are independent, so a publisher's key
/// can be `write` only (send leads, never read them back).
public enum Scope: String, Codable, Sendable, CaseIterable, Comparable {
    case read, write, admin, compliance

    public static func < (a: Scope, b: Scope) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Parses `read,write`; unknown names are reported by name.
    public static func parseList(_ text: String) throws -> [Scope] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        return try parse(names)
    }

    public static func parse(_ names: [String]) throws -> [Scope] {
        var scopes: Set<Scope> = []
        for name in names {
            guard let scope = Scope(rawValue: name) else {
                throw CoreError.invalid([.init("scopes", "unknown scope '\(name)'; use read, write, admin, compliance")])
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw CoreError.invalid([.init("scopes", "at least one scope is required")]) }
        return scopes.sorted()
    }
}
