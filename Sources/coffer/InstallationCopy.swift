import CofferPostgres
import CofferSQLite

/// The row-by-row part of `coffer copy`: every table of the schema (version 24), in an order
/// that satisfies the foreign keys, read from one SQLite snapshot and inserted into PostgreSQL in
/// one transaction, in batches of multi-row INSERTs. Ids, times and sequence numbers are kept;
/// identity sequences continue after the highest copied value.
struct InstallationCopy {
    let source: Database
    let target: PostgresConnection
    /// Rows copied so far, of all the tables' rows.
    var progress: (_ copied: Int, _ total: Int) -> Void = { _, _ in }

    enum Kind { case integer, text, bytes }

    struct Table {
        let name: String
        let columns: [(name: String, kind: Kind)]
        let hasSequence: Bool
        /// Extra target columns and the SQL that fills them from the copied ones.
        var derived: [(name: String, sql: String)] = []
    }

    static let tables: [Table] = [
        Table(
            name: "users",
            columns: [
                ("id", .text), ("email", .text), ("password_hash", .text), ("role", .text), ("status", .text),
                ("password_changed_at", .integer), ("created_at", .integer), ("plan", .text),
            ], hasSequence: false),
        Table(
            name: "account_holders",
            columns: [("id", .text), ("user_id", .text), ("first_name", .text), ("last_name", .text), ("dob", .text), ("created_at", .integer)],
            hasSequence: false),
        Table(
            name: "refresh_tokens",
            columns: [
                ("id", .text), ("token_hash", .bytes), ("family_id", .text), ("user_id", .text), ("issued_at", .integer),
                ("expires_at", .integer), ("rotated_at", .integer), ("revoked_at", .integer),
            ], hasSequence: false),
        Table(name: "revoked_access_tokens", columns: [("jti", .text), ("expires_at", .integer)], hasSequence: false),
        Table(name: "login_failures", columns: [("email", .text), ("at", .integer), ("pending", .integer)], hasSequence: false),
        Table(
            name: "audit_events",
            columns: [
                ("seq", .integer), ("id", .text), ("at", .integer), ("actor_id", .text), ("action", .text), ("target_type", .text),
                ("target_id", .text), ("outcome", .text), ("reason", .text), ("request_id", .text), ("ip", .text),
                ("server_request_id", .text),
            ], hasSequence: true),
        // SQLite keeps one bank cash account per currency; on PostgreSQL it becomes slot 0 of
        // that currency, and new slots open as deposits need them.
        Table(
            name: "accounts",
            columns: [
                ("seq", .integer), ("id", .text), ("holder_id", .text), ("kind", .text), ("type", .text), ("currency", .text),
                ("balance", .integer), ("status", .text), ("created_at", .integer), ("posting_count", .integer),
                ("last_posted_at", .integer), ("metadata", .text),
            ], hasSequence: true, derived: [("cash_slot", "CASE WHEN kind = 'bank_cash' THEN 0 END")]),
        Table(
            name: "transfers",
            columns: [
                ("seq", .integer), ("id", .text), ("from_account_id", .text), ("to_account_id", .text), ("amount", .integer),
                ("currency", .text), ("description", .text), ("created_at", .integer), ("metadata", .text), ("reverses_id", .text),
            ], hasSequence: true),
        Table(
            name: "postings",
            columns: [
                ("seq", .integer), ("id", .text), ("entry_id", .text), ("account_id", .text), ("type", .text), ("amount", .integer),
                ("currency", .text), ("balance_after", .integer), ("description", .text), ("transfer_id", .text),
                ("created_at", .integer), ("metadata", .text), ("reverses_id", .text),
            ], hasSequence: true),
        Table(name: "daily_outflows", columns: [("account_id", .text), ("day", .integer), ("total", .integer)], hasSequence: false),
        Table(
            name: "cards",
            columns: [
                ("seq", .integer), ("id", .text), ("account_id", .text), ("type", .text), ("last4", .text), ("exp_month", .integer),
                ("exp_year", .integer), ("status", .text), ("created_at", .integer),
            ], hasSequence: true),
        Table(
            name: "holds",
            columns: [
                ("seq", .integer), ("id", .text), ("account_id", .text), ("card_id", .text), ("amount", .integer),
                ("captured_amount", .integer), ("currency", .text), ("status", .text), ("description", .text), ("metadata", .text),
                ("capture_posting_id", .text),
                ("expires_at", .integer), ("created_at", .integer), ("updated_at", .integer),
            ], hasSequence: true),
        Table(
            name: "events",
            columns: [
                ("seq", .integer), ("id", .text), ("type", .text), ("created_at", .integer), ("data", .text), ("user_id", .text),
                ("other_user_id", .text),
            ], hasSequence: true),
        Table(
            name: "scheduled_transfers",
            columns: [
                ("seq", .integer), ("id", .text), ("user_id", .text), ("from_account_id", .text), ("to_account_id", .text),
                ("amount", .integer), ("currency", .text), ("description", .text), ("metadata", .text), ("start_date", .integer),
                ("interval", .text), ("end_date", .integer), ("status", .text), ("next_run_on", .integer), ("created_at", .integer),
            ], hasSequence: true),
        Table(
            name: "scheduled_transfer_runs",
            columns: [
                ("seq", .integer), ("id", .text), ("schedule_id", .text), ("run_on", .integer), ("outcome", .text), ("transfer_id", .text),
                ("error_code", .text), ("error_message", .text), ("created_at", .integer),
            ], hasSequence: true),
        Table(
            name: "exports",
            columns: [
                ("seq", .integer), ("id", .text), ("user_id", .text), ("account_id", .text), ("from_date", .integer), ("to_date", .integer),
                ("group_by", .text), ("format", .text), ("status", .text), ("progress", .integer), ("rows", .integer), ("error", .text),
                ("expires_at", .integer), ("created_at", .integer),
            ], hasSequence: true),
        Table(
            name: "jobs",
            columns: [
                ("seq", .integer), ("id", .text), ("kind", .text), ("payload", .text), ("run_key", .text), ("status", .text),
                ("attempts", .integer), ("max_attempts", .integer), ("run_at", .integer), ("locked_by", .text), ("locked_until", .integer),
                ("last_error", .text), ("created_at", .integer), ("updated_at", .integer),
            ], hasSequence: true),
        Table(
            name: "webhooks",
            columns: [
                ("seq", .integer), ("id", .text), ("user_id", .text), ("url", .text), ("events", .text), ("description", .text),
                ("status", .text), ("secret", .text), ("retired_secrets", .text),
                ("created_at", .integer), ("deleted_at", .integer), ("after_event_seq", .integer),
            ], hasSequence: true),
        Table(
            name: "webhook_deliveries",
            columns: [
                ("seq", .integer), ("id", .text), ("webhook_id", .text), ("event_id", .text), ("event_type", .text), ("job_id", .text),
                ("last_status_code", .integer), ("last_error", .text), ("created_at", .integer),
            ], hasSequence: true),
        Table(
            name: "metadata_entries", columns: [("owner", .text), ("key", .text), ("value", .text), ("owner_id", .text)],
            hasSequence: false),
        Table(
            name: "idempotency_keys",
            columns: [
                ("user_id", .text), ("key", .text), ("fingerprint", .bytes), ("status", .integer), ("headers", .text),
                ("body", .bytes), ("created_at", .integer), ("expires_at", .integer),
            ], hasSequence: false),
    ]

    /// Rows per INSERT: few round trips, and far below PostgreSQL's 65,535 parameters.
    static let batchRows = 500

    /// Copies every table inside one target transaction; returns the rows copied per table.
    /// Tables each side creates for itself, with nothing of the installation's own in them.
    /// The outbox relay starts over on the target; deliveries are unique per webhook and event,
    /// so it hands nothing on twice.
    static let notCopied: Set<String> = ["schema_migrations", "service_metadata", "sqlite_sequence", "outbox_cursors"]

    func run() throws -> [(String, Int)] {
        // A table this list does not know (a migration added it and the copy was not taught it)
        // would be left behind silently; refuse instead.
        let known = Set(Self.tables.map(\.name)).union(Self.notCopied)
        let unknown = try source.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
            .filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw CommandFailure("the source has tables this copy does not know: \(unknown.joined(separator: ", "))")
        }
        var total = 0
        for table in Self.tables { total += Int(try source.scalarInt("SELECT count(*) FROM \(table.name)")) }
        var done = 0
        progress(0, total)
        try target.execute("BEGIN")
        do {
            var counts: [(String, Int)] = []
            for table in Self.tables {
                counts.append(
                    (
                        table.name,
                        try copy(table) { batch in
                            done += batch
                            progress(done, total)
                        }
                    ))
            }
            try target.execute("COMMIT")
            return counts
        } catch {
            try? target.execute("ROLLBACK")
            throw error
        }
    }

    private func copy(_ table: Table, copiedBatch: (Int) -> Void) throws -> Int {
        let names = table.columns.map(\.name).joined(separator: ", ")
        var batch: [[PostgresValue]] = []
        var copied = 0
        let order = table.hasSequence ? " ORDER BY seq" : ""
        try source.forEachRow("SELECT \(names) FROM \(table.name)\(order)") { row in
            batch.append(
                table.columns.enumerated().map { index, column in
                    if row.isNull(index) { return .null }
                    switch column.kind {
                    case .integer: return .integer(row.int64(index))
                    case .text: return .text(row.text(index))
                    case .bytes: return .bytes(row.blob(index))
                    }
                })
            if batch.count == Self.batchRows {
                try insert(batch, into: table)
                copied += batch.count
                copiedBatch(batch.count)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try insert(batch, into: table)
            copied += batch.count
            copiedBatch(batch.count)
        }
        if table.hasSequence {
            try target.query(
                "SELECT setval(pg_get_serial_sequence($1, 'seq'), COALESCE((SELECT max(seq) FROM \(table.name)), 0) + 1, false)",
                [.text(table.name)])
        }
        return copied
    }

    private func insert(_ rows: [[PostgresValue]], into table: Table) throws {
        let width = table.columns.count
        // Typed placeholders: inside a VALUES list PostgreSQL cannot infer a column's type.
        let casts = table.columns.map { column in
            switch column.kind {
            case .integer: "::bigint"
            case .text: "::text"
            case .bytes: "::bytea"
            }
        }
        let tuples = rows.indices.map { row in
            "(" + (0..<width).map { "$\(row * width + $0 + 1)\(casts[$0])" }.joined(separator: ", ") + ")"
        }
        let names = table.columns.map(\.name)
        var sql = "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))"
        if !table.derived.isEmpty {
            // Insert through a VALUES list so the derived columns can be computed from the copied ones.
            sql = """
                INSERT INTO \(table.name) (\((names + table.derived.map(\.name)).joined(separator: ", ")))
                SELECT \(names.joined(separator: ", ")), \(table.derived.map(\.sql).joined(separator: ", "))
                FROM (VALUES \(tuples.joined(separator: ", "))) AS copied (\(names.joined(separator: ", ")))
                """
        }
        try target.query(sql, rows.flatMap { $0 })
    }
}
