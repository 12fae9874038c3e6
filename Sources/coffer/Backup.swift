import ArgumentParser
import CofferCore
import CofferPostgres
import CofferSQLite
import Foundation

/// `coffer backup`: a consistent copy of a running installation. SQLite goes through the online
/// backup API (cofferd keeps writing meanwhile); PostgreSQL through `pg_dump`, its own tool.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up the database to a file while cofferd keeps serving.",
        discussion: """
            SQLite: copies the database with SQLite's online backup API into one self-contained file (no
            -wal beside it), as one consistent snapshot, then checks the copy's integrity. PostgreSQL: runs
            pg_dump --format=custom (restore with coffer restore or pg_restore). The file appears only
            once it is complete; an existing file is never overwritten.
            """
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    @Option(name: .long, help: "The backup file to write; it must not exist.")
    var to: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: to) else { throw ValidationError("\(to) exists; choose a new file") }
        // A backup holds password hashes and webhook secrets: readable by its owner only, whoever
        // writes it (pg_dump creates its file with the umask).
        umask(0o077)
        let partial = to + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            switch try DatabaseLocation.resolve(databaseURL) {
            case let .sqlite(path):
                guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("there is no database at \(path)") }
                let pages = try SQLiteFileCopy.copy(from: Database(path: path), to: partial, label: "backup")
                try FileManager.default.moveItem(atPath: partial, toPath: to)
                print("backed up \(path) to \(to): \(pages) pages, integrity ok")
            case let .postgres(url):
                try PostgresTool.run("pg_dump", ["--format=custom", "--no-owner", "--file=\(partial)"], url: url)
                try FileManager.default.moveItem(atPath: partial, toPath: to)
                print("backed up \(DatabaseURL.postgres(url: url)) to \(to) with pg_dump (custom format)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// `coffer restore`: the way back from `coffer backup`.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by coffer backup (stop cofferd first).",
        discussion: """
            SQLite: checks the backup's integrity, then copies it into the database with the online backup
            API, in one transaction, and brings its schema up to date. A database that already holds users
            is replaced only with --replace. PostgreSQL: runs pg_restore --clean --single-transaction.
            Run coffer verify afterwards.
            """
    )

    @Option(name: .long, help: "Database URL to restore into (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    @Option(name: .long, help: "The backup file.")
    var from: String

    @Flag(name: .long, help: "Replace a database that already holds data.")
    var replace = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("there is no backup at \(from)") }
        let location = try DatabaseLocation.resolve(databaseURL)
        switch location {
        case let .sqlite(path):
            let backup: Database
            do {
                backup = try Database(path: from, options: .init(writeAheadLog: false))
            } catch {
                throw CommandFailure("\(from) is not a SQLite backup: \(error)")
            }
            try SQLiteFileCopy.requireIntact(backup, what: from)
            let target = try Database(path: path)
            if !replace, try SQLiteFileCopy.holdsData(target) {
                throw CommandFailure("\(path) already holds data; pass --replace to overwrite it with the backup")
            }
            let pages = try SQLiteFileCopy.copy(from: backup, into: target, label: "restore")
            let applied = try Migrator().migrate(target)
            print("restored \(from) into \(path): \(pages) pages" + (applied.isEmpty ? "" : "; then applied migrations \(applied)"))
        case let .postgres(url):
            // Looked at without migrating: pg_restore --clean must find only the backup's own tables.
            let connection = try PostgresConnection(url: url)
            let hasUsers = try connection.query("SELECT to_regclass('users') IS NOT NULL").row(0).bool(0)
            if !replace, hasUsers, try connection.query("SELECT count(*) FROM users").row(0).int64(0) > 0 {
                throw CommandFailure("\(location) already holds data; pass --replace to overwrite it with the backup")
            }
            try PostgresTool.run(
                "pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", from], url: url)
            let applied = try DatabaseLocation.migrate(databaseURL)
            print("restored \(from) into \(location) with pg_restore" + (applied.isEmpty ? "" : "; then applied migrations \(applied)"))
        }
    }
}

enum SQLiteFileCopy {
    /// Copies `source` into a new self-contained file at `path` and checks it; returns its pages.
    static func copy(from source: Database, to path: String, label: String) throws -> Int {
        let destination = try Database(path: path, options: .init(writeAheadLog: false))
        let pages = try copy(from: source, into: destination, label: label)
        // The copy's first page, the source's, says WAL: make the file say rollback journal, so it
        // stands alone (no -wal or -shm ever appears beside it, even opened read-only).
        try destination.execute("PRAGMA journal_mode = DELETE")
        try requireIntact(destination, what: "the copy")
        return pages
    }

    static func copy(from source: Database, into destination: Database, label: String) throws -> Int {
        var bar: ProgressBar?
        var pages = 0
        try source.backup(into: destination) { copied, total in
            if bar == nil { bar = ProgressBar(label, total: total) }
            bar?.update(copied)
            pages = total
        }
        bar?.finish()
        return pages
    }

    static func requireIntact(_ database: Database, what: String) throws {
        let verdict = try database.query("PRAGMA integrity_check") { $0.text(0) }
        guard verdict == ["ok"] else { throw CommandFailure("\(what) fails SQLite's integrity check: \(verdict.prefix(3).joined(separator: "; "))") }
        let family = try database.query("SELECT value FROM service_metadata WHERE key = 'schema_family'") { $0.text(0) }
        guard family == ["coffer"] else { throw CommandFailure("\(what) is not a Coffer database") }
    }

    static func holdsData(_ database: Database) throws -> Bool {
        let tables = try database.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'users'") { $0.text(0) }
        guard !tables.isEmpty else { return false }
        return try database.scalarInt("SELECT count(*) FROM users") > 0
    }
}

/// PostgreSQL's own client tools, given the database without the password on their command line
/// (where any user of the machine could read it): the password goes in PGPASSWORD.
enum PostgresTool {
    static func run(_ tool: String, _ arguments: [String], url: String) throws {
        let (bare, password) = DatabaseURL.splitPassword(url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "--no-password", "--dbname=\(bare)"] + arguments
        var environment = ProcessInfo.processInfo.environment
        // The URL's password wins; without one, an operator's own PGPASSWORD (or .pgpass) applies.
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot run \(tool) (install PostgreSQL's client tools, e.g. the postgresql-client package): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("\(tool) failed with status \(process.terminationStatus) on \(DatabaseURL.postgres(url: url))")
        }
    }
}
