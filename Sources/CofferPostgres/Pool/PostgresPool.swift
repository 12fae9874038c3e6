import CofferStore
import Foundation

/// A fixed number of connections to one PostgreSQL database, shared by a process's workers: a
/// worker holds one for the length of a read or a write transaction and gives it back. A
/// connection found broken (the server restarted, the socket died) is dropped and a new one is
/// opened in its place on the next checkout, so a PostgreSQL restart costs the requests in
/// flight (503, retryable), not the process.
public final class PostgresPool: @unchecked Sendable {
    // @unchecked: `idle` and `open` are only touched under `condition`'s lock; a connection is
    // used by the one thread that checked it out.
    private let url: String
    /// Commit figures of every store over this pool.
    let metrics = StoreMetrics(.postgres)
    private let size: Int
    private let waitSeconds: Double
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    /// Connections that exist, idle or checked out.
    private var open = 0
    /// Set on a thread while it holds a connection of this pool: a store call made inside another
    /// on the same thread would wait for a second connection, and with every connection held that
    /// wait never ends. That is a bug in the caller, never something a request can cause.
    private var holding = pthread_key_t()

    /// - Parameters:
    ///   - url: a libpq connection URI (`postgres://user:pass@host:port/db`).
    ///   - size: the most connections this process opens.
    ///   - waitSeconds: how long a checkout waits for a free connection before answering busy.
    public init(url: String, size: Int, waitSeconds: Double = 5) {
        precondition(size > 0, "a pool holds at least one connection")
        self.url = url
        self.size = size
        self.waitSeconds = waitSeconds
        precondition(pthread_key_create(&holding, nil) == 0, "pthread_key_create")
    }

    deinit { pthread_key_delete(holding) }

    /// Opens one connection now, so that a wrong URL or a missing server fails at start.
    public func warmUp() throws(StoreError) {
        let connection = try PostgresConnection(url: url)
        condition.lock()
        open += 1
        idle.append(connection)
        condition.unlock()
    }

    /// Runs `body` with a connection of its own; the connection returns to the pool afterwards
    /// (or is dropped, if it broke or a transaction was left open).
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        precondition(pthread_getspecific(holding) == nil, "a store call inside another store call on the same thread")
        let connection = try checkOut()
        pthread_setspecific(holding, UnsafeRawPointer(bitPattern: 1))
        defer {
            pthread_setspecific(holding, nil)
            checkIn(connection)
        }
        return try body(connection)
    }

    private func checkOut() throws(StoreError) -> PostgresConnection {
        let deadline = Date(timeIntervalSinceNow: waitSeconds)
        condition.lock()
        while idle.isEmpty && open >= size {
            guard condition.wait(until: deadline) else {
                condition.unlock()
                throw StoreError(.busy, "every PostgreSQL connection of this process is in use")
            }
        }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        open += 1
        condition.unlock()
        do {
            return try PostgresConnection(url: url)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        let reusable = connection.isHealthy && !connection.isInTransaction
        condition.lock()
        if reusable { idle.append(connection) } else { open -= 1 }
        condition.signal()
        condition.unlock()
    }
}
