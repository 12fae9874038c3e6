import CofferStore
import Foundation
import XCTest

@testable import CofferSQLite

#if canImport(Glibc)
import Glibc
import CofferTestSupport
#endif

/// `BufferedWAL` against real files: what a commit returns from is in the WAL file, other
/// connections read it, spilled and rewritten frames come back as written, and a write that fails
/// when the buffer is written out fails its commit and leaves nothing behind.
final class BufferedWALTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Rows of about 1 KiB, so that a few hundred fill pages well past one buffer's 128 KiB.
    private func insertRows(_ db: Database, from first: Int, count: Int) throws {
        for n in first..<(first + count) {
            try db.run("INSERT INTO t (n, body) VALUES (?, ?)", [.integer(Int64(n)), .text(String(repeating: "\(n % 10)", count: 1000))])
        }
    }

    private func checksum(_ db: Database) throws -> [Int64] {
        [
            try db.scalarInt("SELECT count(*) FROM t"), try db.scalarInt("SELECT COALESCE(SUM(n), 0) FROM t"),
            try db.scalarInt("SELECT COALESCE(SUM(length(body)), 0) FROM t"),
        ]
    }

    func testOnlyConnectionsWhoseCommitsSyncTheWALUseIt() throws {
        XCTAssertEqual(try Database(path: path("full.db")).vfsName, BufferedWAL.name)
        XCTAssertEqual(try Database(path: path("extra.db"), options: .init(synchronous: "EXTRA")).vfsName, BufferedWAL.name)
        XCTAssertEqual(try Database(path: path("normal.db"), options: .init(synchronous: "NORMAL")).vfsName, "unix")
        var rollback = Database.Options()
        rollback.writeAheadLog = false
        XCTAssertEqual(try Database(path: path("rollback.db"), options: rollback).vfsName, "unix")
    }

    func testWhatACommitReturnsFromIsInTheFilesAndOtherConnectionsReadIt() throws {
        let writer = try Database(path: path("t.db"))
        try writer.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        let reader = try Database(path: path("t.db"), options: .init(synchronous: "NORMAL"))
        for batch in 0..<5 {
            try writer.write { db in try self.insertRows(db, from: batch * 400, count: 400) }
            XCTAssertEqual(try checksum(reader), try checksum(writer), "after commit \(batch)")
        }
        XCTAssertEqual(try checksum(writer)[0], 2000)
        // What a power cut right after the last commit would leave: the files as they are now, with
        // the writer still open and nothing checkpointed by a close.
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: path("t.db") + suffix, toPath: path("copy.db") + suffix)
        }
        XCTAssertGreaterThan(try FileManager.default.attributesOfItem(atPath: path("copy.db-wal"))[.size] as? Int ?? 0, 2_000_000)
        let copy = try Database(path: path("copy.db"))
        XCTAssertEqual(try copy.queryFirst("PRAGMA integrity_check") { $0.text(0) }, "ok")
        XCTAssertEqual(try checksum(copy), try checksum(writer))
    }

    /// A 64 KiB page cache makes a large transaction write frames before its commit and read them
    /// back; a rolled-back savepoint's pages are written again over the same frames.
    func testSpilledAndRewrittenFramesReadBackAsWritten() throws {
        let writer = try Database(path: path("t.db"), options: .init(cacheKiB: 64))
        try writer.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        try writer.execute("CREATE INDEX t_body ON t (body, n)")
        struct Undo: Error {}
        try writer.write { db in
            try self.insertRows(db, from: 0, count: 1500)
            XCTAssertThrowsError(
                try db.savepoint { savepoint -> Void in
                    try self.insertRows(savepoint as! Database, from: 10_000, count: 800)
                    throw Undo()
                })
            try self.insertRows(db, from: 1500, count: 1500)
            try db.run("UPDATE t SET body = upper(body) || 'x' WHERE n % 7 = 0")
        }
        let reader = try Database(path: path("t.db"), options: .init(synchronous: "NORMAL"))
        XCTAssertEqual(try reader.queryFirst("PRAGMA integrity_check") { $0.text(0) }, "ok")
        XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM t"), 3000)
        XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM t WHERE n >= 10000"), 0)
        XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM t WHERE body LIKE '%x'"), 429)
        XCTAssertEqual(try reader.scalarInt("SELECT SUM(n) FROM t"), 2999 * 3000 / 2)
    }

    /// The file size limit makes the buffer's write-out fail (EFBIG, SIGXFSZ ignored) inside the
    /// commit: the commit throws, nothing of it is visible or left in the files, and once the
    /// limit is lifted the same connection commits again.
    func testAWriteOutThatFailsFailsTheCommitAndLeavesNothing() throws {
        let writer = try Database(path: path("t.db"))
        try writer.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        try writer.write { db in try self.insertRows(db, from: 0, count: 10) }
        let before = try checksum(writer)

        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var previous = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous), 0)
        var limited = previous
        limited.rlim_cur = 512 * 1024
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
        var failure: Error?
        do {
            try writer.write { db in try self.insertRows(db, from: 10, count: 1000) }
        } catch {
            failure = error
        }
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous), 0)
        signal(SIGXFSZ, previousHandler)

        let storeError = try XCTUnwrap(failure as? StoreError, "the commit past the limit must fail")
        XCTAssertEqual(storeError.kind, .unavailable)
        XCTAssertEqual(try checksum(writer), before)
        let reader = try Database(path: path("t.db"), options: .init(synchronous: "NORMAL"))
        XCTAssertEqual(try checksum(reader), before)
        try writer.write { db in try self.insertRows(db, from: 10, count: 1000) }
        XCTAssertEqual(try checksum(reader)[0], 1010)
        XCTAssertEqual(try reader.queryFirst("PRAGMA integrity_check") { $0.text(0) }, "ok")
    }
}
