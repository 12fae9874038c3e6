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

    /// False once the server went away, the socket broke or a pipeline failed on the wire; such a
    /// connection is replaced.
    public var isHealthy: Bool { !broken && PQstatus(handle) == CONNECTION_OK }
    private var broken = false

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

    /// Runs several statements in one round trip (libpq's pipeline mode): all are sent, then one
    /// sync, then every result is read. The server skips everything after the first failure; that
    /// failure is thrown once every result has been read, so the connection is ready for the next
    /// statement (inside a transaction, which the failure has aborted).
    @discardableResult
    public func pipeline(_ statements: [(sql: String, arguments: [PostgresValue])]) throws(StoreError) -> [PostgresResult] {
        if statements.count == 1 { return [try query(statements[0].sql, statements[0].arguments)] }
        let names = try statements.map { statement throws(StoreError) in
            try statementName(statement.sql, parameterCount: statement.arguments.count)
        }
        guard PQenterPipelineMode(handle) == 1 else { throw lost("cannot enter pipeline mode") }
        for (statement, name) in zip(statements, names) {
            let sent = PostgresValue.withParameters(statement.arguments) { values, lengths, formats in
                PQsendQueryPrepared(handle, name, Int32(statement.arguments.count), values, lengths, formats, 0)
            }
            guard sent == 1 else { throw lost("cannot send a pipelined statement") }
        }
        guard PQpipelineSync(handle) == 1 else { throw lost("cannot send a pipeline sync") }
        var results: [PostgresResult] = []
        var failure: StoreError?
        for statement in statements {
            // Each statement's results end with a null result.
            var last: PostgresResult?
            while let next = PQgetResult(handle) { last = PostgresResult(next) }
            guard let result = last else { throw lost("a pipelined statement had no result") }
            if failure == nil, result.status != PGRES_PIPELINE_ABORTED {
                do throws(StoreError) { try check(result, sql: statement.sql) } catch { failure = error }
            }
            results.append(result)
        }
        guard let sync = PQgetResult(handle).map(PostgresResult.init), sync.status == PGRES_PIPELINE_SYNC else {
            throw lost("the pipeline did not end with its sync")
        }
        guard PQexitPipelineMode(handle) == 1 else { throw lost("cannot leave pipeline mode") }
        if let failure { throw failure }
        return results
    }

    /// A pipeline that went wrong on the wire: the session's state is unknown, so the pool drops
    /// the connection instead of reusing it.
    private func lost(_ what: String) -> StoreError {
        broken = true
        return StoreError(.unavailable, "PostgreSQL: \(what): \(Self.firstLine(PQerrorMessage(handle)))")
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
