import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// cofferd as a process: start-up refusals with one clear line, and a graceful SIGTERM.
final class CofferdLifecycleTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
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

    /// A PostgreSQL that does not answer, or a URL without a database: one line naming
    /// DATABASE_URL, and the password shown as *** or not at all.
    func testAnUnreachableOrIncompletePostgreSQLURLStopsStartWithoutThePassword() throws {
        for (url, expected) in [
            ("postgres://coffer:sup3r-secret@127.0.0.1:1/coffer", "postgres://coffer:***@127.0.0.1:1/coffer"),
            ("postgresql://coffer:sup3r-secret@127.0.0.1/", "must name a database"),
        ] {
            var environment = baseEnvironment()
            environment["DATABASE_URL"] = url
            let (status, stderr) = try CofferdProcess.runToExit(environment: environment)
            XCTAssertNotEqual(status, 0)
            XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
            XCTAssertTrue(stderr.contains("DATABASE_URL"), stderr)
            XCTAssertTrue(stderr.contains(expected), stderr)
            XCTAssertFalse(stderr.contains("sup3r-secret"), stderr)
        }
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
        let cases: [(String, String)] = [
            ("JWT_SECRET", "too-short"), ("COFFER_WORKERS", "0"), ("APP_ENV", "staging"),
            ("LOG_LEVEL", "loud"), ("COFFER_SQLITE_SYNCHRONOUS", "OFF"), ("COFFER_LISTEN", "localhost:99999"),
        ]
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
        let params = [
            ("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", "/v1/health"), ("QUERY_STRING", ""),
            ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", "2"), ("REQUEST_ID", "inflight"),
        ]

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

    /// The committer asks for nice -10 (every write waits on that one thread); it gets it as root
    /// or with RLIMIT_NICE, and the startup line says which. No other thread is raised.
    func testTheCommitterAloneRunsAtRaisedPriorityAndTheStartupLineSaysSo() throws {
        let cofferd = try CofferdProcess(directory: directory)
        try cofferd.start()
        defer { cofferd.stop() }
        // The socket listens a moment before the startup line is written.
        var startup: [String: Any]?
        for _ in 0..<500 where startup == nil {
            startup = cofferd.logLines.first { $0["event"] as? String == "startup" }
            if startup == nil { usleep(20_000) }
        }
        let started = try XCTUnwrap(startup, cofferd.log)
        let reported = try XCTUnwrap(started["committer_nice"] as? String, "\(started)")
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(__RLIMIT_NICE.rawValue), &limit)
        if geteuid() == 0 || limit.rlim_cur >= 30 { XCTAssertEqual(reported, "-10") } else { XCTAssertEqual(reported, "0") }

        let tasks = "/proc/\(cofferd.process.processIdentifier)/task"
        let nices = try FileManager.default.contentsOfDirectory(atPath: tasks).map { task -> Int in
            let stat = try String(contentsOfFile: "\(tasks)/\(task)/stat", encoding: .utf8)
            // After the command name's closing parenthesis, nice is the 17th field.
            let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")
            return try XCTUnwrap(Int(fields[16]), stat)
        }
        XCTAssertGreaterThan(nices.count, 2, "the main thread, the committer and the workers")
        if reported == "-10" {
            XCTAssertEqual(nices.filter { $0 == -10 }.count, 1, "\(nices)")
            XCTAssertEqual(nices.filter { $0 == 0 }.count, nices.count - 1, "\(nices)")
        } else {
            XCTAssertEqual(Set(nices), [0], "\(nices)")
        }
    }

    /// A finished request's connection is closed at once, not half-closed: libfcgi's own close
    /// shuts the write side and waits in poll(2) for the peer to hang up, which held each worker
    /// until nginx got round to it. cofferd first reads the input to its end, so nothing is left
    /// unread, even of a body it refused without reading (CONTENT_LENGTH over its limit).
    func testAFinishedRequestsConnectionIsClosedAtOnceWithItsInputReadToTheEnd() throws {
        let cofferd = try CofferdProcess(directory: directory)
        try cofferd.start()
        defer { cofferd.stop() }
        let client = FastCGIClient()

        let health = try SocketStream(unixPath: cofferd.socketPath)
        health.send(client.head([("REQUEST_METHOD", "GET"), ("DOCUMENT_URI", "/v1/health"), ("QUERY_STRING", "")]) + client.body([]))
        XCTAssertTrue(client.readResponse(from: health).hasPrefix("Status: 200"))
        XCTAssertEqual(health.readToEnd(), [], "nothing after END_REQUEST")
        XCTAssertEqual(health.sendFailure(Array("more".utf8)), EPIPE, "the connection is closed, not merely half-closed")

        let refused = try SocketStream(unixPath: cofferd.socketPath)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        refused.send(
            client.head([
                ("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", "/v1/auth/signup"), ("QUERY_STRING", ""),
                ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", "\(body.count)"),
            ]) + stride(from: 0, to: body.count, by: 60_000).flatMap { client.record(.stdin, Array(body[$0..<min($0 + 60_000, body.count)])) }
                + client.body([]))
        let response = client.readResponse(from: refused)
        XCTAssertTrue(response.hasPrefix("Status: 413"), response)
        XCTAssertTrue(response.contains("payload_too_large"), response)
        // The answer comes before the unread body is drained: wait for the end, then write.
        XCTAssertEqual(refused.readToEnd(), [], "nothing after END_REQUEST")
        XCTAssertEqual(refused.sendFailure(Array("more".utf8)), EPIPE)
    }

    private func liveness(over stream: SocketStream) -> String {
        let client = FastCGIClient()
        stream.send(client.head([("REQUEST_METHOD", "GET"), ("DOCUMENT_URI", "/v1/health/live"), ("QUERY_STRING", "")]) + client.body([]))
        return client.readResponse(from: stream)
    }

    func testListensOnHostAndPortWhenAskedTo() throws {
        let port = FreePort.next()
        let cofferd = try CofferdProcess(directory: directory, environment: ["COFFER_LISTEN": "127.0.0.1:\(port)"])
        try cofferd.process.run()
        defer { cofferd.stop() }
        var stream: SocketStream?
        for _ in 0..<200 where stream == nil {
            stream = try? SocketStream(tcpPort: port)
            if stream == nil { usleep(20_000) }
        }
        let response = liveness(over: try XCTUnwrap(stream, cofferd.log))
        XCTAssertTrue(response.hasPrefix("Status: 200"), response)
    }

    /// spawn-fcgi and systemd hand over a listening socket as fd 0.
    func testServesAnInheritedListeningSocketOnFdZero() throws {
        let port = FreePort.next()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 16), 0)

        let process = Process()
        process.executableURL = TestPaths.binary("cofferd")
        process.environment = ["PATH": "/usr/bin:/bin", "DATA_DIR": directory.path, "DATABASE_URL": "sqlite://\(directory.path)/fd0.db"]
        process.standardInput = FileHandle(fileDescriptor: listener, closeOnDealloc: false)
        let log = Pipe()
        process.standardError = log
        try process.run()
        usleep(500_000)
        let response = liveness(over: try SocketStream(tcpPort: port))
        XCTAssertTrue(response.hasPrefix("Status: 200"), response)

        // The socket is the parent's too: SIGTERM drains without shutting it down, so it still
        // takes connections for whichever cofferd comes next.
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "every worker woke and the drain finished in time")
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        XCTAssertEqual(getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length), 0)
        XCTAssertEqual(accepting, 1, "the inherited socket is still listening")
        XCTAssertNoThrow(try SocketStream(tcpPort: port), "a connection still queues on the inherited socket")
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
