import ArgumentParser
import CofferCore
import CofferPostgres
import CofferSQLite
import CofferStore
import Foundation

/// The operator's tool. Commands that work on the database read `DATABASE_URL` like cofferd.
@main
struct Coffer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coffer",
        abstract: "Operate a Coffer installation.",
        version: CofferVersion.current,
        subcommands: [Demo.self, Migrate.self, CreateAdmin.self, Verify.self, SeedDemo.self, Copy.self, Jobs.self, Backup.self, Restore.self]
    )
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (safe to run twice, or from two processes at once)."
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    func run() throws {
        let applied = try DatabaseLocation.migrate(databaseURL)
        print(applied.isEmpty ? "schema is current" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

/// The database a command works on: `--database-url`, else `DATABASE_URL`, else the SQLite file
/// in `DATA_DIR`, as cofferd resolves it. Errors name the URL without its password.
enum DatabaseLocation {
    /// Opens the store and brings its schema up to date, as cofferd does at start.
    static func open(_ url: String?) throws -> any Store {
        let location = try resolve(url)
        do {
            switch location {
            case let .sqlite(path):
                let database = try Database(path: path)
                try Migrator().migrate(database)
                return SQLiteStore(database: database)
            case let .postgres(url):
                let pool = PostgresPool(url: url, size: 1)
                try PostgresMigrator().migrate(pool)
                return PostgresStore(pool: pool)
            }
        } catch {
            throw CommandFailure("database \(location) is unusable: \(error) (check DATABASE_URL)")
        }
    }

    /// Applies pending migrations; returns the versions applied.
    static func migrate(_ url: String?) throws -> [Int] {
        let location = try resolve(url)
        do {
            switch location {
            case let .sqlite(path): return try Migrator().migrate(try Database(path: path))
            case let .postgres(url): return try PostgresMigrator().migrate(PostgresPool(url: url, size: 1))
            }
        } catch {
            throw CommandFailure("database \(location) is unusable: \(error) (check DATABASE_URL)")
        }
    }

    static func resolve(_ url: String?) throws -> DatabaseURL {
        let environment = ProcessInfo.processInfo.environment
        if let url = url ?? environment["DATABASE_URL"], !url.isEmpty {
            do {
                return try DatabaseURL.parse(url)
            } catch {
                throw ValidationError(error.description)
            }
        }
        return .sqlite(path: "\(environment["DATA_DIR"] ?? "./var")/coffer.db")
    }
}

/// A failure the operator can act on: printed as one line, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
