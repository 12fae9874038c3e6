import CofferTestSupport
import Foundation
import XCTest

/// `coffer backup` and `coffer restore` on real databases: on SQLite while cofferd moves money
/// through nginx, on PostgreSQL through pg_dump and pg_restore.
final class BackupTests: XCTestCase {
    /// A backup taken under transfer load is one consistent snapshot: restored, it verifies, its
    /// money adds up, and every transfer answered 201 before the backup began is in it.
    func testABackupTakenUnderTransferLoadRestoresToAVerifiedLedger() throws {
        let stack = try Stack(environment: ["COFFER_WORKERS": "8"])
        defer { stack.stop() }
        let api = APIClient(http: stack.http)
        let owner = try api.member("backup@e2e.example")
        let accounts = try api.fundedAccounts(owner.token, count: 4, each: 1_000_000)
        let load = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 8)
        usleep(1_000_000)
        let acknowledgedBefore = load.createdSoFar
        let file = stack.directory.appendingPathComponent("coffer.backup").path
        let backup = try CofferCLI.run(["backup", "--database-url", stack.databaseURL, "--to", file])
        usleep(300_000)
        let results = load.finish()
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertTrue(backup.output.contains("integrity ok"), backup.output)
        XCTAssertTrue(backup.output.contains("backup 100% ("), "plain progress lines when not on a terminal: \(backup.output)")
        XCTAssertGreaterThan(acknowledgedBefore.count, 10, "the load ran before the backup")
        XCTAssertGreaterThan(results.createdIDs.count, acknowledgedBefore.count, "the load went on during the backup")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + "-wal"), "the backup is one self-contained file")
        let header = try XCTUnwrap(FileManager.default.contents(atPath: file)?.prefix(20))
        XCTAssertEqual(Array(header.suffix(2)), [1, 1], "the file says rollback journal, not WAL (header bytes 18 and 19)")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077, 0, "a backup holds password hashes: its owner's alone")

        let restoredURL = "sqlite://\(stack.directory.path)/restored.db"
        let restore = try CofferCLI.run(["restore", "--from", file, "--database-url", restoredURL])
        XCTAssertEqual(restore.status, 0, restore.output)
        let verify = try CofferCLI.run(["verify", "--database-url", restoredURL])
        XCTAssertEqual(verify.status, 0, verify.output)
        let restored = try TestSQL(url: restoredURL)
        XCTAssertEqual(try restored.scalarInt("SELECT SUM(balance) FROM accounts WHERE kind = 'customer'"), 4 * 1_000_000)
        for id in acknowledgedBefore {
            XCTAssertEqual(try restored.scalarInt("SELECT count(*) FROM transfers WHERE id = ?", [.text(id)]), 1, "transfer \(id) is missing")
        }
        // The live database went on; the backup is a point in time before the load's end.
        XCTAssertLessThanOrEqual(try restored.scalarInt("SELECT count(*) FROM transfers"), Int64(results.createdIDs.count))

        let again = try CofferCLI.run(["backup", "--database-url", stack.databaseURL, "--to", file])
        XCTAssertNotEqual(again.status, 0, "an existing backup is never overwritten")
        let over = try CofferCLI.run(["restore", "--from", file, "--database-url", stack.databaseURL])
        XCTAssertNotEqual(over.status, 0, "a database with data is replaced only with --replace")
        XCTAssertTrue(over.output.contains("--replace"), over.output)
    }

    func testRestoreRefusesAFileThatIsNotACofferBackup() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bogus = directory.appendingPathComponent("not-a-backup").path
        _ = FileManager.default.createFile(atPath: bogus, contents: Data("hello".utf8))
        let restore = try CofferCLI.run(["restore", "--from", bogus, "--database-url", "sqlite://\(directory.path)/target.db"])
        XCTAssertNotEqual(restore.status, 0)
        XCTAssertTrue(restore.output.contains("not-a-backup"), restore.output)
    }

    /// On PostgreSQL the backup is pg_dump's, restored by pg_restore into another database; the
    /// password never reaches the tools' command lines or the output.
    func testPostgreSQLBackupAndRestoreThroughPgDump() throws {
        guard let admin = ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_URL"], !admin.isEmpty else {
            throw XCTSkip("COFFER_TEST_POSTGRES_URL is not set")
        }
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let (source, target) = ("backup_src_\(suffix)", "backup_dst_\(suffix)")
        let server = try TestSQL(url: admin)
        for name in [source, target] { try server.run("CREATE DATABASE \(name)") }
        defer { for name in [source, target] { _ = try? server.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") } }
        func url(_ database: String) throws -> String {
            var components = try XCTUnwrap(URLComponents(string: admin))
            components.path = "/" + database
            return try XCTUnwrap(components.string)
        }
        let password = try XCTUnwrap(URLComponents(string: admin)?.password)
        XCTAssertEqual(try CofferCLI.run(["seed-demo", "--database-url", url(source)]).status, 0)
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("coffer.dump").path
        let backup = try CofferCLI.run(["backup", "--database-url", url(source), "--to", file])
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertFalse(backup.output.contains(password), backup.output)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077, 0, "pg_dump's file is its owner's alone too")
        let restore = try CofferCLI.run(["restore", "--from", file, "--database-url", url(target)])
        XCTAssertEqual(restore.status, 0, restore.output)
        let again = try CofferCLI.run(["restore", "--from", file, "--database-url", url(target)])
        XCTAssertNotEqual(again.status, 0, "a database with data is replaced only with --replace")
        XCTAssertTrue(again.output.contains("--replace"), again.output)
        let replaced = try CofferCLI.run(["restore", "--from", file, "--database-url", url(target), "--replace"])
        XCTAssertEqual(replaced.status, 0, replaced.output)
        XCTAssertFalse(restore.output.contains(password), restore.output)
        let verify = try CofferCLI.run(["verify", "--database-url", url(target)])
        XCTAssertEqual(verify.status, 0, verify.output)
        let balances = "SELECT string_agg(id || ':' || balance, ',' ORDER BY id) FROM accounts"
        XCTAssertEqual(try TestSQL(url: url(target)).text(balances), try TestSQL(url: url(source)).text(balances))
    }
}
