import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// cofferd as a process: start-up refusals with one clear line, and a graceful SIGTERM.
final class CofferdLifecycleTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TestPaths.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func baseEnvironment() -> [String: String] {
        ["DATA_DIR": directory.path, "COFFER_LISTEN": directory.appendingPathComponent("c.sock").path]
    }

    func testUnsupportedDatabaseURLStopsStartWithClearMessage() throws {
        var environment = baseEnvironment()
        environment["DATABASE_URL"] = "mysql://localhost/coffer"
        let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertTrue(stderr.contains("DATABASE_URL"), stderr)
    }

    func testUnreachableDatabaseStopsStartWithClearMessage() throws {
        var environment = baseEnvironment()
        environment["DATABASE_URL"] = "sqlite:///nonexistent-dir/deeper/coffer.db"
        let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertTrue(stderr.contains("DATABASE_URL"), stderr)
        XCTAssertTrue(stderr.contains("/nonexistent-dir/deeper/coffer.db"), stderr)
    }

    func testFileThatIsNotADatabaseStopsStart() throws {
        let bogus = directory.appendingPathComponent("bogus.db")
        try Data(repeating: 0x41, count: 4096).write(to: bogus)
        var environment = baseEnvironment()
        environment["DATABASE_URL"] = "sqlite://\(bogus.path)"
        let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(stderr.contains("DATABASE_URL"), stderr)
    }

    func testProductionWithoutJWTSecretStopsStart() throws {
        var environment = baseEnvironment()
        environment["APP_ENV"] = "prod"
        let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertTrue(stderr.contains("JWT_SECRET"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("c.sock").path))
    }

    func testShortJWTSecretAndBadValuesStopStart() throws {
        let cases: [(String, String)] = [("JWT_SECRET", "too-short"), ("COFFER_WORKERS", "0"), ("APP_ENV", "staging"),
                                         ("LOG_LEVEL", "loud"), ("COFFER_SQLITE_SYNCHRONOUS", "OFF"), ("COFFER_LISTEN", "localhost:99999")]
        for (name, value) in cases {
            var environment = baseEnvironment()
            environment[name] = value
            let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
            XCTAssertNotEqual(status, 0, name)
            XCTAssertTrue(stderr.contains(name), "\(name): \(stderr)")
        }
    }

    func testSecondInstanceOnTheSameSocketIsRefused() throws {
        let first = try CofferdProcess(directory: directory)
        try first.start()
        defer { first.stop() }
        var environment = baseEnvironment()
        environment["COFFER_LISTEN"] = first.socketPath
        environment["DATABASE_URL"] = "sqlite://\(directory.path)/other.db"
        let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(stderr.contains("already listening"), stderr)
        XCTAssertNotNil(try? SocketStream(unixPath: first.socketPath), "the running instance keeps its socket")
    }

    func testSigtermLetsInFlightRequestsFinishThenExitsZero() throws {
        let cofferd = try CofferdProcess(directory: directory)
        try cofferd.start()
        defer { cofferd.stop() }
        let client = FastCGIClient()
        let params = [("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", "/v1/health"), ("QUERY_STRING", ""),
                      ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", "2"), ("REQUEST_ID", "inflight")]

        // Three requests are accepted and left waiting for their bodies.
        let streams = try (0..<3).map { _ in try SocketStream(unixPath: cofferd.socketPath) }
        for stream in streams { stream.send(client.head(params)) }
        usleep(300_000)

        cofferd.signal(SIGTERM)
        usleep(500_000)
        XCTAssertTrue(cofferd.process.isRunning, "cofferd must wait for in-flight requests")
        XCTAssertThrowsError(try SocketStream(unixPath: cofferd.socketPath), "no new connections after SIGTERM")

        for stream in streams { stream.send(client.body(Array("{}".utf8))) }
        for stream in streams {
            let response = client.readResponse(from: stream)
            XCTAssertTrue(response.hasPrefix("Status: 405"), response)
            XCTAssertTrue(response.contains("X-Request-Id: inflight"), response)
        }

        XCTAssertEqual(cofferd.waitForExit(seconds: 10), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cofferd.socketPath), "socket file removed on exit")
        let stopped = cofferd.logLines.first { $0["message"] as? String == "stopped" }
        XCTAssertEqual(stopped?["drained"] as? Bool, true)
    }

    func testMigrateTwiceAndFromTwoProcessesAtOnceAppliesEachMigrationOnce() throws {
        let url = "sqlite://\(directory.path)/migrate.db"
        let runs = (0..<2).map { _ -> Process in
            let process = Process()
            process.executableURL = TestPaths.binary("coffer")
            process.arguments = ["migrate", "--database-url", url]
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        for process in runs { try process.run() }
        for process in runs { process.waitUntilExit() }
        XCTAssertEqual(runs.map(\.terminationStatus), [0, 0])

        let again = Process()
        again.executableURL = TestPaths.binary("coffer")
        again.arguments = ["migrate", "--database-url", url]
        let pipe = Pipe()
        again.standardOutput = pipe
        try again.run()
        again.waitUntilExit()
        XCTAssertEqual(again.terminationStatus, 0)
        XCTAssertTrue(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("schema is current"))
    }
}
