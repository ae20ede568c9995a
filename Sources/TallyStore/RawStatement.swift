import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement of the writer's hot path, bound and stepped through SQLite's C interface.
///
/// GRDB's `execute(arguments:)` boxes every argument as an existential, checks the arguments
/// against the statement and looks the statement up by its SQL text; per row that costs more than
/// the row's B-tree work on the ingest writer, which runs such a statement for every event. This
/// wrapper binds plain integers, strings and bytes in place. The statement itself stays GRDB's
/// (from `cachedStatement`, which keeps it alive for the connection), so GRDB still owns its life
/// and the transaction around it; each use resets it, so GRDB finds it as it left it.
struct RawStatement {
    private let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }

    /// The connection's cached statement for `sql`: looked up once per batch, not once per row.
    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    /// SQLite copies bound text and blobs at once, so the Swift buffers need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { bytes in
            // A null pointer would bind NULL; an empty string binds '' like GRDB does.
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(bytes.count), Self.transient)
        }
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, bytes: [UInt8]?) {
        guard let bytes else {
            sqlite3_bind_null(handle, index)
            return
        }
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), Self.transient)
        }
    }

    /// Runs a statement that returns no row, then resets it.
    func run() throws {
        defer { reset() }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw Self.error(code, statement) }
    }

    /// The rows the last statement run on the connection inserted, updated or deleted.
    var changes: Int32 { sqlite3_changes(sqlite3_db_handle(handle)) }

    /// Steps a query: true while it has a row, false at its end (reset then).
    func next() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        reset()
        guard code == SQLITE_DONE else { throw Self.error(code, statement) }
        return false
    }

    /// Ends a query before its last row.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// The column's text; nil when NULL.
    func text(_ column: Int32) -> String? {
        guard !isNull(column), let base = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    /// The column's bytes, copied; nil when NULL.
    func bytes(_ column: Int32) -> [UInt8]? {
        guard !isNull(column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    private static func error(_ code: Int32, _ statement: Statement) -> DatabaseError {
        let db = sqlite3_db_handle(statement.sqliteStatement)
        let message = db.map { String(cString: sqlite3_errmsg($0)) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
