import GRDB
import GRDBSQLite

/// Values bound in order to a statement run by `run(_:)` or `exists(_:)`, straight into SQLite without GRDB's
/// `StatementArguments` (an array of boxed values per execution). The intake's inserts run a few per lead on the
/// single writer, where that boxing was a tenth of the work.
///
/// Text is copied into a buffer that lives until the statement has run (on the stack) and bound from there, so SQLite
/// neither copies it into memory of its own nor frees that afterwards (a malloc, a copy and a free per value, 8% of
/// the writer's instructions on an import). Text the buffer has no room for is bound the usual way, copied by SQLite.
public struct Bindings: ~Copyable {
    fileprivate let statement: OpaquePointer
    fileprivate var index: Int32 = 0
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    fileprivate init(statement: OpaquePointer, buffer: UnsafeMutableRawBufferPointer) {
        self.statement = statement
        self.buffer = buffer
    }

    public mutating func add(_ text: String?) {
        index += 1
        guard var text else { sqlite3_bind_null(statement, index); return }
        let index = index
        used = text.withUTF8 { bytes -> Int in
            let count = bytes.count
            guard count <= buffer.count - used, let base = buffer.baseAddress else {
                // An empty string still needs a non-null pointer, or SQLite stores NULL.
                let start = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? emptyText
                _ = sqlite3_bind_text(statement, index, start.assumingMemoryBound(to: CChar.self), Int32(count), sqliteTransient)
                return used
            }
            let start = base + used
            if count > 0 { start.copyMemory(from: bytes.baseAddress!, byteCount: count) }
            _ = sqlite3_bind_text(statement, index, start.assumingMemoryBound(to: CChar.self), Int32(count), sqliteStatic)
            return used + count
        }
    }

    public mutating func add(_ number: Int?) {
        index += 1
        guard let number else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, Int64(number))
    }
}

/// The current row of a query run by `first(_:_:)` or `forEachRow(_:_:)`, read straight from SQLite (GRDB's `Row`
/// boxes every value and its lookups are generic: a tenth of a lead's reads on the request path). Valid only inside
/// the closure it is handed to. Columns count from 0, in the query's order.
public struct Columns {
    fileprivate let statement: OpaquePointer

    /// The column as an integer; nil when it is NULL.
    public func int(_ column: Int32) -> Int? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
    }

    /// The column as text; nil when it is NULL.
    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        if count == 0 { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            buffer.baseAddress!.initialize(from: bytes, count: count)
            return count
        }
    }
}

/// SQLite's `SQLITE_TRANSIENT` (copy the bytes now) and `SQLITE_STATIC` (they outlive the statement's run): macros
/// Swift cannot import.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
private let sqliteStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)
private nonisolated(unsafe) let emptyText = UnsafeRawPointer(("" as StaticString).utf8Start)

/// An INSERT of one row, or of many at once, for tables written on the hot path: the columns are named once, next to
/// the code that binds them in the same order (a mismatch in number stops the process at the first insert).
public struct RowInsert: Sendable {
    /// How many rows the many-row statement takes.
    public let chunk: Int
    let oneSQL: String
    let manySQL: String

    /// `orIgnore`: a row that breaks a uniqueness constraint is skipped (`INSERT OR IGNORE`).
    public init(into table: String, _ columns: [String], orIgnore: Bool = false, chunk: Int = 50) {
        let row = "(" + repeatElement("?", count: columns.count).joined(separator: ", ") + ")"
        let head = "INSERT \(orIgnore ? "OR IGNORE " : "")INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        self.chunk = chunk
        oneSQL = head + row
        manySQL = head + repeatElement(row, count: chunk).joined(separator: ", ")
    }
}

extension GRDB.Database {
    /// Inserts `rows` in order: `insert.chunk` at a time through one statement while as many remain, the rest one by
    /// one. Each execution of a statement opens and closes a cursor on the table and every index, and ends with a
    /// halt that checks constraints and frees memory: for a lead, a third of the writer's SQLite work, shared by 50
    /// rows this way.
    public func insert<Row>(_ rows: [Row], _ insert: RowInsert, bind: (Row, inout Bindings) -> Void) throws {
        // Rows are read in place through the buffer: this generic code is not specialised for the row type, and
        // iterating the array copied each row through its value witness, retaining every string in it.
        try rows.withUnsafeBufferPointer { rows in
            var next = 0
            if rows.count >= insert.chunk {
                let many = try cachedStatement(sql: insert.manySQL)
                while rows.count - next >= insert.chunk {
                    try many.run(textCapacity: 64 << 10) { bindings in
                        for index in next..<next + insert.chunk { bind(rows[index], &bindings) }
                    }
                    next += insert.chunk
                }
            }
            guard next < rows.count else { return }
            let one = try cachedStatement(sql: insert.oneSQL)
            for index in next..<rows.count { try one.run { bind(rows[index], &$0) } }
        }
    }
}

extension GRDB.Statement {
    /// Binds every parameter with `bind`, in order, and runs the statement to completion (an INSERT or UPDATE).
    /// `textCapacity`: the bytes of text bound without SQLite copying them (more is copied).
    public func run(textCapacity: Int = 2048, _ bind: (inout Bindings) -> Void) throws {
        _ = try step(textCapacity: textCapacity, bind)
    }

    /// Binds every parameter with `bind` and tells whether the query returns a row.
    public func exists(_ bind: (inout Bindings) -> Void) throws -> Bool {
        try step(bind)
    }

    /// Binds every parameter with `bind` and reads the first column of the query's first row as an integer (a
    /// count); nil when there is no row.
    public func int(_ bind: (inout Bindings) -> Void) throws -> Int? {
        try first(bind) { $0.int(0) ?? 0 }
    }

    /// Binds every parameter with `bind` and reads the query's first row with `read`; nil when there is no row.
    public func first<T>(_ bind: (inout Bindings) -> Void, _ read: (Columns) -> T) throws -> T? {
        var value: T?
        _ = try step(bind) { row in
            value = read(Columns(statement: row))
            return false
        }
        return value
    }

    /// Binds every parameter with `bind` and hands every row of the query to `read`, in order.
    public func forEachRow(_ bind: (inout Bindings) -> Void, _ read: (Columns) -> Void) throws {
        _ = try step(bind) { row in
            read(Columns(statement: row))
            return true
        }
    }

    /// Runs the statement. A query's rows go to `row` until it answers false; the answer tells whether there was one.
    private func step(textCapacity: Int = 2048, _ bind: (inout Bindings) -> Void,
                      row: (OpaquePointer) -> Bool = { _ in false }) throws -> Bool {
        // The bound text's buffer: the statement is reset and its bindings cleared before it goes.
        try withUnsafeTemporaryAllocation(byteCount: textCapacity, alignment: 1) { buffer in
            sqlite3_reset(sqliteStatement)
            var bindings = Bindings(statement: sqliteStatement, buffer: buffer)
            bind(&bindings)
            precondition(bindings.index == sqlite3_bind_parameter_count(sqliteStatement), "every parameter of \(sql) must be bound")
            defer {
                sqlite3_reset(sqliteStatement)
                sqlite3_clear_bindings(sqliteStatement)
            }
            var sawRow = false
            while true {
                switch sqlite3_step(sqliteStatement) {
                case SQLITE_ROW:
                    if isReadonly {
                        sawRow = true
                        if !row(sqliteStatement) { return true }
                    }
                case SQLITE_DONE: return sawRow
                case let code:
                    let connection = sqlite3_db_handle(sqliteStatement)
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
                }
            }
        }
    }
}
