import CofferCore
import CofferStore

/// Applies pending migrations to a PostgreSQL database. Every step holds one advisory lock for
/// its transaction and re-checks whether its version is recorded, so several nodes starting at
/// once apply each migration exactly once; DDL is transactional, so a failed step leaves nothing.
public struct PostgresMigrator {
    public let migrations: [Migration]
    /// Any fixed number works; this one spells "coffer" in ASCII.
    private static let lockKey = 0x636F_6666_6572

    public init(migrations: [Migration] = PostgresSchema.migrations) {
        precondition(
            zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version },
            "migration versions must be strictly increasing")
        self.migrations = migrations
    }

    /// Returns the versions this call applied (empty when the schema was already current).
    @discardableResult
    public func migrate(_ pool: PostgresPool) throws -> [Int] {
        try pool.withConnection { connection in
            try step(connection) {
                try connection.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at TEXT NOT NULL
                    )
                    """)
            }
            var applied: [Int] = []
            for migration in migrations {
                let didApply = try step(connection) { () throws -> Bool in
                    let present = try connection.query("SELECT count(*) FROM schema_migrations WHERE version = $1", [.integer(Int64(migration.version))])
                    guard present.row(0).int64(0) == 0 else { return false }
                    try connection.execute(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                        [.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.now().rfc3339)])
                    return true
                }
                if didApply { applied.append(migration.version) }
            }
            return applied
        }
    }

    /// The versions recorded in the database, ascending (empty before the first migration).
    public func appliedVersions(_ pool: PostgresPool) throws -> [Int] {
        try pool.withConnection { connection in
            let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").row(0).bool(0)
            guard exists else { return [] }
            return try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows.map { Int($0.int64(0)) }
        }
    }

    private func step<T>(_ connection: PostgresConnection, _ body: () throws -> T) throws -> T {
        try connection.execute("BEGIN; SELECT pg_advisory_xact_lock(\(Self.lockKey))")
        do {
            let result = try body()
            try connection.execute("COMMIT")
            return result
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
