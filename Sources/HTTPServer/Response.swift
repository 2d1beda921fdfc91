import Foundation

public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A body produced in pieces as it is sent, so a large download is never held in memory.
        case stream(length: UInt64?, ResponseStream)
        /// A file sent straight from disk by libmicrohttpd.
        case file(path: String)
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPHeaders()
        headers.set("Content-Type", contentType)
        return Response(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        return Response(status: status, headers: headers, body: .bytes(try JSON.encode(value)))
    }
}

/// Produces a streamed body. `read` fills the buffer with the bytes at `offset` and returns how many it wrote:
/// 0 at the end, a negative number on error (the connection is then closed).
public protocol ResponseStream: Sendable {
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int
}
