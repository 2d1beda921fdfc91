import HTTPServer
import LeadlineCrypto
import Mustache

/// Renders the console's pages and puts the security headers every page carries: a strict Content-Security-Policy
/// (same-origin styles and scripts only, no inline code; the nonce is there for the progressive-enhancement scripts
/// to come), no framing, no sniffing, no referrer, no caching of pages that may hold personal data.
struct Pages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            do { try library.register(text, named: name) } catch { preconditionFailure("console template \(name): \(error)") }
        }
        self.library = library
    }

    /// The signed-in user as the layout shows them.
    struct Viewer {
        let email: String, role: String, csrf: String
    }

    func render(_ name: String, title: String, viewer: Viewer?, _ values: [String: Any] = [:], status: Int = 200) -> Response {
        var context = values
        context["title"] = title
        if let viewer { context["user"] = ["email": viewer.email, "role": viewer.role, "csrf": viewer.csrf, "operator": viewer.role == "operator"] }
        let html = library.render(context, withTemplate: name) ?? ""
        var response = Response.text(html, status: status, contentType: "text/html; charset=utf-8")
        Self.secure(&response)
        return response
    }

    static func secure(_ response: inout Response) {
        let nonce = SecureRandom.bytes(16).hex
        response.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-\(nonce)'; "
                             + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.set("X-Frame-Options", "DENY")
        response.headers.set("X-Content-Type-Options", "nosniff")
        // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on form posts, which the
        // same-origin check must refuse. Nothing leaks to other sites either way.
        response.headers.set("Referrer-Policy", "same-origin")
        response.headers.set("Cache-Control", "no-store")
    }

    static func redirect(_ location: String) -> Response {
        var response = Response(status: 303)
        response.headers.set("Location", location)
        secure(&response)
        return response
    }
}
