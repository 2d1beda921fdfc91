import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stub resolver for TXT records (RFC 1035 over UDP): asks one recursive resolver, follows CNAMEs, and answers the
/// records' text. Enough to check a sending domain's SPF, DKIM and DMARC records, through the resolver the operator
/// names (or the system's), with a timeout on every question.
public struct DNSClient: Sendable {
    public var host: String
    public var port: UInt16
    public var timeout: TimeInterval
    public var attempts: Int

    public init(host: String, port: UInt16 = 53, timeout: TimeInterval = 2, attempts: Int = 2) {
        self.host = host; self.port = port; self.timeout = timeout; self.attempts = attempts
    }

    /// `HOST` or `HOST:PORT` (IPv4), or nil for the first nameserver of /etc/resolv.conf.
    public static func resolver(_ address: String?) -> DNSClient? {
        if let address {
            let parts = address.split(separator: ":")
            guard let host = parts.first.map(String.init), parts.count <= 2 else { return nil }
            guard let port = parts.count == 2 ? UInt16(parts[1]) : 53 else { return nil }
            return DNSClient(host: host, port: port)
        }
        let conf = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        for line in conf.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", !words[1].contains(":") { return DNSClient(host: String(words[1])) }
        }
        return DNSClient(host: "127.0.0.1")
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreachable(String)
        case timedOut
        case malformed(String)
        case serverFailure(Int)

        public var description: String {
            switch self {
            case .unreachable(let why): return "the DNS resolver could not be reached: \(why)"
            case .timedOut: return "the DNS resolver did not answer in time"
            case .malformed(let why): return "the DNS answer could not be read: \(why)"
            case .serverFailure(let code): return "the DNS resolver answered with error \(code)"
            }
        }
    }

    /// The TXT records at `name` (each record's strings joined), following CNAMEs; empty when the name or its TXT
    /// records do not exist.
    public func txt(_ name: String) throws -> [String] {
        var name = name
        for _ in 0..<8 {
            let answer = try ask(name, type: 16)
            if !answer.texts.isEmpty || answer.cname == nil { return answer.texts }
            name = answer.cname!
        }
        throw Failure.malformed("too many CNAMEs")
    }

    struct Answer { var texts: [String] = [], cname: String? }

    func ask(_ name: String, type: UInt16) throws -> Answer {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = Self.query(id: id, name: name, type: type)
        var lastError = Failure.timedOut
        for _ in 0..<max(1, attempts) {
            do {
                return try Self.parse(try exchange(query, id: id), asked: name, type: type)
            } catch let error as Failure where error == .timedOut {
                lastError = error
            }
        }
        throw lastError
    }

    static func query(id: UInt16, name: String, type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]   // RD; one question
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8.prefix(63))
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]   // root; type; class IN
        return bytes
    }

    private func exchange(_ query: [UInt8], id: UInt16) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.unreachable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure.unreachable("\(host) is not an IPv4 address") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == query.count else { throw Failure.unreachable(String(cString: strerror(errno))) }
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw Failure.unreachable(String(cString: strerror(errno)))
            }
            // Another answer (a late one to an earlier question) is skipped.
            if count >= 12, UInt16(buffer[0]) << 8 | UInt16(buffer[1]) == id { return Array(buffer.prefix(count)) }
        }
        throw Failure.timedOut
    }

    static func parse(_ message: [UInt8], asked: String, type: UInt16) throws -> Answer {
        var reader = Reader(bytes: message)
        reader.offset = 2
        let flags = try reader.u16()
        let rcode = Int(flags & 0x000f)
        if rcode == 3 { return Answer() }                      // NXDOMAIN
        if rcode != 0 { throw Failure.serverFailure(rcode) }
        let questions = try reader.u16(), answers = try reader.u16()
        reader.offset = 12
        for _ in 0..<questions { _ = try reader.name(); reader.offset += 4 }
        var answer = Answer()
        for _ in 0..<answers {
            _ = try reader.name()
            let recordType = try reader.u16()
            reader.offset += 6                                   // class, TTL
            let length = Int(try reader.u16())
            let end = reader.offset + length
            guard end <= message.count else { throw Failure.malformed("a record runs past the message") }
            switch recordType {
            case 16 where type == 16:
                var text: [UInt8] = []
                while reader.offset < end {
                    let size = Int(message[reader.offset])
                    guard reader.offset + 1 + size <= end else { throw Failure.malformed("a TXT string runs past its record") }
                    text += message[(reader.offset + 1)..<(reader.offset + 1 + size)]
                    reader.offset += 1 + size
                }
                answer.texts.append(String(decoding: text, as: UTF8.self))
            case 5:
                answer.cname = try reader.name()
            default:
                break
            }
            reader.offset = end
        }
        return answer
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u16() throws -> UInt16 {
            guard offset + 2 <= bytes.count else { throw Failure.malformed("the message is cut short") }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        /// A name, following compression pointers (and never looping).
        mutating func name() throws -> String {
            var labels: [String] = []
            var cursor = offset, jumped = false, jumps = 0
            while true {
                guard cursor < bytes.count else { throw Failure.malformed("a name runs past the message") }
                let length = Int(bytes[cursor])
                if length == 0 { cursor += 1; break }
                if length & 0xc0 == 0xc0 {
                    guard cursor + 1 < bytes.count, jumps < 16 else { throw Failure.malformed("a bad name pointer") }
                    if !jumped { offset = cursor + 2 }
                    jumped = true
                    jumps += 1
                    cursor = (length & 0x3f) << 8 | Int(bytes[cursor + 1])
                    continue
                }
                guard cursor + 1 + length <= bytes.count else { throw Failure.malformed("a label runs past the message") }
                labels.append(String(decoding: bytes[(cursor + 1)..<(cursor + 1 + length)], as: UTF8.self))
                cursor += 1 + length
            }
            if !jumped { offset = cursor }
            return labels.joined(separator: ".")
        }
    }
}
