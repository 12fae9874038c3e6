import CSQLite3
import CofferStore

/// One prepared statement. Owned by the `Database` that prepared it and finalized in `deinit`;
/// it never leaves that connection's thread.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let database: Database

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(database: Database, sql: String) throws(StoreError) {
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            throw database.error(rc, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds every parameter, so no earlier binding survives and none needs clearing first.
    func bind(_ values: [SQLiteValue]) throws(StoreError) {
        sqlite3_reset(handle)
        precondition(
            Int(sqlite3_bind_parameter_count(handle)) == values.count,
            "statement expects \(sqlite3_bind_parameter_count(handle)) arguments, got \(values.count): \(sql)")
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case let .integer(n): rc = sqlite3_bind_int64(handle, index, n)
            // withCString lends a native string's own bytes; passing the String itself made a
            // copy through `utf8CString` for every argument (callgrind). SQLite copies them
            // (transient), with their length, so a NUL inside is kept, not a place to stop.
            case let .text(s):
                rc = s.withCString { sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(s.utf8.count), Self.transient, UInt8(SQLITE_UTF8)) }
            case let .blob(bytes):
                rc = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
            }
            guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
        }
    }

    /// Advances one row; true while a row is available.
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    func reset() { sqlite3_reset(handle) }

    func row() -> Row { Row(statement: self) }
}

/// Column access for the current row of a statement; valid only until the next step.
public struct Row: RecordRow {
    fileprivate let statement: Statement

    public var columnCount: Int { Int(sqlite3_column_count(statement.handle)) }

    public func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(statement.handle, Int32(column)) == SQLITE_NULL
    }

    public func int64(_ column: Int) -> Int64 { sqlite3_column_int64(statement.handle, Int32(column)) }

    public func text(_ column: Int) -> String {
        guard let pointer = sqlite3_column_text(statement.handle, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(statement.handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    public func blob(_ column: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement.handle, Int32(column)))
        guard count > 0, let pointer = sqlite3_column_blob(statement.handle, Int32(column)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
