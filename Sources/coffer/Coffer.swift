import ArgumentParser
import CofferCore
import CofferSQLite
import Foundation

/// The operator's tool. Commands that work on the database read `DATABASE_URL` like cofferd.
@main
struct Coffer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coffer",
        abstract: "Operate a Coffer installation.",
        version: CofferVersion.current,
        subcommands: [Demo.self, Migrate.self, CreateAdmin.self, Verify.self, SeedDemo.self]
    )
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (safe to run twice, or from two processes at once)."
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    func run() throws {
        let database = try DatabaseLocation.open(databaseURL)
        let applied = try Migrator().migrate(database)
        print(applied.isEmpty ? "schema is current" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

enum DatabaseLocation {
    /// Opens the database and brings its schema up to date, as cofferd does at start.
    static func open(_ url: String?) throws -> Database {
        let path = try resolve(url)
        do {
            let database = try Database(path: path)
            try Migrator().migrate(database)
            return database
        } catch {
            throw CommandFailure("database \(path) is unusable: \(error) (check DATABASE_URL)")
        }
    }

    static func resolve(_ url: String?) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = url ?? environment["DATABASE_URL"], !url.isEmpty {
            do {
                return try Configuration.parseDatabaseURL(url)
            } catch {
                throw ValidationError(error.description)
            }
        }
        return "\(environment["DATA_DIR"] ?? "./var")/coffer.db"
    }
}

/// A failure the operator can act on: printed as one line, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
