import CofferCore
import CofferStore

/// Applies pending migrations. Each version runs inside `BEGIN IMMEDIATE` and re-checks whether it
/// is already recorded once it holds the write lock, so two processes starting at once apply each
/// migration exactly once and a second run is a no-op.
public struct Migrator {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Schema.migrations) {
        precondition(
            zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version },
            "migration versions must be strictly increasing")
        self.migrations = migrations
    }

    /// Returns the versions this call applied (empty when the schema was already current).
    @discardableResult
    public func migrate(_ db: Database) throws -> [Int] {
        try db.write { db in
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                ) STRICT
                """)
        }
        var applied: [Int] = []
        for migration in migrations {
            if try apply(migration, db) { applied.append(migration.version) }
        }
        return applied
    }

    private func apply(_ migration: Migration, _ db: Database) throws -> Bool {
        let keysOff = migration.rebuildsReferencedTables
        // A no-op inside a transaction, so set around it; and set back however the step ends,
        // since the connection lives on after migrating.
        if keysOff { try db.execute("PRAGMA foreign_keys = OFF") }
        let didApply: Bool
        do {
            didApply = try db.write { db -> Bool in
                let present = try db.scalarInt("SELECT count(*) FROM schema_migrations WHERE version = ?", [.integer(Int64(migration.version))])
                guard present == 0 else { return false }
                try db.execute(migration.sql)
                if keysOff {
                    let broken = try db.query("PRAGMA foreign_key_check") { "\($0.text(0)) row \($0.int64(1)) -> \($0.text(2))" }
                    guard broken.isEmpty else { throw BrokenReferences(version: migration.version, rows: broken) }
                }
                try db.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.now().rfc3339)])
                return true
            }
        } catch {
            if keysOff { try? db.execute("PRAGMA foreign_keys = ON") }
            throw error
        }
        if keysOff { try db.execute("PRAGMA foreign_keys = ON") }
        return didApply
    }

    /// A rebuild left rows pointing at nothing; the migration is rolled back.
    struct BrokenReferences: Error, CustomStringConvertible {
        let version: Int
        let rows: [String]
        var description: String { "migration \(version) would break foreign keys: \(rows.prefix(5).joined(separator: "; "))" }
    }

    /// The versions recorded in the database, ascending.
    public func appliedVersions(_ db: Database) throws -> [Int] {
        try db.query("SELECT version FROM schema_migrations ORDER BY version") { Int($0.int64(0)) }
    }
}
