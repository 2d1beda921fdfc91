import HTTPServer
import LeadlineCore

/// The unsubscribe link of every email: `GET` shows a page with one button, `POST` unsubscribes, which is also the
/// one-click unsubscribe mail programs send on their own (RFC 8058, body `List-Unsubscribe=One-Click`). The token is
/// the only credential: no login, no cookie.
extension Routes {
    mutating func addUnsubscribe(_ unsubscribes: Unsubscribes) {
        add(.GET, "/unsubscribe/{token}", access: .open) { request in
            guard try unsubscribes.isValid(token: try request.parameter("token")) else { return Self.unsubscribePage(.unknown) }
            return Self.unsubscribePage(.confirm)
        }
        addAsync(.POST, "/unsubscribe/{token}", access: .open, maxBodyBytes: 4 << 10,
                 accepts: ["application/x-www-form-urlencoded"]) { request in
            try await unsubscribes.unsubscribe(token: try request.parameter("token")) ? Self.unsubscribePage(.done) : Self.unsubscribePage(.unknown)
        }
    }

    enum UnsubscribeState { case confirm, done, unknown }

    static func unsubscribePage(_ state: UnsubscribeState) -> Response {
        let (status, title, content): (Int, String, String) = switch state {
        case .confirm: (200, "Unsubscribe", """
            <p>Stop getting our emails, texts and calls?</p>
            <form method="post"><button type="submit">Unsubscribe</button></form>
            """)
        case .done: (200, "You are unsubscribed", "<p>You will not hear from us again. It can take a few minutes for messages already on their way.</p>")
        case .unknown: (404, "Link not recognised", "<p>This unsubscribe link is not valid. Reply STOP to a text, or contact the sender.</p>")
        }
        var response = Response.text("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}
            button{font:inherit;padding:.5rem 1.25rem}</style></head>
            <body><h1>\(title)</h1>\(content)</body></html>
            """, status: status, contentType: "text/html; charset=utf-8")
        response.headers.add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        response.headers.add("X-Frame-Options", "DENY")
        return response
    }
}
