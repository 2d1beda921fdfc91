import HTTPServer
import LeadlineCore

/// Reads a console form into the core's patch fields, the way an edit form means them: a field the form does not
/// carry is left as it is (`.absent`), a blank one clears the setting (`.null`), and anything else is parsed (dollars
/// to cents, whole numbers, lists split on commas or spaces). What cannot be parsed is kept as a problem under the
/// form field's name and left out of the input; `refusal(adding:)` then joins these to the core's own problems with
/// the rest, so that one refusal lists every mistake.
struct FormReader {
    let form: FormBody
    private(set) var problems: [CoreError.FieldProblem] = []
    /// The core's names of the settings whose fields could not be read: the core's complaints about them (missing,
    /// say) would repeat what the form's problem already says.
    private(set) var unread: Set<String> = []

    init(_ form: FormBody) { self.form = form }

    /// The field's value with surrounding spaces trimmed; nil when the form does not carry it.
    func raw(_ name: String) -> String? { form[name]?.trimmingSpaces }

    func text(_ name: String) -> Patch<String> {
        guard let value = raw(name) else { return .absent }
        return value.isEmpty ? .null : .value(value)
    }

    func list(_ name: String, uppercased: Bool = false) -> Patch<[String]> {
        text(name).map { value in
            value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map { uppercased ? $0.uppercased() : String($0) }
        }
    }

    /// A whole number; `setting` is the core's name for it when that differs.
    mutating func whole(_ name: String, setting: String? = nil) -> Patch<Int> {
        text(name).compactMap { value in
            guard let number = Int(value.replacingOccurrences(of: ",", with: "")) else {
                fail(name, "must be a whole number", setting: setting); return nil
            }
            return number
        }
    }

    /// Dollars (`250`, `$1,000`, `99.50`) as cents; `setting` is the core's name for it (`bid_cents`).
    mutating func cents(_ name: String, setting: String? = nil) -> Patch<Int> {
        text(name).compactMap { value in
            do { return try Console.cents(value, field: name) } catch CoreError.invalid(let found) {
                for problem in found { fail(problem.field, problem.reason, setting: setting) }
            } catch {}
            return nil
        }
    }

    /// A field holding JSON (a call script, a response rule), read as the API reads a body: a problem inside it is
    /// named by its path under `name` (`script.questions[0].id`); `what` says what the field must hold.
    mutating func json<Value: Decodable & Sendable>(_ name: String, as type: Value.Type, what: String, setting: String? = nil) -> Patch<Value> {
        text(name).compactMap { json in
            do { return try JSON.decode(type, from: Array(json.utf8)) } catch let error as HTTPError {
                if error.fields.isEmpty { fail(name, "must be \(what): \(error.message)", setting: setting) }
                for problem in error.fields { fail("\(name).\(problem.field)", problem.reason, setting: setting ?? name) }
            } catch {
                fail(name, "must be \(what)", setting: setting)
            }
            return nil
        }
    }

    /// A checkbox: browsers send it only when ticked.
    func ticked(_ name: String) -> Bool { form[name] == "on" }

    mutating func fail(_ field: String, _ reason: String, setting: String? = nil) {
        problems.append(.init(field, reason))
        unread.insert(setting ?? field)
    }

    /// The refusal for a form with problems of its own, with what the core finds in the rest (`coreProblems`, asked
    /// only then); nil when the form was read whole, and the core's own call decides.
    func refusal(adding coreProblems: () throws -> [CoreError.FieldProblem]) rethrows -> CoreError? {
        guard !problems.isEmpty else { return nil }
        let others = try coreProblems().filter { !unread.contains($0.field) && !unread.contains(String($0.field.prefix { $0 != "[" && $0 != "." })) }
        return .invalid(problems + others)
    }
}

extension Patch {
    func map<Other: Sendable>(_ transform: (Value) -> Other) -> Patch<Other> {
        switch self {
        case .absent: return .absent
        case .null: return .null
        case .value(let value): return .value(transform(value))
        }
    }

    /// Like `map`; a value `transform` cannot read leaves the field as it is (its problem is recorded elsewhere).
    func compactMap<Other: Sendable>(_ transform: (Value) -> Other?) -> Patch<Other> {
        switch self {
        case .absent: return .absent
        case .null: return .null
        case .value(let value): return transform(value).map { .value($0) } ?? .absent
        }
    }
}

extension Templates {
    /// The start of a settings form (buyer, campaign): where it posts (`formAction`), its CSRF token and tenant, and
    /// a fieldset disabled for viewers. The form closes it with `</fieldset></form>`.
    static let settingsFormOpen = """
        <form method="post" action="{{formAction}}">
          <input type="hidden" name="_csrf" value="{{csrf}}">
          <input type="hidden" name="tenant" value="{{tenant}}">
          <fieldset class="plain"{{^canChange}} disabled{{/canChange}}>
        """

    /// A webhook signing secret: never shown; blank keeps the stored one (`signed`), and a box removes it.
    static let webhookSecretFields = """
        <label for="webhook-secret">Webhook signing secret ({{#signed}}set; blank keeps it{{/signed}}{{^signed}}blank: unsigned{{/signed}})</label>
        <input id="webhook-secret" name="webhook_secret" type="password" autocomplete="new-password" maxlength="512">
        {{#signed}}<label class="check"><input type="checkbox" name="clear_webhook_secret"> Stop signing (remove the secret)</label>{{/signed}}
        """
}
