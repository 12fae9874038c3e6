import CofferCore
import CofferStore
import CofferTestSupport
import Foundation
import XCTest

@testable import CofferSQLite

/// The SQLite wrapper against real database files.
final class DatabaseTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func open(_ name: String = "t.db", synchronous: String = "FULL") throws -> Database {
        try Database(path: directory.appendingPathComponent(name).path, options: .init(synchronous: synchronous))
    }

    func testPragmasAreSetExplicitly() throws {
        let db = try open()
        XCTAssertEqual(try db.queryFirst("PRAGMA journal_mode") { $0.text(0) }, "wal")
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
        XCTAssertEqual(try db.scalarInt("PRAGMA synchronous"), 2, "FULL")
        XCTAssertEqual(try db.scalarInt("PRAGMA temp_store"), 2, "MEMORY")
        XCTAssertEqual(try db.scalarInt("PRAGMA cache_size"), -2000, "SQLite's default unless asked")
        let small = try Database(path: directory.appendingPathComponent("small.db").path, options: .init(cacheKiB: 512))
        XCTAssertEqual(try small.scalarInt("PRAGMA cache_size"), -512)
        XCTAssertEqual(try open("n.db", synchronous: "NORMAL").scalarInt("PRAGMA synchronous"), 1)
        XCTAssertTrue(db.ping())
    }

    func testWriteCommitsOnReturnAndRollsBackOnThrow() throws {
        struct Abort: Error {}
        let db = try open()
        try db.execute("CREATE TABLE t (n INTEGER NOT NULL CHECK (n >= 0))")
        _ = try db.write { try $0.run("INSERT INTO t (n) VALUES (?)", [.integer(1)]) }
        XCTAssertThrowsError(
            try db.write { db in
                try db.run("INSERT INTO t (n) VALUES (?)", [.integer(2)])
                throw Abort()
            })
        XCTAssertThrowsError(
            try db.write { db in
                try db.run("INSERT INTO t (n) VALUES (?)", [.integer(3)])
                try db.run("INSERT INTO t (n) VALUES (?)", [.integer(-1)])
            }
        ) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .constraint)
        }
        XCTAssertEqual(try db.query("SELECT n FROM t ORDER BY n") { $0.int64(0) }, [1])
    }

    func testValuesRoundTrip() throws {
        let db = try open()
        try db.execute("CREATE TABLE v (i INTEGER, t TEXT, b BLOB, z TEXT)")
        try db.run("INSERT INTO v VALUES (?, ?, ?, ?)", [.integer(Int64.max), .text("héllo ✓"), .blob([0, 1, 255]), .null])
        let row = try XCTUnwrap(try db.queryFirst("SELECT i, t, b, z FROM v") { ($0.int64(0), $0.text(1), $0.blob(2), $0.optionalText(3)) })
        XCTAssertEqual(row.0, Int64.max)
        XCTAssertEqual(row.1, "héllo ✓")
        XCTAssertEqual(row.2, [0, 1, 255])
        XCTAssertNil(row.3)
        // Text is bound with its length: a NUL inside is kept, and an empty string stays one.
        try db.run("INSERT INTO v (i, t, z) VALUES (?, ?, ?)", [.integer(2), .text("before\u{0}after"), .text("")])
        let bound = try XCTUnwrap(
            try db.queryFirst("SELECT length(CAST(t AS BLOB)), t, z IS NULL, length(z) FROM v WHERE i = 2") {
                ($0.int64(0), $0.text(1), $0.int64(2), $0.int64(3))
            })
        XCTAssertEqual(bound.0, 12)
        XCTAssertEqual(bound.1, "before\u{0}after")
        XCTAssertEqual(bound.2, 0)
        XCTAssertEqual(bound.3, 0)
    }

    /// The statement cache hashes a text by its length and edges only: texts alike in all three
    /// (the same 40 bytes at each end) are still different statements.
    func testStatementsAlikeAtBothEndsAreCachedApart() throws {
        let db = try open()
        let head = "SELECT 'the same opening bytes here, longer than the edge', "
        let tail = " AS n, 'and the same closing bytes, longer than the edge as well'"
        let one = head + "1" + tail
        let two = head + "2" + tail
        XCTAssertEqual(one.utf8.count, two.utf8.count)
        XCTAssertEqual(StatementKey(sql: one).hashValue, StatementKey(sql: two).hashValue, "the texts share a bucket")
        for _ in 0..<2 {
            XCTAssertEqual(try db.queryFirst(one) { $0.int64(1) }, 1)
            XCTAssertEqual(try db.queryFirst(two) { $0.int64(1) }, 2)
        }
    }

    func testOpeningAFileThatIsNotADatabaseFails() throws {
        let path = directory.appendingPathComponent("junk.db").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Database(path: path)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .unavailable)
        }
        XCTAssertThrowsError(try Database(path: directory.appendingPathComponent("missing/dir/x.db").path))
    }

    func testMigratorAppliesEachVersionOnceAndIsIdempotent() throws {
        let migrations = [
            Migration(version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER)"),
            Migration(version: 2, name: "two", sql: "CREATE TABLE b (y INTEGER)"),
        ]
        let db = try open()
        XCTAssertEqual(try Migrator(migrations: Array(migrations.prefix(1))).migrate(db), [1])
        XCTAssertEqual(try Migrator(migrations: migrations).migrate(db), [2])
        XCTAssertEqual(try Migrator(migrations: migrations).migrate(db), [])
        XCTAssertEqual(try Migrator(migrations: migrations).appliedVersions(db), [1, 2])
    }

    /// Version 6 rebuilds the journal: every posting, its `seq` and the AUTOINCREMENT counter
    /// survive; the rules (append-only, the type CHECK) still hold; an insert needs no
    /// temporary B-tree any more.
    func testTheJournalRebuildKeepsEveryPostingAndItsRules() throws {
        let db = try open()
        let before = Array(Schema.migrations.prefix { $0.version < 6 })
        XCTAssertEqual(try Migrator(migrations: before).migrate(db), [1, 2, 3, 4, 5])
        try db.write { db in
            try db.run(
                "INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at) VALUES ('bank', NULL, 'bank_cash', NULL, 'EUR', -30, 'active', 1)"
            )
            for (seq, amount) in [(7, -10), (9, -20)] as [(Int64, Int64)] {
                try db.run(
                    """
                    INSERT INTO postings (seq, id, entry_id, account_id, type, amount, currency, balance_after, created_at)
                    VALUES (?, ?, ?, 'bank', 'deposit', ?, 'EUR', ?, 1)
                    """, [.integer(seq), .text("p\(seq)"), .text("e\(seq)"), .integer(amount), .integer(amount)])
            }
        }
        XCTAssertEqual(try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 6 })).migrate(db), [6])
        XCTAssertEqual(
            try db.query("SELECT seq, id, amount FROM postings ORDER BY seq") { "\($0.int64(0)) \($0.text(1)) \($0.int64(2))" }, ["7 p7 -10", "9 p9 -20"])
        XCTAssertEqual(try db.scalarInt("SELECT seq FROM sqlite_sequence WHERE name = 'postings'"), 9)
        XCTAssertThrowsError(try db.write { try $0.run("UPDATE postings SET amount = 1 WHERE seq = 7") })
        XCTAssertThrowsError(try db.write { try $0.run("DELETE FROM postings") })
        XCTAssertThrowsError(
            try db.write {
                try $0.run(
                    "INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at) VALUES ('x', 'e', 'bank', 'gift', 1, 'EUR', 1, 1)"
                )
            }
        ) { error in XCTAssertEqual((error as? StoreError)?.kind, .constraint) }
        let plan = try db.query(
            "EXPLAIN INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at) VALUES ('y', 'e', 'bank', 'deposit', 1, 'EUR', 1, 1)"
        ) { $0.text(1) }
        XCTAssertFalse(plan.contains("OpenEphemeral"), "\(plan)")
        XCTAssertEqual(
            try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'postings' AND type IN ('index', 'trigger') AND sql IS NOT NULL"), 6)
    }

    /// Version 7 caches each account's posting count beside its balance, and version 8 its latest
    /// posting time: both filled from the journal when they are added and moved with every
    /// balance; the count is checked by the verification.
    func testPostingCountsAreFilledFromTheJournalAndKeptWithTheBalance() throws {
        let db = try open()
        try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 6 })).migrate(db)
        try db.write { db in
            try db.run(
                "INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at) VALUES ('bank', NULL, 'bank_cash', NULL, 'EUR', -30, 'active', 1)"
            )
            for (index, amount) in [(1, -10), (2, -20)] as [(Int64, Int64)] {
                try db.run(
                    """
                    INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at)
                    VALUES (?, ?, 'bank', 'deposit', ?, 'EUR', ?, 1)
                    """, [.text("p\(index)"), .text("e\(index)"), .integer(amount), .integer(index == 1 ? -10 : -30)])
            }
        }
        XCTAssertEqual(try Migrator().migrate(db), Schema.migrations.map(\.version).filter { $0 >= 7 })
        XCTAssertEqual(try db.scalarInt("SELECT posting_count FROM accounts WHERE id = 'bank'"), 2)
        XCTAssertEqual(try db.scalarInt("SELECT last_posted_at FROM accounts WHERE id = 'bank'"), 1)
        try db.write { db in
            XCTAssertEqual(try db.moveBalance(accountID: "bank", from: -30, to: -35, at: Timestamp(millisecondsSinceEpoch: 5)), -35)
        }
        XCTAssertEqual(try db.scalarInt("SELECT posting_count FROM accounts WHERE id = 'bank'"), 3)
        XCTAssertEqual(try db.scalarInt("SELECT last_posted_at FROM accounts WHERE id = 'bank'"), 5)
        let found = try db.read { try $0.ledgerDiscrepancies() }
        XCTAssertTrue(found.contains { $0.contains("counts 3 postings but has 2") }, "\(found)")
    }

    /// Version 18 gives each webhook the outbox's newest event when it was registered. Webhooks from
    /// before get what comparing times gave them for the events the relay has not handed on yet
    /// (those of earlier milliseconds, not of their own); the relayed ones are behind them anyway.
    func testWebhooksFromBeforeTheEventBoundaryKeepWhatTheirTimesGaveThem() throws {
        for (cursor, expected) in [(nil, ["early=0", "same=1", "late=4"]), ("e2", ["early=2", "same=2", "late=4"])] as [(String?, [String])] {
            let db = try open("boundary-\(cursor ?? "none").db")
            try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 17 })).migrate(db)
            try db.write { db in
                try db.run(MigrationFixtures.user)
                for (seq, time) in [(1, 100), (2, 200), (3, 200), (4, 300)] as [(Int64, Int64)] {
                    try db.run(
                        "INSERT INTO events (seq, id, type, created_at, data, user_id) VALUES (?, ?, 'transaction.created', ?, '{}', 'u')",
                        [.integer(seq), .text("e\(seq)"), .integer(time)])
                }
                for (id, time) in [("early", 50), ("same", 200), ("late", 400)] as [(String, Int64)] {
                    try db.run(
                        "INSERT INTO webhooks (id, user_id, url, events, status, secret, created_at) VALUES (?, 'u', 'https://x', '[\"*\"]', 'enabled', 's', ?)",
                        [.text(id), .integer(time)])
                }
                try db.run("UPDATE outbox_cursors SET last_event_id = ? WHERE name = 'webhooks'", [cursor.sqliteValue])
            }
            XCTAssertEqual(try Migrator().migrate(db), Schema.migrations.map(\.version).filter { $0 >= 18 })
            let boundaries = try db.query("SELECT id, after_event_seq FROM webhooks ORDER BY seq") { "\($0.text(0))=\($0.int64(1))" }
            XCTAssertEqual(boundaries, expected, "relayed up to \(cursor ?? "nothing")")
        }
    }

    /// Version 21 keeps every replaced webhook secret with its own end: a secret rotated before it
    /// keeps signing until the end it had; a webhook never rotated has none.
    func testAWebhookSecretRotatedBeforeVersion21KeepsItsOverlap() throws {
        let db = try open()
        try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 20 })).migrate(db)
        try db.write { db in
            try db.run(MigrationFixtures.user)
            try db.run(MigrationFixtures.webhooksBeforeVersion21)
        }
        XCTAssertEqual(try Migrator().migrate(db), Schema.migrations.map(\.version).filter { $0 >= 21 })
        let rotated = try XCTUnwrap(try db.webhook(id: "rotated"))
        XCTAssertEqual(rotated.retiredSecrets, [RetiredSecret(secret: "whsec_old", until: Timestamp(millisecondsSinceEpoch: 5000))])
        XCTAssertEqual(rotated.signingSecrets(at: Timestamp(millisecondsSinceEpoch: 4999)), ["whsec_new", "whsec_old"])
        XCTAssertEqual(rotated.signingSecrets(at: Timestamp(millisecondsSinceEpoch: 5000)), ["whsec_new"])
        XCTAssertEqual(try XCTUnwrap(try db.webhook(id: "never")).retiredSecrets, [])
    }

    /// Version 24 rebuilds the four append-only tables without AUTOINCREMENT: every row keeps its
    /// `seq`, every reference into them still resolves, their indexes and triggers are back, new
    /// rows continue after the highest `seq`, and foreign keys are on again afterwards.
    func testVersion24DropsAutoincrementAndKeepsEveryRowAndReference() throws {
        let db = try open()
        try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 23 })).migrate(db)
        try db.write { db in for sql in MigrationFixtures.journalsBeforeVersion24 { try db.run(sql) } }
        let tables = ["transfers", "postings", "events", "audit_events"]
        func objects(_ table: String) throws -> [String] {
            try db.query(
                "SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name",
                [.text(table)]
            ) { $0.text(0) }
        }
        func shape(_ table: String) throws -> [String] {
            try db.query(
                "SELECT cid || ' ' || name || ' ' || type || ' ' || \"notnull\" || ' ' || ifnull(dflt_value, '-') || ' ' || pk FROM pragma_table_xinfo(?)",
                [.text(table)]
            ) { $0.text(0) }
                + db.query(
                    "SELECT \"table\" || ' ' || \"from\" || ' -> ' || ifnull(\"to\", '-') FROM pragma_foreign_key_list(?) ORDER BY \"from\"", [.text(table)]
                ) { $0.text(0) }
        }
        let before = try tables.map(objects)
        let shapes = try tables.map(shape)
        XCTAssertEqual(try Migrator().migrate(db), [24])
        XCTAssertEqual(try tables.map(objects), before)
        XCTAssertEqual(try tables.map(shape), shapes, "columns, their order and foreign keys")
        for table in tables {
            let sql = try XCTUnwrap(try db.queryFirst("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(table)]) { $0.text(0) })
            XCTAssertFalse(sql.contains("AUTOINCREMENT"), sql)
        }
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_sequence WHERE name IN ('transfers', 'postings', 'events', 'audit_events')"), 0)
        XCTAssertEqual(
            try db.query("SELECT seq || ' ' || id || ' ' || ifnull(reverses_id, '-') FROM transfers ORDER BY seq") { $0.text(0) }, ["3 t1 -", "7 t2 t1"])
        XCTAssertEqual(
            try db.query("SELECT seq || ' ' || id || ' ' || transfer_id || ' ' || ifnull(reverses_id, '-') FROM postings ORDER BY seq") { $0.text(0) },
            ["4 p1 t1 -", "9 p2 t2 p1"])
        XCTAssertEqual(try db.scalarInt("SELECT seq FROM events WHERE id = 'ev'"), 12)
        XCTAssertEqual(try db.queryFirst("SELECT seq || ' ' || server_request_id FROM audit_events") { $0.text(0) }, "20 srv")
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
        XCTAssertEqual(try db.query("PRAGMA foreign_key_check") { $0.text(0) }, [])
        _ = try db.write { db in
            try db.run("INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, created_at) VALUES ('t3', 'a1', 'a2', 1, 'EUR', 12)")
        }
        XCTAssertEqual(try db.scalarInt("SELECT seq FROM transfers WHERE id = 't3'"), 8)
        XCTAssertThrowsError(
            try db.write {
                try $0.run(
                    "INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, transfer_id, created_at) VALUES ('x', 'e', 'a1', 'deposit', 1, 'EUR', 1, 'nope', 1)"
                )
            }
        ) { error in XCTAssertEqual((error as? StoreError)?.kind, .constraint, "foreign keys are enforced again") }
        for table in tables {
            XCTAssertThrowsError(try db.write { try $0.run("DELETE FROM \(table)") }, "\(table) stays append-only")
        }
    }

    /// A rebuild copies every row, so a reference broken before it is the database's own: the
    /// version is not applied, the message says so, and the connection has its foreign keys back.
    func testAReferenceBrokenBeforeARebuildStopsItWithItsOwnMessage() throws {
        let db = try open()
        try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 23 })).migrate(db)
        try db.write { db in for sql in MigrationFixtures.journalsBeforeVersion24 { try db.run(sql) } }
        try db.execute("PRAGMA foreign_keys = OFF")
        _ = try db.write {
            try $0.run(
                "INSERT INTO scheduled_transfer_runs (id, schedule_id, run_on, outcome, transfer_id, created_at) VALUES ('r2', 's', 2, 'executed', 'gone', 1)")
        }
        try db.execute("PRAGMA foreign_keys = ON")
        XCTAssertThrowsError(try Migrator().migrate(db)) { error in
            XCTAssertTrue(
                "\(error)".contains("migration 24 not applied: the database already has references that point at nothing (scheduled_transfer_runs"), "\(error)")
        }
        XCTAssertEqual(try Migrator().appliedVersions(db).last, 23)
        let sql = try XCTUnwrap(try db.queryFirst("SELECT sql FROM sqlite_schema WHERE name = 'transfers'") { $0.text(0) })
        XCTAssertTrue(sql.contains("AUTOINCREMENT"), sql)
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
    }

    /// A connection with a committer writes through the committer's connection, whose foreign
    /// keys it cannot turn off: a rebuild is refused there, with a message, not run half-checked.
    func testARebuildRefusesAConnectionWithACommitter() throws {
        let path = directory.appendingPathComponent("committed.db").path
        try Migrator(migrations: Array(Schema.migrations.prefix { $0.version <= 23 })).migrate(try Database(path: path))
        let committer = GroupCommitter(writer: try Database(path: path), capacity: 4)
        defer { committer.stop() }
        let db = try Database(path: path, options: .init(committer: committer))
        XCTAssertThrowsError(try Migrator().migrate(db)) { error in
            XCTAssertEqual("\(error)", "migration 24 must run on a connection without a committer")
        }
        XCTAssertEqual(try Migrator().appliedVersions(db).last, 23)
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
    }

    /// A rebuild that leaves a row pointing at nothing is rolled back whole, and the connection
    /// has its foreign keys back.
    func testARebuildThatWouldBreakAReferenceIsRolledBack() throws {
        let db = try open()
        let migrations = [
            Migration(
                version: 1, name: "parents",
                sql: """
                    CREATE TABLE parents (id INTEGER PRIMARY KEY) STRICT;
                    CREATE TABLE children (parent_id INTEGER NOT NULL REFERENCES parents (id)) STRICT;
                    INSERT INTO parents (id) VALUES (1);
                    INSERT INTO children (parent_id) VALUES (1);
                    """),
            Migration(
                version: 2, name: "parents_rebuilt_empty", rebuildsReferencedTables: true,
                sql: "DROP TABLE parents; CREATE TABLE parents (id INTEGER PRIMARY KEY) STRICT;"),
        ]
        XCTAssertThrowsError(try Migrator(migrations: migrations).migrate(db)) { error in
            XCTAssertTrue("\(error)".contains("migration 2 would break foreign keys: children row 1 -> parents"), "\(error)")
        }
        XCTAssertEqual(try Migrator().appliedVersions(db), [1])
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM parents"), 1, "the rebuild was rolled back")
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
        XCTAssertThrowsError(try db.write { try $0.run("INSERT INTO children (parent_id) VALUES (7)") }, "foreign keys are enforced again")
    }

    /// The verification's running sums follow each account's journal in order, however the
    /// accounts' postings interleave: only the posting whose balance_after is wrong is named.
    func testTheRunningSumCheckNamesOnlyThePostingThatDisagrees() throws {
        let db = try open()
        try Migrator().migrate(db)
        try db.write { db in
            for currency in ["EUR", "USD"] {
                try db.run(
                    "INSERT INTO accounts (id, holder_id, kind, type, currency, status, created_at) VALUES (?, NULL, 'bank_cash', NULL, ?, 'active', 1)",
                    [.text(currency.lowercased()), .text(currency)])
            }
            let journal: [(String, String, Int64, Int64)] = [
                ("p1", "eur", -10, -10), ("p2", "usd", -5, -5), ("p3", "eur", -20, -31), ("p4", "usd", -5, -10), ("p5", "eur", -1, -31),
            ]
            for (id, account, amount, balanceAfter) in journal {
                try db.run(
                    """
                    INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at)
                    VALUES (?, ?, ?, 'withdrawal', ?, ?, ?, 1)
                    """, [.text(id), .text("e-\(id)"), .text(account), .integer(amount), .text(account.uppercased()), .integer(balanceAfter)])
            }
        }
        let found = try db.read { try $0.ledgerDiscrepancies() }.filter { $0.contains("running sum") }
        XCTAssertEqual(found, ["transaction p3 on account eur: balance_after disagrees with the running sum"])
    }

    func testAFailingMigrationLeavesNoTrace() throws {
        let db = try open()
        let migrations = [
            Migration(version: 1, name: "good", sql: "CREATE TABLE a (x INTEGER)"),
            Migration(version: 2, name: "bad", sql: "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1)"),
        ]
        XCTAssertThrowsError(try Migrator(migrations: migrations).migrate(db))
        XCTAssertEqual(try Migrator(migrations: migrations).appliedVersions(db), [1])
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0)
    }

    func testTheCheckpointThresholdIsSetOnlyWhenAsked() throws {
        let path = directory.appendingPathComponent("checkpoint.db").path
        var options = Database.Options()
        options.checkpointPages = 4000
        XCTAssertEqual(try Database(path: path, options: options).scalarInt("PRAGMA wal_autocheckpoint"), 4000)
        XCTAssertEqual(try Database(path: path).scalarInt("PRAGMA wal_autocheckpoint"), 1000, "SQLite's default")
    }

    /// The webhook relay polls the events after its cursor on the writer connection. Written as
    /// `?1 IS NULL OR seq > …` it read the whole table on every poll.
    func testTheRelayReadsEventsFromItsCursorWithoutAScan() throws {
        let db = try Database(path: directory.appendingPathComponent("plan.db").path)
        try Migrator().migrate(db)
        let fromStart = try db.query("EXPLAIN QUERY PLAN \(Database.eventsFromStart)", [.integer(1)]) { $0.text(3) }
        XCTAssertEqual(fromStart, ["SCAN events"], "from the start: the first rows in order, then LIMIT")
        let afterCursor = try db.query("EXPLAIN QUERY PLAN \(Database.eventsAfterCursor)", [.text("x"), .integer(1)]) { $0.text(3) }
        XCTAssertTrue(afterCursor.contains("SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"), "\(afterCursor)")
        XCTAssertFalse(afterCursor.contains("SCAN events"), "\(afterCursor)")
    }

    /// Statement pages walk one index in the journal's time order, from the cursor's place on:
    /// written as `?4 IS NULL OR seq > …` in sequence order, every page read and sorted the period.
    func testStatementPagesStartAtTheCursorInTheJournalIndex() throws {
        let db = try Database(path: directory.appendingPathComponent("plan.db").path)
        try Migrator().migrate(db)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'postings_account_seq'"), 0)
        let arguments: [SQLiteValue] = [.text("a"), .integer(5), .integer(3), .integer(9), .integer(1), .integer(0)]
        let plan = try db.query("EXPLAIN QUERY PLAN \(Database.statementLinesFrom)", arguments) { $0.text(3) }
        XCTAssertTrue(plan.contains { $0.hasPrefix("SEARCH p USING INDEX postings_account_time (account_id=? AND created_at>? AND created_at<?)") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    /// An admin's audit page filtered by actor or action, and a customer's cards, are read from
    /// the filter's index. Written as `?1 IS NULL OR actor_id = ?1`, every page (and its count)
    /// read the whole audit trail, and every customer's card list read every card.
    func testFilteredAuditAndCardPagesReadTheFiltersIndex() throws {
        let db = try Database(path: directory.appendingPathComponent("plan.db").path)
        try Migrator().migrate(db)
        func plan(_ sql: String, _ conditions: SQLConditions) throws -> [String] {
            try db.query("EXPLAIN QUERY PLAN \(sql)", conditions.arguments + [.integer(21), .integer(0)]) { $0.text(3) }
        }
        let byActor = Database.auditConditions(AuditFilter(actorID: "u"))
        XCTAssertEqual(try plan(Database.auditPage(byActor), byActor), ["SEARCH audit_events USING INDEX audit_events_actor (actor_id=?)"])
        let byAction = Database.auditConditions(AuditFilter(action: .login))
        XCTAssertEqual(try plan(Database.auditPage(byAction), byAction), ["SEARCH audit_events USING INDEX audit_events_action (action=?)"])
        XCTAssertEqual(try plan(Database.auditPage(Database.auditConditions(AuditFilter())), SQLConditions()), ["SCAN audit_events"])

        let oneAccount = Database.cardConditions(accountID: "a", holderID: nil)
        XCTAssertEqual(try plan(Database.cardPage(oneAccount), oneAccount), ["SEARCH cards USING INDEX cards_account (account_id=?)"])
        let oneHolder = Database.cardConditions(accountID: nil, holderID: "h")
        let holderPlan = try plan(Database.cardPage(oneHolder), oneHolder)
        XCTAssertTrue(holderPlan.contains { $0.hasPrefix("SEARCH cards USING INDEX cards_account (account_id=?)") }, "\(holderPlan)")
        XCTAssertFalse(holderPlan.contains("SCAN cards"), "\(holderPlan)")
    }

    /// A user's event feed, polled with a cursor, reads each side from its index from the cursor on
    /// (no deeper than the page) and counts each side from its index alone: the OR of the two
    /// columns read and sorted every event of the user on every poll.
    func testAUsersFeedReadsEachSideFromItsIndexFromTheCursorOn() throws {
        let db = try Database(path: directory.appendingPathComponent("plan.db").path)
        try Migrator().migrate(db)
        let feed = Database.userFeed(userID: "u", type: nil, page: PageRequest(limit: 20, offset: 0, after: "e"))
        let page = try db.query("EXPLAIN QUERY PLAN \(feed.page.sql)", feed.page.arguments) { $0.text(3) }
        XCTAssertTrue(page.contains("SEARCH events USING COVERING INDEX events_user (user_id=? AND seq>?)"), "\(page)")
        XCTAssertTrue(page.contains("SEARCH events USING COVERING INDEX events_other_user (other_user_id=? AND seq>?)"), "\(page)")
        XCTAssertFalse(page.contains { $0.hasPrefix("SCAN events") || $0.contains("MULTI-INDEX OR") }, "\(page)")
        let total = try db.query("EXPLAIN QUERY PLAN \(feed.total.sql)", feed.total.arguments) { $0.text(3) }
        XCTAssertTrue(total.contains("SEARCH events USING COVERING INDEX events_user (user_id=?)"), "\(total)")
        XCTAssertTrue(total.contains("SEARCH events USING COVERING INDEX events_other_user (other_user_id=?)"), "\(total)")
    }

    /// What the job runners, the hold sweep, every login and every authenticated request run is
    /// read from an index of what it looks for: before migration 20 the claim read every queued
    /// job (future ones too), the purge every job kept for the week, the sweep every pending hold,
    /// each login every login failure, and the token check its session's whole refresh family.
    func testBackgroundAndPerRequestQueriesReadOnlyWhatTheyLookFor() throws {
        let db = try Database(path: directory.appendingPathComponent("plan.db").path)
        try Migrator().migrate(db)
        func plan(_ sql: String, _ count: Int) throws -> [String] {
            try db.query("EXPLAIN QUERY PLAN \(sql)", (1...count).map { _ in SQLiteValue.integer(1) }) { $0.text(3) }
        }
        for excluded in [SQLiteValue.null, .text(JobKind.webhookDelivery.rawValue)] {
            let claim = try db.query("EXPLAIN QUERY PLAN \(Database.claimDueJobs)", [.integer(1), .integer(1), .integer(1), .integer(1), excluded]) {
                $0.text(3)
            }
            XCTAssertTrue(claim.contains("SEARCH jobs USING INDEX jobs_due (status=? AND run_at<?)"), "\(claim)")
            XCTAssertFalse(claim.contains { $0.hasPrefix("SCAN jobs") }, "\(claim)")
        }
        XCTAssertEqual(try plan(Database.finishedJobs, 1), ["SEARCH jobs USING INDEX jobs_finished (status=? AND updated_at<?)"])
        XCTAssertEqual(try plan(Database.dueHolds, 2), ["SEARCH holds USING INDEX holds_expiry (expires_at<?)"])
        let clear = try plan(Database.clearLoginFailures, 2)
        XCTAssertTrue(clear.contains("SEARCH login_failures USING INDEX login_failures_at (at<?)"), "\(clear)")
        XCTAssertFalse(clear.contains { $0.hasPrefix("SCAN login_failures") }, "\(clear)")
        let purge = try plan(Database.purgeRefreshTokens, 2)
        XCTAssertTrue(purge.contains("SEARCH refresh_tokens USING COVERING INDEX refresh_tokens_expiry (expires_at<?)"), "\(purge)")
        XCTAssertFalse(purge.contains { $0.hasPrefix("SCAN refresh_tokens") }, "\(purge)")
        let token = try plan(Database.tokenStandingQuery, 3)
        XCTAssertTrue(token.contains("SEARCH refresh_tokens USING INDEX refresh_tokens_revoked (family_id=?)"), "\(token)")
    }

    func testConcurrentMigratorsOnSeparateConnectionsApplyOnce() throws {
        let path = directory.appendingPathComponent("race.db").path
        let migrations = (1...20).map { Migration(version: $0, name: "m\($0)", sql: "CREATE TABLE t\($0) (x INTEGER)") }
        let group = DispatchGroup()
        let failures = Failures()
        for _ in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let db = try Database(path: path)
                    try Migrator(migrations: migrations).migrate(db)
                } catch {
                    failures.add("\(error)")
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(try Migrator(migrations: migrations).appliedVersions(try Database(path: path)), Array(1...20))
    }
}

final class Failures: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
