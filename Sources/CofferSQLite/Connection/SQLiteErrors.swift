import CSQLite3
import CofferStore

extension StoreError {
    /// A failed SQLite call: the primary result code decides the kind; the extended code and
    /// the SQL text go to `detail`, for logs only.
    init(sqliteResultCode resultCode: Int32, message: String, sql: String? = nil) {
        let kind: Kind
        switch resultCode & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_READONLY: kind = .unavailable
        case SQLITE_CONSTRAINT: kind = .constraint
        default: kind = .other
        }
        self.init(kind, "SQLite error \(resultCode): \(message)", detail: sql)
    }
}
