import CofferCore
import CofferPostgres
import CofferStore
import CofferTestSupport
import Foundation
import XCTest

/// The store contract, run against a real PostgreSQL server (the one `make test` starts).
final class PostgresStoreContractTests: StoreContractTests {
    private var database: PostgresTestDatabase?

    override func makeStore() throws -> any Store {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        self.database = database
        let pool = PostgresPool(url: database.url, size: 2)
        try PostgresMigrator().migrate(pool)
        return PostgresStore(pool: pool)
    }

    override func makeSecondStore() throws -> any Store {
        PostgresStore(pool: PostgresPool(url: try XCTUnwrap(database).url, size: 1))
    }

    override func tearDown() {
        super.tearDown()
        database?.drop()
    }

    /// Two nodes, one key: while one transaction holds the claim, another (on its own connection)
    /// is refused at once; after it ends, the key can be claimed again.
    func testAnIdempotencyKeyClaimHoldsAcrossConnectionsUntilItsTransactionEnds() throws {
        let pool = try XCTUnwrap(database.map { PostgresPool(url: $0.url, size: 2) })
        let store = PostgresStore(pool: pool)
        let claimed = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holder = Thread {
            _ = try? PostgresStore(pool: pool).write { db in
                XCTAssertTrue(try db.claimIdempotencyKey(userID: "u", key: "k"))
                claimed.signal()
                release.wait()
            }
            claimed.signal()
        }
        holder.start()
        claimed.wait()
        XCTAssertFalse(try store.write { try $0.claimIdempotencyKey(userID: "u", key: "k") }, "held by the other transaction")
        XCTAssertTrue(try store.write { try $0.claimIdempotencyKey(userID: "u", key: "other") })
        XCTAssertTrue(try store.write { try $0.claimIdempotencyKey(userID: "v", key: "k") }, "keys are per user")
        release.signal()
        claimed.wait()
        XCTAssertTrue(try store.write { try $0.claimIdempotencyKey(userID: "u", key: "k") }, "released at commit")
    }

    /// An event numbered first but committed last is never passed by a poller: while its
    /// transaction runs, events committed after it stay hidden, and once it commits the poller
    /// reads both in order.
    func testAPollerNeverPassesAnEventWhoseTransactionIsStillRunning() throws {
        let pool = try XCTUnwrap(database.map { PostgresPool(url: $0.url, size: 3) })
        let store = PostgresStore(pool: pool)
        let now = Timestamp.now()
        func event(_ id: String) -> Event { Event(id: id, type: .transactionCreated, createdAt: now, data: [:], userIDs: ["u"]) }
        func polled() throws -> [String] {
            try store.read { try $0.events(EventFilter(userID: "u", type: nil), page: PageRequest(limit: 10, offset: 0)) }.items.map(\.id)
        }
        let written = DispatchSemaphore(value: 0)
        let commit = DispatchSemaphore(value: 0)
        let early = event("early")
        let slow = Thread {
            _ = try? PostgresStore(pool: pool).write { db in
                try db.appendEvent(early)
                _ = try db.events(EventFilter(userID: nil, type: nil), page: PageRequest(limit: 1, offset: 0))  // sends the insert
                written.signal()
                commit.wait()
            }
            written.signal()
        }
        slow.start()
        written.wait()
        try store.write { try $0.appendEvent(event("late")) }
        XCTAssertEqual(try polled(), [], "the later event waits for the earlier transaction")
        commit.signal()
        written.wait()
        XCTAssertEqual(try polled(), ["early", "late"])
    }

    /// The other way round: a transaction that began first (an older transaction id) numbers its
    /// event last and commits while a younger one, whose event has the lower number, still runs.
    /// A poller that read the first event in sequence order would put its cursor past the second,
    /// which becomes visible only later; in commit order it reads it next.
    func testAPollerNeverPassesAnEventNumberedBeforeItsCursorThatCommitsLater() throws {
        let pool = try XCTUnwrap(database.map { PostgresPool(url: $0.url, size: 3) })
        let store = PostgresStore(pool: pool)
        let now = Timestamp.now()
        @Sendable func event(_ id: String) -> Event { Event(id: id, type: .transactionCreated, createdAt: now, data: [:], userIDs: ["u"]) }
        @Sendable func flush(_ db: any StoreWriter) throws { _ = try db.events(EventFilter(userID: nil, type: nil), page: PageRequest(limit: 1, offset: 0)) }
        let olderBegan = DispatchSemaphore(value: 0)
        let youngerWrote = DispatchSemaphore(value: 0)
        let olderCommitted = DispatchSemaphore(value: 0)
        let youngerMayCommit = DispatchSemaphore(value: 0)
        // A transaction left open would hold back every later test's snapshot horizon.
        defer { youngerMayCommit.signal() }
        @Sendable func writer(_ name: String) -> User {
            User(id: Identifier.make(at: now), email: "\(name)@example.com", role: .user, status: .active, createdAt: now)
        }
        let older = Thread {
            _ = try? PostgresStore(pool: pool).write { db in
                try db.insertUser(writer("older"), passwordHash: "h")  // takes a transaction id now
                olderBegan.signal()
                youngerWrote.wait()
                try db.appendEvent(event("numbered-last"))
            }
            olderCommitted.signal()
        }
        let younger = Thread {
            _ = try? PostgresStore(pool: pool).write { db in
                olderBegan.wait()
                try db.insertUser(writer("younger"), passwordHash: "h")
                try db.appendEvent(event("numbered-first"))
                try flush(db)
                youngerWrote.signal()
                youngerMayCommit.wait()
            }
            youngerWrote.signal()
        }
        older.start()
        younger.start()
        olderCommitted.wait()

        let relayed = try store.read { try $0.outboxEntries(after: nil, limit: 10) }.map(\.id)
        let page = try store.read { try $0.events(EventFilter(userID: "u", type: nil), page: PageRequest(limit: 10, offset: 0)) }
        XCTAssertEqual(relayed, ["numbered-last"])
        XCTAssertEqual(page.items.map(\.id), ["numbered-last"])
        let cursor = try XCTUnwrap(page.nextAfter)
        youngerMayCommit.signal()
        youngerWrote.wait()
        XCTAssertEqual(try store.read { try $0.outboxEntries(after: "numbered-last", limit: 10) }.map(\.id), ["numbered-first"])
        let next = try store.read { try $0.events(EventFilter(userID: "u", type: nil), page: PageRequest(limit: 10, offset: 0, after: cursor)) }
        XCTAssertEqual(next.items.map(\.id), ["numbered-first"])
    }

    func testMigratingTwiceAppliesNothingTheSecondTime() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let pool = PostgresPool(url: database.url, size: 1)
        XCTAssertEqual(try PostgresMigrator().appliedVersions(pool), [])
        XCTAssertEqual(try PostgresMigrator().migrate(pool), PostgresSchema.migrations.map(\.version))
        XCTAssertEqual(try PostgresMigrator().migrate(pool), [])
        XCTAssertEqual(try PostgresMigrator().appliedVersions(pool), PostgresSchema.migrations.map(\.version))
    }

    /// Version 18 as on SQLite (DatabaseTests): webhooks from before keep what their times gave
    /// them for the events not yet relayed. Afterwards the boundary has no default, so a writer
    /// that leaves it out fails rather than handing a webhook every event.
    func testWebhooksFromBeforeTheEventBoundaryKeepWhatTheirTimesGaveThem() throws {
        for (cursor, expected) in [(nil, ["early=0", "same=1", "late=4"]), ("e2", ["early=2", "same=2", "late=4"])] as [(String?, [String])] {
            guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
            defer { database.drop() }
            let pool = PostgresPool(url: database.url, size: 1)
            try PostgresMigrator(migrations: PostgresSchema.migrations.filter { $0.version <= 17 }).migrate(pool)
            try pool.withConnection { connection in
                try connection.execute(MigrationFixtures.user)
                for (seq, time) in [(1, 100), (2, 200), (3, 200), (4, 300)] {
                    try connection.execute(
                        "INSERT INTO events (seq, id, type, created_at, data, user_id) VALUES (\(seq), 'e\(seq)', 'transaction.created', \(time), '{}', 'u')")
                }
                for (id, time) in [("early", 50), ("same", 200), ("late", 400)] {
                    try connection.execute(
                        "INSERT INTO webhooks (id, user_id, url, events, status, secret, created_at) VALUES ('\(id)', 'u', 'https://x', '[\"*\"]', 'enabled', 's', \(time))"
                    )
                }
                _ = try connection.query("UPDATE outbox_cursors SET last_event_id = $1 WHERE name = 'webhooks'", [cursor.map(PostgresValue.text) ?? .null])
            }
            XCTAssertEqual(try PostgresMigrator().migrate(pool), PostgresSchema.migrations.map(\.version).filter { $0 >= 18 })
            try pool.withConnection { connection in
                let rows = try connection.query("SELECT id, after_event_seq FROM webhooks ORDER BY seq").rows
                XCTAssertEqual(rows.map { "\($0.text(0))=\($0.int64(1))" }, expected, "relayed up to \(cursor ?? "nothing")")
                XCTAssertThrowsError(
                    try connection.execute(
                        "INSERT INTO webhooks (id, user_id, url, events, status, secret, created_at) VALUES ('old', 'u', 'https://x', '[]', 'enabled', 's', 1)"
                    ))
            }
        }
    }

    /// Version 21 as on SQLite (DatabaseTests): a secret rotated before it keeps its overlap.
    func testAWebhookSecretRotatedBeforeVersion21KeepsItsOverlap() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let pool = PostgresPool(url: database.url, size: 1)
        try PostgresMigrator(migrations: PostgresSchema.migrations.filter { $0.version <= 20 }).migrate(pool)
        try pool.withConnection { connection in
            try connection.execute(MigrationFixtures.user)
            try connection.execute(MigrationFixtures.webhooksBeforeVersion21)
        }
        XCTAssertEqual(try PostgresMigrator().migrate(pool), PostgresSchema.migrations.map(\.version).filter { $0 >= 21 })
        let store = PostgresStore(pool: pool)
        let rotated = try XCTUnwrap(try store.read { try $0.webhook(id: "rotated") })
        XCTAssertEqual(rotated.retiredSecrets, [RetiredSecret(secret: "whsec_old", until: Timestamp(millisecondsSinceEpoch: 5000))])
        XCTAssertEqual(try XCTUnwrap(try store.read { try $0.webhook(id: "never") }).retiredSecrets, [])
    }

    func testAWrongPasswordIsUnavailableAndNeverEchoed() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let secret = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        var components = URLComponents(string: database.url)!
        components.password = secret
        XCTAssertThrowsError(try PostgresPool(url: components.string!, size: 1).warmUp()) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .unavailable, "\(error)")
            XCTAssertFalse("\(error)".contains(secret))
        }
    }
}
