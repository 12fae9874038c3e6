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
            try PostgresSession(connection: connection, writing: true).transaction("BEGIN") { try body($0) }
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

    init(connection: PostgresConnection, writing: Bool) {
        self.connection = connection
        self.writing = writing
    }

    fileprivate func transaction<T>(_ begin: String, _ body: (PostgresSession) throws -> T) throws -> T {
        try connection.execute(begin)
        do {
            let result = try body(self)
            try connection.execute("COMMIT")
            return result
        } catch {
            // A failed ROLLBACK means the connection broke; the pool drops it on check-in.
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    public func savepoint<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        precondition(writing, "savepoints live inside a write transaction")
        try connection.execute("SAVEPOINT coffer_step")
        do {
            let result = try body(self)
            try connection.execute("RELEASE SAVEPOINT coffer_step")
            return result
        } catch {
            try connection.execute("ROLLBACK TO SAVEPOINT coffer_step; RELEASE SAVEPOINT coffer_step")
            throw error
        }
    }

    // MARK: Statements, for the record files

    @discardableResult
    func run(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> Int {
        try connection.query(sql, arguments).changedRows
    }

    func query<T>(_ sql: String, _ arguments: [PostgresValue] = [], _ transform: (PostgresRow) throws -> T) throws -> [T] {
        try connection.query(sql, arguments).rows.map(transform)
    }

    func queryFirst<T>(_ sql: String, _ arguments: [PostgresValue] = [], _ transform: (PostgresRow) throws -> T) throws -> T? {
        let result = try connection.query(sql, arguments)
        return result.rowCount == 0 ? nil : try transform(result.row(0))
    }

    func scalarInt(_ sql: String, _ arguments: [PostgresValue] = []) throws(StoreError) -> Int64 {
        let result = try connection.query(sql, arguments)
        return result.rowCount == 0 || result.row(0).isNull(0) ? 0 : result.row(0).int64(0)
    }
}

extension PostgresSession: StoreWriter {}
