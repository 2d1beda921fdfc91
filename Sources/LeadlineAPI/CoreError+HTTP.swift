import HTTPServer
import LeadlineCore
import Store

extension CoreError: HTTPErrorConvertible {
    public var httpError: HTTPError {
        switch self {
        case .invalid(let problems): return .validation(problems.map { .init(field: $0.field, reason: $0.reason) })
        case .notFound(let what): return .notFound("\(what) not found")
        case .conflict(let message): return .conflict(message)
        case .refused(let code, let message): return .conflict(message, code: code)
        case .gone(let code, let message): return HTTPError(status: 410, code: code, message: message)
        }
    }
}

extension StoreError: HTTPErrorConvertible {
    public var httpError: HTTPError { .serviceUnavailable(description) }
}
