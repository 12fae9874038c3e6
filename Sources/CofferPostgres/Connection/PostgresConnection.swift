import CPostgres
import CofferStore

/// One libpq connection: owns the `PGconn*`, the names of the statements it has prepared, and
/// turns every failed call into a `StoreError`. libpq connections are not safe to share between
/// threads, so one belongs to one thread at a time; the pool hands it over under its lock.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked: only the thread that checked it out of the pool touches it (see
    // `PostgresPool`); the pool's lock orders the hand-over.
    private let handle: OpaquePointer
    /// Statement text → the name it was prepared under on this session.
    private var prepared: [String: String] = [:]

    /// Connects and sets the session up: READ COMMITTED, UTC, and lock and statement timeouts
    /// so that a stuck lock answers "busy" (503) instead of holding a worker forever.
    /// The URL's password never appears in the error (libpq's messages name host and user only).
    public init(url: String, lockTimeoutMs: Int = 5000) throws(StoreError) {
        guard let handle = PQconnectdb(url) else { throw StoreError(.unavailable, "PostgreSQL: out of memory while connecting") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(handle))
            PQfinish(handle)
            throw StoreError(.unavailable, "cannot connect to PostgreSQL: \(message)")
        }
        self.handle = handle
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try execute(
            """
            SET default_transaction_isolation = 'read committed';
            SET TIME ZONE 'UTC';
            SET lock_timeout = \(lockTimeoutMs);
            SET idle_in_transaction_session_timeout = 60000
            """)
    }

    deinit { PQfinish(handle) }

    /// False once the server went away or the socket broke; such a connection is replaced.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether a transaction is open (or aborted) on this session.
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Runs one or more statements without arguments (DDL, SET, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(StoreError) {
        let result = PostgresResult(PQexec(handle, sql))
        try check(result, sql: sql)
    }

    /// Runs a statement with arguments through this session's prepared statement for its text,
    /// preparing it on first use.
    @discardableResult
    public func query(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> PostgresResult {
        let name = try statementName(sql, parameterCount: arguments.count)
        let result = PostgresValue.withParameters(arguments) { values, lengths, formats in
            PostgresResult(PQexecPrepared(handle, name, Int32(arguments.count), values, lengths, formats, 0))
        }
        try check(result, sql: sql)
        return result
    }

    private func statementName(_ sql: String, parameterCount: Int) throws(StoreError) -> String {
        if let name = prepared[sql] { return name }
        let name = "coffer_\(prepared.count + 1)"
        let result = PostgresResult(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        try check(result, sql: sql)
        prepared[sql] = name
        return name
    }

    private func check(_ result: PostgresResult, sql: String) throws(StoreError) {
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default:
            let message = result.errorMessage ?? Self.firstLine(PQerrorMessage(handle))
            throw StoreError(sqlState: result.sqlState, connectionLost: !isHealthy, message: message, sql: sql)
        }
    }

    private static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
