import Foundation
import OutboundHTTP

/// A URL a tenant configures for Leadline to call (a buyer's ping or post URL, a webhook), checked when it is saved.
/// The address policy is applied again on every connection, after DNS; this check catches what can be seen at once.
public enum TargetURL {
    public static let maxLength = 2048

    /// The URL, trimmed; a field problem when it is not an http(s) URL with a host, or names a refused address.
    public static func checked(_ text: String, field: String, policy: AddressPolicy) throws(CoreError) -> String {
        let url = text.trimmingSpaces
        func fail(_ reason: String) -> CoreError { .invalid([.init(field, reason)]) }
        guard url.count <= maxLength else { throw fail("must be at most \(maxLength) characters") }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parts.host, !host.isEmpty else {
            throw fail("must be an http or https URL such as https://crm.example.com/leads")
        }
        guard parts.user == nil && parts.password == nil else { throw fail("must not carry a user name or password") }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if let address = IPAddress(bare), let refusal = policy.refusal(for: address) { throw fail(refusal) }
        if !policy.allowPrivate && ["localhost", "localhost.localdomain"].contains(bare.lowercased()) {
            throw fail("localhost is a loopback address (start the server with --allow-private-targets to allow it)")
        }
        return url
    }
}
