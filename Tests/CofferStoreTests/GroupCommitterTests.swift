import CofferSQLite
import CofferStore
import CofferTestSupport
import Foundation
import XCTest

/// Group commit, deterministically: the committer is paused while jobs queue, so the batch they
/// form is known, then resumed.
final class GroupCommitterTests: XCTestCase {
    var directory: URL!
    var path: String { directory.appendingPathComponent("g.db").path }
    var committer: GroupCommitter!
    var worker: Database!

    struct Refused: Error {}

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
        let setup = try Database(path: path)
        try setup.execute(
            """
            CREATE TABLE items (name TEXT PRIMARY KEY) STRICT;
            CREATE TABLE parents (id INTEGER PRIMARY KEY) STRICT;
            CREATE TABLE children (parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED) STRICT;
            """)
        committer = GroupCommitter(writer: try Database(path: path), capacity: 8)
        worker = try Database(path: path, options: .init(committer: committer))
    }

    override func tearDown() {
        committer?.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `count` writers, each on its own thread and connection, and waits until all of them
    /// are queued at the paused committer. Returns how each one ended.
    private func queueWriters(_ jobs: [@Sendable (Database) throws -> Void]) throws -> () -> [Result<Void, any Error>] {
        let outcomes = Outcomes(count: jobs.count)
        let group = DispatchGroup()
        let path = path
        let committer = committer!
        for (index, job) in jobs.enumerated() {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let connection = try Database(path: path, options: .init(committer: committer))
                    try connection.write { db in try job(db) }
                    outcomes.set(index, .success(()))
                } catch {
                    outcomes.set(index, .failure(error))
                }
            }.start()
            // One at a time, so the queue order is the jobs' order.
            let deadline = Date().addingTimeInterval(10)
            while committer.queuedJobs < index + 1 && Date() < deadline { usleep(1_000) }
            XCTAssertEqual(committer.queuedJobs, index + 1)
        }
        return {
            group.wait()
            return outcomes.all
        }
    }

    /// A job that inserts `name`, counted in `runs` each time the committer runs it.
    private func inserting(_ name: String, counted runs: RunCounts) -> @Sendable (Database) throws -> Void {
        { db in
            runs.count(name)
            try db.run("INSERT INTO items (name) VALUES (?)", [.text(name)])
        }
    }

    private func names() throws -> [String] {
        try Database(path: path).query("SELECT name FROM items ORDER BY name") { $0.text(0) }
    }

    /// Operators find the committer in `top -H` and perf, and `make bench` splits its time, by
    /// its thread's name.
    func testTheCommitterRunsOnAThreadNamedForIt() throws {
        _ = committer.raisedPriority  // returns once the thread has started (and named itself)
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let names = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
        XCTAssertTrue(names.contains("cofferd-commit\n"), "\(names.sorted())")
    }

    /// The refused job wrote a row before it threw: the batch is undone and run again with a
    /// savepoint per job, so the jobs before it run twice and the one after it once.
    func testOneBatchCommitsTheJobsThatSucceedAndUndoesTheRefusedOne() throws {
        committer.pause()
        let before = committer.statistics
        let runs = RunCounts()
        let finish = try queueWriters([
            inserting("first", counted: runs),
            { db in
                runs.count("refused")
                try db.run("INSERT INTO items (name) VALUES ('refused')")
                throw Refused()
            },
            inserting("third", counted: runs),
        ])
        XCTAssertEqual(try names(), [], "nothing is visible before the batch commits")
        committer.resume()
        let outcomes = finish()
        XCTAssertNoThrow(try outcomes[0].get())
        XCTAssertThrowsError(try outcomes[1].get()) { XCTAssertTrue($0 is Refused, "the job's own error comes back: \($0)") }
        XCTAssertNoThrow(try outcomes[2].get())
        XCTAssertEqual(try names(), ["first", "third"])
        let after = committer.statistics
        XCTAssertEqual(after.batches, before.batches + 1, "one transaction for the three jobs")
        XCTAssertEqual(after.sizes[3], 1)
        XCTAssertEqual(after.replays, before.replays + 1)
        XCTAssertEqual(runs.all, ["first": 2, "refused": 2, "third": 1])
    }

    /// Refusals that changed no row, whether thrown before any statement or by a statement SQLite
    /// undid itself (a two-row insert whose second row breaks the key), need no replay: every job
    /// runs once, in one transaction without savepoints.
    func testJobsRefusedBeforeChangingARowAreNotRunAgain() throws {
        _ = try worker.write { db in try db.run("INSERT INTO items (name) VALUES ('taken')") }
        committer.pause()
        let before = committer.statistics
        let runs = RunCounts()
        let finish = try queueWriters([
            inserting("first", counted: runs),
            { db in
                runs.count("checked")
                guard try db.scalarInt("SELECT count(*) FROM items WHERE name = 'taken'") == 0 else { throw Refused() }
            },
            { db in
                runs.count("half")
                try db.run("INSERT INTO items (name) VALUES ('half'), ('taken')")
            },
            inserting("fourth", counted: runs),
        ])
        committer.resume()
        let outcomes = finish()
        XCTAssertNoThrow(try outcomes[0].get())
        XCTAssertThrowsError(try outcomes[1].get()) { XCTAssertTrue($0 is Refused, "\($0)") }
        XCTAssertThrowsError(try outcomes[2].get()) { XCTAssertEqual(($0 as? StoreError)?.kind, .constraint, "\($0)") }
        XCTAssertNoThrow(try outcomes[3].get())
        XCTAssertEqual(try names(), ["first", "fourth", "taken"], "the failed statement's first row is undone")
        let after = committer.statistics
        XCTAssertEqual(after.batches, before.batches + 1)
        XCTAssertEqual(after.replays, before.replays, "nothing to undo, so nothing run again")
        XCTAssertEqual(runs.all, ["first": 1, "checked": 1, "half": 1, "fourth": 1])
    }

    /// A job whose changes a savepoint of its own undid before it threw (an atomic transfer
    /// batch refused at an item) left nothing in place: no replay. One that changed a row outside
    /// that savepoint as well is undone by a replay.
    func testChangesASavepointUndidNeedNoReplay() throws {
        committer.pause()
        let before = committer.statistics
        let runs = RunCounts()
        let finish = try queueWriters([
            inserting("first", counted: runs),
            { db in
                runs.count("undone")
                _ = try? db.savepoint { step in
                    try db.run("INSERT INTO items (name) VALUES ('undone')")
                    _ = try step.savepoint { _ in try db.run("INSERT INTO items (name) VALUES ('nested')") }
                    throw Refused()
                }
                throw Refused()
            },
            inserting("third", counted: runs),
        ])
        committer.resume()
        let outcomes = finish()
        XCTAssertThrowsError(try outcomes[1].get()) { XCTAssertTrue($0 is Refused, "\($0)") }
        XCTAssertEqual(try names(), ["first", "third"])
        XCTAssertEqual(committer.statistics.replays, before.replays)
        XCTAssertEqual(runs.all, ["first": 1, "undone": 1, "third": 1])

        committer.pause()
        let again = try queueWriters([
            { db in
                runs.count("partly")
                try db.run("INSERT INTO items (name) VALUES ('kept before the savepoint')")
                _ = try? db.savepoint { _ in
                    try db.run("INSERT INTO items (name) VALUES ('undone too')")
                    throw Refused()
                }
                throw Refused()
            },
            { db in try db.run("INSERT INTO items (name) VALUES ('last')") },
        ])
        committer.resume()
        let later = again()
        XCTAssertThrowsError(try later[0].get())
        XCTAssertNoThrow(try later[1].get())
        XCTAssertEqual(try names(), ["first", "last", "third"])
        XCTAssertEqual(committer.statistics.replays, before.replays + 1)
        XCTAssertEqual(runs.all["partly"], 2)
    }

    /// A job that ends the batch's transaction itself leaves the jobs after it nowhere to run
    /// but in autocommit: the committer fails the batch instead, and nothing of it is kept.
    func testAJobThatEndsTheTransactionFailsItsBatchAndTheJobsAfterItNeverRun() throws {
        committer.pause()
        let runs = RunCounts()
        let finish = try queueWriters([
            { db in try db.run("INSERT INTO items (name) VALUES ('before')") },
            { db in
                try db.execute("ROLLBACK")
                // Outside the batch's transaction this would commit on its own: it is refused.
                XCTAssertThrowsError(try db.run("INSERT INTO items (name) VALUES ('autocommitted')")) { error in
                    XCTAssertEqual((error as? StoreError)?.kind, .unavailable, "\(error)")
                }
            },
            inserting("after", counted: runs),
        ])
        committer.resume()
        for outcome in finish() {
            XCTAssertThrowsError(try outcome.get()) { error in
                XCTAssertEqual((error as? StoreError)?.kind, .unavailable, "\(error)")
            }
        }
        XCTAssertEqual(try names(), [])
        XCTAssertEqual(runs.all, [:])
        _ = try worker.write { db in try db.run("INSERT INTO items (name) VALUES ('later')") }
        XCTAssertEqual(try names(), ["later"])
    }

    func testAFailedCommitAnswersTheWholeBatchUnavailableAndKeepsNothing() throws {
        committer.pause()
        let finish = try queueWriters([
            { db in try db.run("INSERT INTO items (name) VALUES ('innocent')") },
            // A deferred foreign key is checked only at COMMIT, so this job "succeeds" and the
            // commit of its batch fails.
            { db in try db.run("INSERT INTO children (parent_id) VALUES (42)") },
        ])
        committer.resume()
        for outcome in finish() {
            XCTAssertThrowsError(try outcome.get()) { error in
                XCTAssertEqual((error as? StoreError)?.kind, .unavailable, "\(error)")
            }
        }
        XCTAssertEqual(try names(), [])
        XCTAssertEqual(try Database(path: path).scalarInt("SELECT count(*) FROM children"), 0)
        // The committer goes on with the next batch.
        _ = try worker.write { db in try db.run("INSERT INTO items (name) VALUES ('later')") }
        XCTAssertEqual(try names(), ["later"])
    }

    func testStoppingCommitsAndAnswersEveryQueuedJob() throws {
        committer.pause()
        let finish = try queueWriters(
            (0..<4).map { index in
                { db in try db.run("INSERT INTO items (name) VALUES (?)", [.text("queued-\(index)")]) }
            })
        committer.stop()
        XCTAssertTrue(finish().allSatisfy { (try? $0.get()) != nil })
        XCTAssertEqual(try names(), ["queued-0", "queued-1", "queued-2", "queued-3"])
        XCTAssertThrowsError(try worker.write { db in try db.run("INSERT INTO items (name) VALUES ('too late')") }) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .unavailable)
        }
    }

    func testWritesWithoutACommitterStillCommitOnReturnAndRollBackOnThrow() throws {
        let direct = try Database(path: path)
        _ = try direct.write { db in try db.run("INSERT INTO items (name) VALUES ('direct')") }
        XCTAssertThrowsError(
            try direct.write { db in
                try db.run("INSERT INTO items (name) VALUES ('undone')")
                throw Refused()
            })
        XCTAssertEqual(try names(), ["direct"])
    }
}

/// Results written by several threads, read after they finished.
final class Outcomes: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var results: [Result<Void, any Error>]

    init(count: Int) { results = Array(repeating: .success(()), count: count) }

    func set(_ index: Int, _ result: Result<Void, any Error>) { lock.withLock { results[index] = result } }

    var all: [Result<Void, any Error>] { lock.withLock { results } }
}

/// How many times each job's closure ran, counted from the committer's thread.
final class RunCounts: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func count(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }

    var all: [String: Int] { lock.withLock { counts } }
}
