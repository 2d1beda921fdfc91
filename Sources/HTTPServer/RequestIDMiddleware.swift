import Synchronization

/// Gives every request an id (the caller's `X-Request-Id` when it is sane) and echoes it on the response.
public struct RequestIDMiddleware: Middleware {
    private let prefix: String
    private let counter = Counter()

    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
        func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
    }

    public init() {
        var generator = SystemRandomNumberGenerator()
        prefix = "req_" + String(generator.next() as UInt32, radix: 16)
    }

    public func prepare(_ request: inout Request) throws -> Response? {
        if let given = request.headers["X-Request-Id"], Self.isSane(given) {
            request.requestID = given
        } else {
            request.requestID = prefix + "_" + String(counter.next(), radix: 36)
        }
        return nil
    }

    public func finish(_ request: Request, _ response: inout Response) {
        response.headers.set("X-Request-Id", request.requestID)
    }

    static func isSane(_ id: String) -> Bool {
        id.utf8.count <= 64 && !id.isEmpty && id.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 46
        }
    }
}
