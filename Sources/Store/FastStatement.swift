import GRDB
import GRDBSQLite

/// Values bound in order to a statement run by `run(_:)` or `exists(_:)`, straight into SQLite without GRDB's
/// `StatementArguments` (an array of boxed values per execution). The intake's inserts run a few per lead on the
/// single writer, where that boxing was a tenth of the work.
public struct Bindings: ~Copyable {
    fileprivate let statement: OpaquePointer
    fileprivate var index: Int32 = 0

    public mutating func add(_ text: String?) {
        index += 1
        guard var text else { sqlite3_bind_null(statement, index); return }
        text.withUTF8 { bytes in
            // An empty string still needs a non-null pointer, or SQLite stores NULL.
            let start = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? emptyText
            _ = sqlite3_bind_text(statement, index, start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), sqliteTransient)
        }
    }

    public mutating func add(_ number: Int?) {
        index += 1
        guard let number else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, Int64(number))
    }
}

/// SQLite's `SQLITE_TRANSIENT`: copy the bytes now (a macro Swift cannot import).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
private nonisolated(unsafe) let emptyText = UnsafeRawPointer(("" as StaticString).utf8Start)

extension GRDB.Statement {
    /// Binds every parameter with `bind`, in order, and runs the statement to completion (an INSERT or UPDATE).
    public func run(_ bind: (inout Bindings) -> Void) throws {
        _ = try step(bind)
    }

    /// Binds every parameter with `bind` and tells whether the query returns a row.
    public func exists(_ bind: (inout Bindings) -> Void) throws -> Bool {
        try step(bind)
    }

    private func step(_ bind: (inout Bindings) -> Void) throws -> Bool {
        sqlite3_reset(sqliteStatement)
        var bindings = Bindings(statement: sqliteStatement)
        bind(&bindings)
        precondition(bindings.index == sqlite3_bind_parameter_count(sqliteStatement), "every parameter of \(sql) must be bound")
        defer {
            sqlite3_reset(sqliteStatement)
            sqlite3_clear_bindings(sqliteStatement)
        }
        while true {
            switch sqlite3_step(sqliteStatement) {
            case SQLITE_ROW: if isReadonly { return true }
            case SQLITE_DONE: return false
            case let code:
                let connection = sqlite3_db_handle(sqliteStatement)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
            }
        }
    }
}
