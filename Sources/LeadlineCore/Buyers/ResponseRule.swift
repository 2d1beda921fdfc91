import Foundation
import Synchronization

/// How a buyer's answer to a ping or a post is read: by HTTP status, by JSON paths, or by regular expressions.
/// Mis-reading an answer silently turns sales into rejections (or worse), so a rule is checked when it is saved and
/// an answer it cannot read is an error, never a guess.
public struct ResponseRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case httpStatus = "http_status"
        case jsonPath = "json_path"
        case regex
    }
    public enum PriceUnit: String, Codable, Sendable, CaseIterable { case cents, dollars }

    public var type: Kind
    /// `http_status`: the statuses that mean yes (default: any 2xx).
    public var acceptStatuses: [Int]?
    /// `json_path`: where the yes/no is (`status`, `result.accepted`, `bids.0.ok`), and the values meaning yes
    /// (compared without case; default `true`, `accepted`, `accept`, `success`, `ok`, `yes`, `1`).
    public var acceptPath: String?
    public var acceptValues: [String]?
    public var pricePath: String?
    public var reasonPath: String?
    /// `regex`: yes when `accept_pattern` matches; the price and reason are the one capture group of theirs.
    public var acceptPattern: String?
    public var pricePattern: String?
    public var reasonPattern: String?
    /// Whether prices in answers are cents (default) or dollars (`12.50`).
    public var priceUnit: PriceUnit?

    public init(type: Kind) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type, acceptStatuses = "accept_statuses", acceptPath = "accept_path", acceptValues = "accept_values"
        case pricePath = "price_path", reasonPath = "reason_path", acceptPattern = "accept_pattern"
        case pricePattern = "price_pattern", reasonPattern = "reason_pattern", priceUnit = "price_unit"
    }

    /// The rule used when a buyer has none: `{"accepted": true, "price_cents": 3500, "reason": "…"}`.
    public static let standard: ResponseRule = {
        var rule = ResponseRule(type: .jsonPath)
        rule.acceptPath = "accepted"
        rule.pricePath = "price_cents"
        rule.reasonPath = "reason"
        return rule
    }()

    static let defaultAcceptValues = ["true", "accepted", "accept", "success", "ok", "yes", "1"]

    /// The problems with the rule, under `field` (e.g. `response_parsing`).
    func problems(field: String) -> [CoreError.FieldProblem] {
        var problems: [CoreError.FieldProblem] = []
        func fail(_ name: String, _ reason: String) { problems.append(.init("\(field).\(name)", reason)) }
        switch type {
        case .httpStatus:
            if let statuses = acceptStatuses, statuses.isEmpty || statuses.contains(where: { !(100...599).contains($0) }) {
                fail("accept_statuses", "must list HTTP statuses (100–599)")
            }
        case .jsonPath:
            if (acceptPath ?? "").isEmpty { fail("accept_path", "is required for json_path, e.g. status or result.accepted") }
            for (name, path) in [("accept_path", acceptPath), ("price_path", pricePath), ("reason_path", reasonPath)] {
                if let path, path.count > 200 || path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                    fail(name, "must be a dot path such as result.price")
                }
            }
        case .regex:
            if (acceptPattern ?? "").isEmpty { fail("accept_pattern", "is required for regex, e.g. ^ACCEPTED") }
            for (name, pattern, groups) in [("accept_pattern", acceptPattern, nil), ("price_pattern", pricePattern, 1), ("reason_pattern", reasonPattern, 1)] {
                guard let pattern else { continue }
                guard pattern.count <= 500, let expression = try? NSRegularExpression(pattern: pattern) else {
                    fail(name, "is not a valid regular expression"); continue
                }
                if let groups, expression.numberOfCaptureGroups != groups { fail(name, "must have exactly one capture group, e.g. price=(\\d+)") }
            }
        }
        return problems
    }

    /// What the buyer said: yes or no, the price it named and its reason. `failure` when the answer cannot be read
    /// (a server error, a body the rule does not fit).
    public struct Reading: Sendable, Equatable {
        public var accepted: Bool
        public var priceCents: Int?
        public var reason: String?

        public init(accepted: Bool, priceCents: Int?, reason: String?) {
            self.accepted = accepted
            self.priceCents = priceCents
            self.reason = reason
        }
    }

    public enum Unreadable: Error, Equatable, Sendable, CustomStringConvertible {
        case serverError(Int)
        case notJSON
        case missing(String)
        case badPrice(String)

        public var description: String {
            switch self {
            case .serverError(let status): return "the buyer answered HTTP \(status)"
            case .notJSON: return "the answer is not JSON"
            case .missing(let path): return "the answer has nothing at \(path)"
            case .badPrice(let text): return "the price '\(text.prefix(40))' is not a number"
            }
        }
    }

    public func read(status: Int, body: [UInt8]) -> Result<Reading, Unreadable> {
        if status >= 500 { return .failure(.serverError(status)) }
        switch type {
        case .httpStatus:
            let accepted = acceptStatuses.map { $0.contains(status) } ?? (200..<300).contains(status)
            return .success(Reading(accepted: accepted, priceCents: nil, reason: accepted ? nil : "HTTP \(status)"))
        case .jsonPath:
            guard let json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else { return .failure(.notJSON) }
            guard let acceptPath, let flag = Self.value(at: acceptPath, in: json) else { return .failure(.missing(acceptPath ?? "")) }
            let yes = (acceptValues ?? Self.defaultAcceptValues).map { $0.lowercased() }
            let accepted = yes.contains(Self.text(flag).lowercased())
            var price: Int?
            if let pricePath, let value = Self.value(at: pricePath, in: json), !(value is NSNull) {
                guard let cents = cents(Self.text(value)) else { return .failure(.badPrice(Self.text(value))) }
                price = cents
            }
            let reason = reasonPath.flatMap { Self.value(at: $0, in: json) }.map(Self.text).map { String($0.prefix(200)) }
            return .success(Reading(accepted: accepted, priceCents: price, reason: reason))
        case .regex:
            let text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
            let accepted = Self.firstMatch(acceptPattern ?? "", in: text, group: 0) != nil
            var price: Int?
            if let pricePattern, let captured = Self.firstMatch(pricePattern, in: text, group: 1) {
                guard let cents = cents(captured) else { return .failure(.badPrice(captured)) }
                price = cents
            }
            let reason = reasonPattern.flatMap { Self.firstMatch($0, in: text, group: 1) }.map { String($0.prefix(200)) }
            return .success(Reading(accepted: accepted, priceCents: price, reason: reason))
        }
    }

    /// A price in the rule's unit as cents; nil when it is not a non-negative number (dollars to at most 2 places).
    private func cents(_ text: String) -> Int? {
        var trimmed = text.trimmingSpaces
        // "$35.00": the sign is dropped, without Foundation's replacing (a copy through NSString for every bid read).
        if trimmed.utf8.contains(UInt8(ascii: "$")) {
            trimmed.removeAll { $0 == "$" }
            trimmed = trimmed.trimmingSpaces  // "$ 35"
        }
        switch priceUnit ?? .cents {
        case .cents:
            if let whole = Int(trimmed), whole >= 0 { return whole }
            // 3500.0 from a JSON number
            if let number = Double(trimmed), number >= 0, number == number.rounded(), number < 1e12 { return Int(number) }
            return nil
        case .dollars:
            guard let amount = Decimal(string: trimmed), amount >= 0, amount < 1e10 else { return nil }
            var scaled = amount * 100
            var rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)
            guard rounded == scaled else { return nil }
            return NSDecimalNumber(decimal: rounded).intValue
        }
    }

    /// The value at a dotted path (`result.bids.0.amount`, with or without a leading `$.`). A path of one name, the
    /// usual rule, is looked up without splitting it.
    static func value(at path: String, in json: Any) -> Any? {
        let keys = path.hasPrefix("$.") ? path.dropFirst(2) : path[...]
        if keys.isEmpty { return json }
        guard keys.utf8.contains(UInt8(ascii: ".")) else { return step(json, keys) }
        var current: Any? = json
        for key in keys.split(separator: ".") {
            guard let next = current.flatMap({ step($0, key) }) else { return nil }
            current = next
        }
        return current
    }

    private static func step(_ value: Any, _ key: Substring) -> Any? {
        if let object = value as? [String: Any] { return object[String(key)] }
        if let array = value as? [Any], let index = Int(key), array.indices.contains(index) { return array[index] }
        return nil
    }

    /// The class JSONSerialization gives JSON `true` and `false` (a boolean NSNumber), found once by parsing one.
    private static let booleanClass: ObjectIdentifier? = {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data("true".utf8), options: [.fragmentsAllowed]) as? NSNumber,
              let number = try? JSONSerialization.jsonObject(with: Data("1".utf8), options: [.fragmentsAllowed]) as? NSNumber,
              Swift.type(of: parsed) != Swift.type(of: number) else { return nil }
        return ObjectIdentifier(Swift.type(of: parsed))
    }()

    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber {
            // JSON true and false arrive as a boolean NSNumber, whose stringValue would be 1 or 0.
            if ObjectIdentifier(Swift.type(of: number)) == booleanClass { return number.boolValue ? "true" : "false" }
            return number.stringValue
        }
        if value is NSNull { return "" }
        return String(describing: value)
    }

    /// Compiled expressions by pattern: a buyer's rule is read for every answer it gives, and compiling the pattern
    /// cost more than matching it. Emptied when it holds 256 (patterns come from buyers' settings, a few per buyer).
    private static let expressions = Mutex<[String: CompiledExpression]>([:])

    private struct CompiledExpression: @unchecked Sendable {  // an NSRegularExpression is immutable once made
        let expression: NSRegularExpression
    }

    static func expression(_ pattern: String) -> NSRegularExpression? {
        if let cached = expressions.withLock({ $0[pattern] }) { return cached.expression }
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { return nil }
        expressions.withLock { cache in
            if cache.count >= 256 { cache.removeAll() }
            cache[pattern] = CompiledExpression(expression: compiled)
        }
        return compiled
    }

    static func firstMatch(_ pattern: String, in text: String, group: Int) -> String? {
        guard let expression = expression(pattern),
              let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: group), in: text) else { return nil }
        return String(text[range])
    }
}
