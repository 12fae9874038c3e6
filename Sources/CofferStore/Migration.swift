/// One forward-only schema change. Versions are applied in ascending order, each in its own
/// transaction, and recorded in `schema_migrations`; a released migration is never edited.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
