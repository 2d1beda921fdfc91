import Foundation
import HTTPServer
import LeadlineCore

/// `/admin/api`: the API reference, rendered from the same OpenAPI document `GET /openapi.json` serves, so the page
/// and the machine-readable description cannot disagree. Operations are grouped by tag, each with its key and scopes,
/// parameters, body fields (references and `allOf` resolved, nested objects as dotted names) and answers.
extension Console {
    func registerAPIReference(_ router: inout Router, document: JSONValue) {
        addPage(&router, .GET, "/admin/api") { [self] request in
            guard let session = try await session(request) else { return Pages.redirect("/admin/login") }
            return pages.render("apiReference", title: "API reference", viewer: viewer(session), APIReference(document).values)
        }
    }
}

/// The OpenAPI document as the reference page's values.
struct APIReference {
    let document: JSONValue

    init(_ document: JSONValue) { self.document = document }

    var values: [String: Any] {
        let info = document["info"]
        let paths = document["paths"].members
        var byTag: [String: [[String: Any]]] = [:]
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for method in ["get", "post", "put", "patch", "delete"] {
                guard case .object = item[method] else { continue }
                let operation = item[method]
                let tag = operation["tags"].items.first?.text ?? "Other"
                byTag[tag, default: []].append(self.operation(method, path, operation, pathLevel: item["parameters"]))
            }
        }
        let tags = document["tags"].items.compactMap { tag -> [String: Any]? in
            guard let name = tag["name"].text, let operations = byTag[name] else { return nil }
            return ["name": name, "anchor": Self.anchor(name), "description": Self.inline(tag["description"].text),
                    "operations": operations, "count": operations.count]
        }
        return ["version": info["version"].text ?? "", "summary": Self.inline(info["description"].text), "tags": tags,
                "total": tags.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }]
    }

    func operation(_ method: String, _ path: String, _ operation: JSONValue, pathLevel: JSONValue) -> [String: Any] {
        var values: [String: Any] = [
            "method": method.uppercased(), "path": path, "summary": operation["summary"].text ?? "",
            "anchor": operation["operationId"].text ?? Self.anchor(method + path), "auth": Self.auth(operation["security"]),
        ]
        if let description = operation["description"].text { values["about"] = Self.inline(description); values["hasAbout"] = true }
        let parameters = (pathLevel.items + operation["parameters"].items).map { parameter -> [String: Any] in
            ["name": parameter["name"].text ?? "", "in": parameter["in"].text ?? "",
             "type": typeName(parameter["schema"]), "required": parameter["required"] == .bool(true),
             "description": Self.inline(parameter["description"].text)]
        }
        if !parameters.isEmpty { values["parameters"] = parameters; values["hasParameters"] = true }
        let body = operation["requestBody"]
        if let (contentType, content) = body["content"].members.sorted(by: { $0.key < $1.key }).first {
            var fields: [[String: Any]] = []
            collectFields(content["schema"], prefix: "", into: &fields, depth: 0)
            values["body"] = ["contentType": body["content"].members.keys.sorted().joined(separator: ", "),
                              "fields": fields, "hasFields": !fields.isEmpty, "type": typeName(content["schema"]),
                              "required": body["required"] == .bool(true), "json": contentType == "application/json"]
        }
        values["answers"] = operation["responses"].members.sorted { $0.key < $1.key }.map { status, answer -> [String: Any] in
            let resolved = resolve(answer)
            return ["status": status, "description": Self.inline(resolved["description"].text),
                    "error": (Int(status) ?? 0) >= 400,
                    "type": resolved["content"].members.sorted { $0.key < $1.key }.first.map { typeName($0.value["schema"]) } ?? ""]
        }
        return values
    }

    /// Who may call: the key's header and the scopes, any one of which will do.
    static func auth(_ security: JSONValue) -> String {
        let requirements = security.items
        if requirements.isEmpty { return "No key" }
        var parts: [String] = []
        var scopes: [String] = []
        for requirement in requirements {
            guard let (scheme, needed) = requirement.members.first else { parts.append("no key from this machine"); continue }
            parts.append(["bearer": "Authorization: Bearer", "apiKey": "X-API-Key", "complianceKey": "X-Compliance-API-Key"][scheme] ?? scheme)
            scopes = needed.items.compactMap(\.text)
        }
        return parts.joined(separator: " or ") + (scopes.isEmpty ? "" : " · scope " + scopes.joined(separator: " or "))
    }

    /// The fields of an object schema, with nested objects' fields as `parent.child`.
    func collectFields(_ schema: JSONValue, prefix: String, into fields: inout [[String: Any]], depth: Int) {
        let schema = resolve(schema)
        var properties: [String: JSONValue] = schema["properties"].members
        var required = Set(schema["required"].items.compactMap(\.text))
        for part in schema["allOf"].items {
            let resolved = resolve(part)
            properties.merge(resolved["properties"].members) { current, _ in current }
            required.formUnion(resolved["required"].items.compactMap(\.text))
        }
        for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
            let resolved = resolve(property)
            fields.append(["name": prefix + name, "type": typeName(property), "required": required.contains(name),
                           "description": Self.inline(resolved["description"].text)])
            if depth < 2, resolved["properties"].members.isEmpty == false || resolved["allOf"].items.isEmpty == false {
                collectFields(resolved, prefix: prefix + name + ".", into: &fields, depth: depth + 1)
            }
        }
    }

    /// A schema in a few words: `string (email)`, `integer 1–500`, `one of: a, b`, `array of Buyer`, `Buyer`.
    func typeName(_ schema: JSONValue) -> String {
        if let reference = schema["$ref"].text { return String(reference.split(separator: "/").last ?? "") }
        if !schema["anyOf"].items.isEmpty {
            return schema["anyOf"].items.map(typeName).filter { !$0.isEmpty }.joined(separator: " or ")
        }
        if !schema["allOf"].items.isEmpty { return schema["allOf"].items.map(typeName).first { !$0.isEmpty } ?? "object" }
        if let constant = schema["const"].text { return constant.isEmpty ? "empty" : "\"\(constant)\"" }
        if !schema["enum"].items.isEmpty { return "one of: " + schema["enum"].items.compactMap(\.text).joined(separator: ", ") }
        var types = schema["type"].items.compactMap(\.text)
        if let single = schema["type"].text { types = [single] }
        var words = types.filter { $0 != "null" }.first ?? (schema["properties"].members.isEmpty ? "" : "object")
        if words == "array" { words = "array of " + typeName(schema["items"]) }
        if let format = schema["format"].text { words += " (\(format))" }
        switch (schema["minimum"].integer, schema["maximum"].integer) {
        case (let low?, let high?): words += " \(low)–\(high)"
        case (let low?, nil): words += " ≥ \(low)"
        case (nil, let high?): words += " ≤ \(high)"
        default: break
        }
        if types.contains("null") { words += ", or null" }
        return words
    }

    /// A `$ref` followed into `#/components/…`; anything else as it is.
    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let reference = schema["$ref"].text, reference.hasPrefix("#/") else { return schema }
        return reference.dropFirst(2).split(separator: "/").reduce(document) { $0[String($1)] }
    }

    /// Text with `code` in backticks, as parts the template writes as text or `<code>` (both escaped).
    static func inline(_ text: String?) -> [[String: Any]] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { index, part in
            part.isEmpty ? nil : ["text": String(part), "code": index % 2 == 1]
        }
    }

    static func anchor(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}

private extension JSONValue {
    subscript(key: String) -> JSONValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }
    var members: [String: JSONValue] { if case .object(let members) = self { members } else { [:] } }
    var items: [JSONValue] { if case .array(let items) = self { items } else { [] } }
    var text: String? { if case .string(let text) = self { text } else { nil } }
    var integer: Int? { if case .integer(let value) = self { value } else { nil } }
}

extension Templates {
    /// One part of `APIReference.inline` text.
    static let inlineCode = "{{#code}}<code>{{text}}</code>{{/code}}{{^code}}{{text}}{{/code}}"

    static let apiReference = """
        {{<layout}}
        {{$content}}
        <h1>API reference</h1>
        <p class="scope">Leadline {{version}} · {{total}} operations · the same description as
          <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1), for any OpenAPI tool. Keys: <a href="/admin/keys">API keys</a>.</p>
        <section class="card">
          <p>{{#summary}}{{>inlineCode}}{{/summary}}</p>
          <nav aria-label="Sections" class="toc">{{#tags}}<a href="#{{anchor}}">{{name}} ({{count}})</a> {{/tags}}</nav>
        </section>
        {{#tags}}
        <section class="card api-tag" id="{{anchor}}">
          <h2>{{name}}</h2>
          <p class="scope">{{#description}}{{>inlineCode}}{{/description}}</p>
          {{#operations}}
          <details class="operation" id="{{anchor}}">
            <summary><code class="method {{method}}">{{method}}</code> <code>{{path}}</code> — {{summary}}</summary>
            {{#hasAbout}}<p>{{#about}}{{>inlineCode}}{{/about}}</p>{{/hasAbout}}
            <p class="scope">Key: {{auth}}</p>
            {{#hasParameters}}
            <table class="dense"><caption>Parameters</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">About</th></tr></thead>
              <tbody>{{#parameters}}<tr><td><code>{{name}}</code>{{#required}} <span class="status">required</span>{{/required}}</td><td>{{in}}</td><td>{{type}}</td><td>{{#description}}{{>inlineCode}}{{/description}}</td></tr>{{/parameters}}</tbody>
            </table>
            {{/hasParameters}}
            {{#body}}
            <table class="dense"><caption>Body: {{contentType}} · {{type}}</caption>
              {{#hasFields}}<thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">About</th></tr></thead>
              <tbody>{{#fields}}<tr><td><code>{{name}}</code>{{#required}} <span class="status">required</span>{{/required}}</td><td>{{type}}</td><td>{{#description}}{{>inlineCode}}{{/description}}</td></tr>{{/fields}}</tbody>{{/hasFields}}
            </table>
            {{/body}}
            <table class="dense"><caption>Answers</caption>
              <tbody>{{#answers}}<tr><td><code{{#error}} class="error"{{/error}}>{{status}}</code></td><td>{{#description}}{{>inlineCode}}{{/description}}</td><td>{{type}}</td></tr>{{/answers}}</tbody>
            </table>
          </details>
          {{/operations}}
        </section>
        {{/tags}}
        {{/content}}
        {{/layout}}
        """
}
