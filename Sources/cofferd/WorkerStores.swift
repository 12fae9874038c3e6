import CofferCore
import CofferPostgres
import CofferSQLite
import CofferStore
import Logging

/// How cofferd's workers reach the database. SQLite: each worker reads on its own connection and
/// hands its writes to the process's one committer (group commit). PostgreSQL: every worker's
/// store draws on one pool of connections. Opened, checked and migrated before the first request;
/// any failure stops the process with a message naming `DATABASE_URL` (never its password).
final class WorkerStores: @unchecked Sendable {
    // @unchecked: `primary` is only held, never used after `open`; the rest is immutable and Sendable.
    /// Called once on each worker's thread.
    let make: @Sendable () throws -> any Store
    private let stopAfterWorkers: @Sendable (Logger) -> Void
    /// Keeps the SQLite file open for the life of the process (its WAL is not checkpointed away
    /// between requests).
    private let primary: (any Store)?
    /// The SQLite committer's nice value (its raise needs RLIMIT_NICE or CAP_SYS_NICE), for the
    /// startup line; nil on PostgreSQL.
    let committerNice: Int32?

    private init(
        make: @escaping @Sendable () throws -> any Store, primary: (any Store)?, committerNice: Int32? = nil,
        stop: @escaping @Sendable (Logger) -> Void
    ) {
        self.make = make
        self.primary = primary
        self.committerNice = committerNice
        stopAfterWorkers = stop
    }

    /// After the workers have drained: on SQLite every job they queued is committed and answered
    /// before this returns.
    func stop(_ logger: Logger) { stopAfterWorkers(logger) }

    static func open(_ config: Configuration) throws -> WorkerStores {
        switch config.database {
        case let .sqlite(path): return try sqlite(path, config)
        case let .postgres(url): return try postgres(url, poolSize: config.databasePoolSize)
        }
    }

    private static func sqlite(_ path: String, _ config: Configuration) throws -> WorkerStores {
        let primary = try Database(path: path, options: options(config))
        guard primary.ping() else { throw DatabaseUnreachable() }
        try Migrator().migrate(primary)
        // The one connection that writes, on the committer's thread; workers' connections only read.
        var writerOptions = options(config)
        // The committer checkpoints in its own commits, on the path every write waits on. At
        // SQLite's 1,000 pages it did so every dozen batches, copying the same hot index pages
        // each time; at 4,000 (a WAL of up to 16 MiB) transfers at -c64 needed about a tenth less
        // CPU each (A/B rounds in BENCHMARKS.md). Larger showed no further gain.
        writerOptions.checkpointPages = 4000
        let committer = GroupCommitter(writer: try Database(path: path, options: writerOptions), capacity: config.workers)
        let workerOptions = options(config, committer: committer)
        return WorkerStores(
            make: { SQLiteStore(database: try Database(path: path, options: workerOptions)) },
            primary: SQLiteStore(database: primary), committerNice: committer.raisedPriority ? GroupCommitter.niceValue : 0,
            stop: { logger in
                committer.stop()
                let batches = committer.statistics
                logger.info(
                    "committer stopped",
                    metadata: [
                        "event": "committer", "batches": .stringConvertible(batches.batches),
                        "batch_sizes": .string(batches.sizes.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")),
                        "replays": .stringConvertible(batches.replays),
                    ])
            })
    }

    private static func postgres(_ url: String, poolSize: Int) throws -> WorkerStores {
        let pool = PostgresPool(url: url, size: poolSize)
        try pool.warmUp()
        try PostgresMigrator().migrate(pool)
        let store = PostgresStore(pool: pool)
        guard store.ping() else { throw DatabaseUnreachable() }
        return WorkerStores(make: { PostgresStore(pool: pool) }, primary: store, stop: { _ in })
    }

    /// A worker's connection (one with a committer) only reads, and SQLite drops a connection's
    /// whole page cache whenever another connection has committed since its last read: under
    /// writes its cache rarely outlives a request, so a small one saves memory (32 workers at the
    /// default 2 MiB each were most of cofferd's peak RSS) and costs no reads.
    private static func options(_ config: Configuration, committer: GroupCommitter? = nil) -> Database.Options {
        Database.Options(
            synchronous: config.synchronous.rawValue, busyTimeoutMs: config.busyTimeoutMs, committer: committer,
            cacheKiB: committer == nil ? nil : 512)
    }

    struct DatabaseUnreachable: Error, CustomStringConvertible {
        var description: String { "SELECT 1 failed" }
    }
}
