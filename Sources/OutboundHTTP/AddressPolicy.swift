#if canImport(Glibc)
import Glibc
#endif

/// Which addresses a tenant-configured URL (a buyer's ping or post URL, a webhook) may reach. Checked on the address
/// each connection is actually opened to, after DNS, so a name that resolves to an inside address (or changes to one
/// between a check and the request) is refused all the same.
public struct AddressPolicy: Sendable, Equatable {
    /// Loopback, private, link-local, carrier-grade NAT and the like are refused unless this is set
    /// (`leadline serve --allow-private-targets`, the demo and the simulator, whose mock buyers live on loopback).
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) { self.allowPrivate = allowPrivate }

    public static let publicOnly = AddressPolicy(allowPrivate: false)

    /// Why a connection to this address is refused; nil when it may go ahead. Cloud metadata services are refused even
    /// when private targets are allowed: no buyer lives there, and a credential does.
    public func refusal(for address: IPAddress) -> String? {
        if address.isMetadataService { return "\(address) is a cloud metadata address" }
        if !allowPrivate, let kind = address.nonPublicKind {
            return "\(address) is a \(kind) address (start the server with --allow-private-targets to allow it)"
        }
        return nil
    }
}

/// An IPv4 or IPv6 address as bytes, with the ranges that are not the public internet.
public enum IPAddress: Sendable, Equatable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    /// From the text of an address (`10.0.0.1`, `::1`); nil for a host name.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { self = .v4(UInt32(bigEndian: v4.s_addr)); return }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { self = .v6(withUnsafeBytes(of: v6) { Array($0) }); return }
        return nil
    }

    /// From a socket address; nil for a family that is not IP.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self).pointee
            self = .v4(UInt32(bigEndian: v4.sin_addr.s_addr))
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in6.self).pointee
            self = .v6(withUnsafeBytes(of: v6.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
        case .v6(let bytes):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    var isMetadataService: Bool {
        switch self {
        case .v4(let value):
            // 169.254.169.254 (AWS, GCP, Azure, …), 100.100.100.200 (Alibaba).
            return value == 0xA9FE_A9FE || value == 0x6464_64C8
        case .v6(let bytes):
            // fd00:ec2::254 (AWS over IPv6), and the v4 ones mapped.
            if bytes == [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54] { return true }
            return embeddedV4.map { IPAddress.v4($0).isMetadataService } ?? false
        }
    }

    /// What kind of non-public address this is (`loopback`, `private`, …); nil for a public one.
    var nonPublicKind: String? {
        switch self {
        case .v4(let value):
            let ranges: [(UInt32, Int, String)] = [
                (0x0000_0000, 8, "\"this network\""), (0x0A00_0000, 8, "private"), (0x6440_0000, 10, "carrier-grade NAT"),
                (0x7F00_0000, 8, "loopback"), (0xA9FE_0000, 16, "link-local"), (0xAC10_0000, 12, "private"),
                (0xC000_0000, 24, "protocol-assignment"), (0xC000_0200, 24, "documentation"), (0xC0A8_0000, 16, "private"),
                (0xC612_0000, 15, "benchmarking"), (0xC633_6400, 24, "documentation"), (0xCB00_7100, 24, "documentation"),
                (0xE000_0000, 4, "multicast"), (0xF000_0000, 4, "reserved"),
            ]
            for (base, bits, kind) in ranges where value >> UInt32(32 - bits) == base >> UInt32(32 - bits) { return kind }
            return nil
        case .v6(let bytes):
            if let v4 = embeddedV4 { return IPAddress.v4(v4).nonPublicKind }
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return "loopback" }
            if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
            if bytes[0] & 0xfe == 0xfc { return "private" }                       // fc00::/7 unique local
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "link-local" } // fe80::/10
            if bytes[0] == 0xff { return "multicast" }
            if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8 { return "documentation" }
            return nil
        }
    }

    /// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address.
    private var embeddedV4: UInt32? {
        guard case .v6(let bytes) = self else { return nil }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let nat64 = bytes[0..<12].elementsEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])
        guard mapped || nat64 else { return nil }
        return bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
