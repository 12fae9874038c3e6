import CofferPostgres
import CofferSQLite

/// The store a suite runs on; the suites that touch a store run on both.
public enum TestBackend: Sendable {
    case sqlite
    case postgres
}

/// Raw SQL for what a test checks or sets up behind the API's back, on either store. Statements
/// are written once with `?` placeholders; PostgreSQL gets them numbered (`$1`, `$2`, …).
public struct TestSQL {
    public let sqlite: Database?
    public let postgres: PostgresPool?

    public init(sqlite: Database) {
        self.sqlite = sqlite
        postgres = nil
    }

    public init(postgres: PostgresPool) {
        sqlite = nil
        self.postgres = postgres
    }

    /// A connection of its own to the database at `url` (as `DATABASE_URL` names it).
    public init(url: String) throws {
        if url.hasPrefix("sqlite://") {
            self.init(sqlite: try Database(path: String(url.dropFirst("sqlite://".count))))
        } else {
            self.init(postgres: PostgresPool(url: url, size: 1))
        }
    }

    public func scalarInt(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> Int64 {
        if let sqlite { return try sqlite.scalarInt(sql, arguments) }
        return try pool().withConnection { connection in
            let result = try connection.query(Self.numbered(sql), arguments.map(Self.postgresValue))
            return result.rowCount == 0 || result.row(0).isNull(0) ? 0 : result.row(0).int64(0)
        }
    }

    /// The first column of the first row, as text ("" when there is none).
    public func text(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> String {
        if let sqlite { return try sqlite.queryFirst(sql, arguments) { $0.text(0) } ?? "" }
        return try pool().withConnection { connection in
            let result = try connection.query(Self.numbered(sql), arguments.map(Self.postgresValue))
            return result.rowCount == 0 || result.row(0).isNull(0) ? "" : result.row(0).text(0)
        }
    }

    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> Int {
        if let sqlite { return try sqlite.run(sql, arguments) }
        return try pool().withConnection { try $0.query(Self.numbered(sql), arguments.map(Self.postgresValue)).changedRows }
    }

    /// The names of a table's columns.
    public func columns(of table: String) throws -> [String] {
        if let sqlite { return try sqlite.query("SELECT name FROM pragma_table_info(?)", [.text(table)]) { $0.text(0) } }
        return try pool().withConnection { connection in
            try connection.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
                [.text(table)]
            ).rows.map { $0.text(0) }
        }
    }

    /// Runs `body` with the journal's append-only trigger off, to backdate history as a seed or an
    /// import would; the trigger is back on afterwards.
    public func withJournalEditable(_ body: () throws -> Void) throws {
        if let sqlite {
            try sqlite.execute("DROP TRIGGER postings_no_update")
            defer {
                try? sqlite.execute(
                    "CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END")
            }
            return try body()
        }
        try pool().withConnection { try $0.execute("ALTER TABLE postings DISABLE TRIGGER postings_append_only") }
        defer { try? pool().withConnection { try $0.execute("ALTER TABLE postings ENABLE TRIGGER postings_append_only") } }
        try body()
    }

    private func pool() throws -> PostgresPool {
        guard let postgres else { preconditionFailure("a TestSQL has one store") }
        return postgres
    }

    static func numbered(_ sql: String) -> String {
        var count = 0
        return sql.reduce(into: "") { text, character in
            if character == "?" {
                count += 1
                text += "$\(count)"
            } else {
                text.append(character)
            }
        }
    }

    static func postgresValue(_ value: SQLiteValue) -> PostgresValue {
        switch value {
        case .null: .null
        case let .integer(number): .integer(number)
        case let .text(text): .text(text)
        case let .blob(bytes): .bytes(bytes)
        }
    }
}
