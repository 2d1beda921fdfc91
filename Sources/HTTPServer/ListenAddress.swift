import Foundation

/// `HOST:PORT` or `[IPv6]:PORT`, resolved to a socket address for libmicrohttpd.
struct ListenAddress: Sendable {
    let host: String
    let port: UInt16
    let isIPv6: Bool

    init(_ text: String) throws {
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ServerError.badListenAddress(text)
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ServerError.badListenAddress(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portPart) else { throw ServerError.badListenAddress(text) }
        if hostPart == "localhost" { hostPart = "127.0.0.1" }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        self.host = String(hostPart)
        self.port = port
        self.isIPv6 = hostPart.contains(":")
        var probe4 = in_addr()
        var probe6 = in6_addr()
        let valid = isIPv6 ? inet_pton(AF_INET6, host, &probe6) == 1 : inet_pton(AF_INET, host, &probe4) == 1
        guard valid else { throw ServerError.badListenAddress(text) }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
