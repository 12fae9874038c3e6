import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// What an operator runs against PostgreSQL: the `coffer` commands, and `make run-cluster`'s
/// launcher (scripts/cluster.sh), which must start everything and leave nothing running.
final class PostgresOperationsTests: XCTestCase {
    func testEveryCommandWorksOnPostgreSQLAndNeverShowsThePassword() throws {
        guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { database.drop() }
        let url = database.url
        let migrate = try CofferCLI.run(["migrate", "--database-url", url])
        XCTAssertEqual(migrate.status, 0, migrate.output)
        XCTAssertTrue(migrate.output.contains("applied migrations: 7, 8"), migrate.output)
        XCTAssertTrue(try CofferCLI.run(["migrate", "--database-url", url]).output.contains("schema is current"))

        let adminPassword = "an admin passphrase on postgres"
        let admin = try CofferCLI.run(["create-admin", "--email", "ops@pg.example", "--database-url", url], stdin: adminPassword + "\n")
        XCTAssertEqual(admin.status, 0, admin.output)
        XCTAssertTrue(admin.output.contains("created admin ops@pg.example"), admin.output)
        XCTAssertFalse(admin.output.contains(adminPassword))

        let seed = try CofferCLI.run(["seed-demo", "--database-url", url])
        XCTAssertEqual(seed.status, 0, seed.output)
        XCTAssertEqual(
            try CofferCLI.run(["seed-demo", "--database-url", url]).output.trimmingCharacters(in: .whitespacesAndNewlines), "demo data already present")
        let verify = try CofferCLI.run(["verify", "--database-url", url])
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertTrue(verify.output.contains("ledger verified: 4 accounts"), verify.output)

        var wrong = try XCTUnwrap(URLComponents(string: url))
        let secret = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        wrong.password = secret
        let refused = try CofferCLI.run(["verify", "--database-url", try XCTUnwrap(wrong.string)])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("coffer:***@"), refused.output)
        XCTAssertFalse(refused.output.contains(secret), refused.output)
    }

    func testRunClusterServesOnSeveralNodesAndStopsEverything() throws {
        guard ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_URL"] != nil else {
            throw XCTSkip(PostgresTestDatabase.unconfigured)
        }
        let data = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: data) }
        let port = FreePort.next()
        let logURL = data.deletingLastPathComponent().appendingPathComponent("\(data.lastPathComponent).log")
        XCTAssertTrue(FileManager.default.createFile(atPath: logURL.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: logURL) }
        let cluster = Process()
        cluster.executableURL = TestPaths.repositoryRoot.appendingPathComponent("scripts/cluster.sh")
        cluster.arguments = [TestPaths.binaryDirectory.path, String(port), data.path, "2"]
        var environment = ProcessInfo.processInfo.environment
        environment["APP_ENV"] = "test"
        environment["COFFER_WORKERS"] = "4"
        environment.removeValue(forKey: "JWT_SECRET")
        cluster.environment = environment
        let log = try FileHandle(forWritingTo: logURL)
        cluster.standardOutput = log
        cluster.standardError = log
        cluster.standardInput = FileHandle.nullDevice
        try cluster.run()
        defer { if cluster.isRunning { kill(cluster.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: data.appendingPathComponent("stack.ready").path) {
            guard cluster.isRunning, Date() < deadline else {
                return XCTFail("the cluster did not start: \((try? String(contentsOf: logURL, encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }

        let http = RawHTTPClient(port: port)
        for _ in 0..<4 { XCTAssertEqual(try http.get("/v1/health").status, 200) }
        let urlFile = data.appendingPathComponent("database_url")
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: urlFile.path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600, "the URL holds the password")
        let url = try String(contentsOf: urlFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(url.hasPrefix("postgres://coffer:") && url.hasSuffix("/coffer"), "a URL of the coffer database")
        let api = APIClient(http: http)
        let member = try api.member("cluster@run.example")
        let account = try api.openAccount(member.token)
        // Tokens signed by one node are accepted by the other (one shared secret).
        for _ in 0..<4 { XCTAssertEqual(try api.balance(member.token, account), 0) }
        let verify = try CofferCLI.run(["verify", "--database-url", url])
        XCTAssertEqual(verify.status, 0, verify.output)

        let pidFiles = ["postgres/data/postmaster.pid", "cofferd-1.pid", "cofferd-2.pid", "nginx/nginx.pid"]
        let pids = try pidFiles.map { file -> pid_t in
            let text = try String(contentsOf: data.appendingPathComponent(file), encoding: .utf8)
            return try XCTUnwrap(pid_t(text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? ""), file)
        }
        kill(cluster.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(30)
        while cluster.isRunning && Date() < stopBy { usleep(50_000) }
        XCTAssertFalse(cluster.isRunning)
        XCTAssertEqual(cluster.terminationStatus, 0)
        for (file, pid) in zip(pidFiles, pids) {
            XCTAssertTrue(SupervisedCofferd.waitForExit(pid, seconds: 5), "\(file): process \(pid) is still running")
        }
    }
}
