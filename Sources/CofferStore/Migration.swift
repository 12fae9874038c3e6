/// One forward-only schema change. Versions are applied in ascending order, each in its own
/// transaction, and recorded in `schema_migrations`; a released migration is never edited.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// SQLite only: the migration rebuilds a table other tables reference. SQLite's own procedure
    /// for that (new table, copy, drop, rename) needs foreign keys off around the transaction, and
    /// `PRAGMA foreign_key_check` clean before it commits; PostgreSQL alters such tables in place.
    public let rebuildsReferencedTables: Bool

    public init(version: Int, name: String, rebuildsReferencedTables: Bool = false, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.rebuildsReferencedTables = rebuildsReferencedTables
    }
}
