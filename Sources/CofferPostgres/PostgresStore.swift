import CofferCore
import CofferStore

/// The scale-out store: PostgreSQL through a pool shared by the process's workers. Every
/// `read` and `write` takes a connection for its length. Writes are READ COMMITTED transactions
/// that lock what they change (`SELECT … FOR UPDATE`, accounts in id order); PostgreSQL's own
/// group commit batches the fsyncs of concurrent connections. Reads run in a REPEATABLE READ,
/// READ ONLY transaction, so every query of one read sees one snapshot.
public final class PostgresStore: Store {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try pool.withConnection { connection in
            try PostgresSession(connection: connection, writing: false)
                .transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body($0) }
        }
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try pool.withConnection { connection in
            try PostgresSession(connection: connection, writing: true).transaction("BEGIN", metrics: pool.metrics) { try body($0) }
        }
    }

    public func readOnce<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try pool.withConnection { try body(PostgresSession(connection: $0, writing: false)) }
    }

    public func ping() -> Bool {
        (try? pool.withConnection { try $0.query("SELECT 1").row(0).int64(0) }) == 1
    }
}

/// One checked-out connection as the services see it: the records and the ledger primitives
/// live in `Records/` and `Ledger/`, one file per table, as extensions of this type.
public final class PostgresSession {
    let connection: PostgresConnection
    private let writing: Bool
    /// Writes whose only answer is success or failure (journal lines, transfers, outflow totals,
    /// audit rows) wait here and go to the server in one round trip with the next statement that
    /// needs an answer, or with COMMIT: every round trip made while an account's lock is held
    /// lengthens the queue of transactions behind it. A failure among them is thrown by the call
    /// that sent them, and aborts the transaction as it would have at once.
    private var deferred: [(sql: String, arguments: [PostgresValue])] = []

    init(connection: PostgresConnection, writing: Bool) {
        self.connection = connection
        self.writing = writing
    }

    /// BEGIN waits with the deferred writes: it goes to the server with the transaction's first
    /// statement, one round trip fewer.
    fileprivate func transaction<T>(_ begin: String, metrics: StoreMetrics? = nil, _ body: (PostgresSession) throws -> T) throws -> T {
        deferred = [(begin, [])]
        do {
            let result = try body(self)
            let committing = ContinuousClock.now
            try connection.pipeline(takeDeferred() + [("COMMIT", [])])
            metrics?.committed(took: committing.duration(to: .now))
            return result
        } catch {
            deferred.removeAll()
            // A failed ROLLBACK means the connection broke; the pool drops it on check-in.
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    public func savepoint<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        precondition(writing, "savepoints live inside a write transaction")
        try connection.pipeline(takeDeferred() + [("SAVEPOINT coffer_step", [])])
        do {
            let result = try body(self)
            try connection.pipeline(takeDeferred() + [("RELEASE SAVEPOINT coffer_step", [])])
            return result
        } catch {
            // What the step queued never ran; undo what it did run.
            deferred.removeAll()
            try connection.execute("ROLLBACK TO SAVEPOINT coffer_step; RELEASE SAVEPOINT coffer_step")
            throw error
        }
    }

    private func takeDeferred() -> [(sql: String, arguments: [PostgresValue])] {
        defer { deferred.removeAll() }
        return deferred
    }

    // MARK: Statements, for the record files

    /// A write that answers nothing but success: queued in a write transaction (see `deferred`),
    /// run at once elsewhere.
    func deferredWrite(_ sql: String, _ arguments: [PostgresValue]) throws(StoreError) {
        guard writing else {
            try send(sql, arguments)
            return
        }
        deferred.append((sql, arguments))
    }

    /// Sends `sql` with whatever is queued ahead of it (BEGIN, writes), and returns its result.
    /// Every statement of a session goes through here, so none can overtake its transaction's BEGIN.
    @discardableResult
    func send(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> PostgresResult {
        guard !deferred.isEmpty else { return try connection.query(sql, arguments) }
        let results = try connection.pipeline(takeDeferred() + [(sql, arguments)])
        guard let last = results.last else { preconditionFailure("a pipeline answers every statement") }
        return last
    }

    /// Sends `statements` with whatever is queued ahead of them, in one round trip, and returns
    /// their results in order.
    func sendAll(_ statements: [(sql: String, arguments: [PostgresValue])]) throws(StoreError) -> [PostgresResult] {
        guard !statements.isEmpty else { return [] }
        let queued = takeDeferred()
        let results = try connection.pipeline(queued + statements)
        precondition(results.count == queued.count + statements.count, "a pipeline answers every statement")
        return Array(results.suffix(statements.count))
    }

    @discardableResult
    func run(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> Int {
        try send(sql, arguments).changedRows
    }

    func query<T>(_ sql: String, _ arguments: [PostgresValue] = [], _ transform: (PostgresRow) throws -> T) throws -> [T] {
        try send(sql, arguments).rows.map(transform)
    }

    func queryFirst<T>(_ sql: String, _ arguments: [PostgresValue] = [], _ transform: (PostgresRow) throws -> T) throws -> T? {
        let result = try send(sql, arguments)
        return result.rowCount == 0 ? nil : try transform(result.row(0))
    }

    func scalarInt(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> Int64 {
        let result = try send(sql, arguments)
        return result.rowCount == 0 || result.row(0).isNull(0) ? 0 : result.row(0).int64(0)
    }
}

extension PostgresSession: StoreWriter {}
