import CofferCore
import CofferStore

/// The embedded store: one worker's SQLite connection. Reads run on it; writes go through the
/// process's group committer when the connection has one (cofferd), or as its own
/// `BEGIN IMMEDIATE` transaction otherwise (the CLI, tests).
public final class SQLiteStore: Store {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try database.read { try body($0) }
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try database.write { try body($0) }
    }

    public func readOnce<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try body(database)
    }

    public func ping() -> Bool {
        database.ping()
    }
}

/// The record and ledger-primitive methods live in `Records/` and `Ledger/`, one file per table.
extension Database: StoreWriter {}
