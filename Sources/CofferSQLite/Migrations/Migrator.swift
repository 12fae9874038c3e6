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
        guard migration.rebuildsReferencedTables else { return try record(migration, db) }
        // The pragma is per connection and a no-op inside a transaction: the transaction must run
        // on this connection, and the setting is made around it and put back however it ends.
        guard db.writesItself else { throw NeedsItsOwnConnection(version: migration.version) }
        try db.execute("PRAGMA foreign_keys = OFF")
        let applied: Bool
        do {
            applied = try record(migration, db) { db in
                // A rebuild copies every row, so it can only carry over references broken before
                // it: those are named as the database's, not blamed on the migration.
                let before = try Self.brokenReferences(db)
                guard before.isEmpty else { throw BrokenReferences(version: migration.version, rows: before, before: true) }
            } after: { db in
                let after = try Self.brokenReferences(db)
                guard after.isEmpty else { throw BrokenReferences(version: migration.version, rows: after, before: false) }
            }
        } catch {
            try? restoreForeignKeys(db)
            throw error
        }
        try restoreForeignKeys(db)
        return applied
    }

    /// Runs the migration and records it in one transaction, unless it is recorded already.
    private func record(
        _ migration: Migration, _ db: Database, before: (Database) throws -> Void = { _ in }, after: (Database) throws -> Void = { _ in }
    ) throws -> Bool {
        try db.write { db -> Bool in
            let present = try db.scalarInt("SELECT count(*) FROM schema_migrations WHERE version = ?", [.integer(Int64(migration.version))])
            guard present == 0 else { return false }
            try before(db)
            try db.execute(migration.sql)
            try after(db)
            try db.run(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.now().rfc3339)])
            return true
        }
    }

    private static func brokenReferences(_ db: Database) throws -> [String] {
        try db.query("PRAGMA foreign_key_check") { "\($0.text(0)) row \($0.int64(1)) -> \($0.text(2))" }
    }

    /// Read back: were the connection somehow still inside a transaction, the pragma would do
    /// nothing, and every later write through it would go unchecked.
    private func restoreForeignKeys(_ db: Database) throws {
        try db.execute("PRAGMA foreign_keys = ON")
        guard try db.scalarInt("PRAGMA foreign_keys") == 1 else { throw ForeignKeysStillOff() }
    }

    /// Rows whose reference points at nothing; the migration is rolled back.
    struct BrokenReferences: Error, CustomStringConvertible {
        let version: Int
        let rows: [String]
        /// Broken before the migration ran (so not by it).
        let before: Bool
        var description: String {
            let rows = rows.prefix(5).joined(separator: "; ")
            return before
                ? "migration \(version) not applied: the database already has references that point at nothing (\(rows)); repair them first"
                : "migration \(version) would break foreign keys: \(rows)"
        }
    }

    /// A connection with a committer writes through another connection, whose foreign keys this
    /// one cannot turn off: migrate on a connection of its own first, as cofferd does.
    struct NeedsItsOwnConnection: Error, CustomStringConvertible {
        let version: Int
        var description: String { "migration \(version) must run on a connection without a committer" }
    }

    struct ForeignKeysStillOff: Error, CustomStringConvertible {
        var description: String { "foreign keys could not be turned back on after a migration" }
    }

    /// The versions recorded in the database, ascending.
    public func appliedVersions(_ db: Database) throws -> [Int] {
        try db.query("SELECT version FROM schema_migrations ORDER BY version") { Int($0.int64(0)) }
    }
}
