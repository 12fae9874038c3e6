import CSQLite3

/// A failed SQLite call, with the primary result code folded into the few kinds callers act on.
/// The SQL text is kept for logs; it never reaches a response body.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another connection holds the write lock past the busy timeout: retry later.
        case busy
        /// The file cannot be opened or read: the database is unavailable.
        case unavailable
        /// A CHECK, UNIQUE, FOREIGN KEY or NOT NULL constraint refused the change.
        case constraint
        case other
    }

    public let kind: Kind
    public let resultCode: Int32
    public let message: String
    public let sql: String?

    /// A failure that is not one SQLite call's (a batch that could not commit).
    init(kind: Kind, message: String) {
        self.kind = kind
        self.resultCode = kind == .unavailable ? SQLITE_IOERR : SQLITE_ERROR
        self.message = message
        self.sql = nil
    }

    init(resultCode: Int32, message: String, sql: String? = nil) {
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
        switch resultCode & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_READONLY: kind = .unavailable
        case SQLITE_CONSTRAINT: kind = .constraint
        default: kind = .other
        }
    }

    public var description: String {
        "SQLite error \(resultCode): \(message)" + (sql.map { " [\($0)]" } ?? "")
    }
}
