import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// nginx in front of cofferd on a temporary database (a SQLite file, or a schema of its own on the
/// test PostgreSQL server) and a free port, started by the project's one launcher
/// (scripts/stack.sh), exactly as `make run` starts them: the launcher also supervises cofferd
/// and restarts it when it dies.
final class Stack {
    let directory: URL
    let backend: TestBackend
    /// What cofferd was given as `DATABASE_URL`.
    let databaseURL: String
    private let postgres: PostgresTestDatabase?
    let port: Int
    let http: RawHTTPClient
    let environment: [String: String]
    let cofferd: SupervisedCofferd
    private let launcher = Process()

    /// - Parameter databaseURL: an existing database to serve instead of a fresh one (which the
    ///   stack then leaves in place when it stops).
    init(environment extra: [String: String] = [:], backend: TestBackend = .sqlite, databaseURL given: String? = nil) throws {
        self.backend = backend
        switch backend {
        case _ where given != nil, .sqlite:
            postgres = nil
        case .postgres:
            guard let database = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
            postgres = database
        }
        directory = try TemporaryDirectory.make()
        databaseURL = given ?? postgres?.url ?? "sqlite://\(directory.path)/coffer.db"
        port = FreePort.next()
        http = RawHTTPClient(port: port)
        cofferd = SupervisedCofferd(directory: directory)
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "APP_ENV": "test",
            "COFFER_WORKERS": "4", "COFFERD_LOG": cofferd.logURL.path, "DATABASE_URL": databaseURL,
        ]
        environment.merge(extra) { _, new in new }
        self.environment = environment
        launcher.executableURL = TestPaths.repositoryRoot.appendingPathComponent("scripts/stack.sh")
        launcher.arguments = [TestPaths.binaryDirectory.path, String(port), directory.path]
        launcher.environment = environment
        launcher.standardOutput = FileHandle.nullDevice
        launcher.standardError = try FileHandle(forWritingTo: cofferd.launcherLogURL)
        launcher.standardInput = FileHandle.nullDevice
        try launcher.run()
        let ready = directory.appendingPathComponent("stack.ready")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard launcher.isRunning, Date() < deadline else {
                stop()
                throw SocketError(description: "the stack did not start: \(cofferd.launcherLog) \(cofferd.log)")
            }
            usleep(20_000)
        }
    }

    /// Node `number` (from 1) of a stack started with `COFFER_NODES`.
    func node(_ number: Int) -> SupervisedCofferd { SupervisedCofferd(directory: directory, node: number) }

    /// Raw SQL on the stack's database, on a connection of the test's own.
    func sql() throws -> TestSQL { try TestSQL(url: databaseURL) }

    /// Stops the launcher (nginx, then cofferd draining) and removes the temporary directory and
    /// database, unless `keepingDatabase` (the SQLite file then stays in `directory`).
    func stop(keepingDatabase: Bool = false) {
        if launcher.isRunning {
            kill(launcher.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while launcher.isRunning && Date() < deadline { usleep(20_000) }
            if launcher.isRunning {
                kill(launcher.processIdentifier, SIGKILL)
                launcher.waitUntilExit()
            }
        }
        guard !keepingDatabase else { return }
        try? FileManager.default.removeItem(at: directory)
        postgres?.drop()
    }

    var launcherExitStatus: Int32? { launcher.isRunning ? nil : launcher.terminationStatus }
}

/// The cofferd the launcher currently runs: its pid (from cofferd.pid) and its JSON log.
final class SupervisedCofferd {
    let pidURL: URL
    let logURL: URL
    let launcherLogURL: URL

    /// - Parameter node: which of several nodes (`COFFER_NODES`), counted from 1; nil for the one.
    init(directory: URL, node: Int? = nil) {
        pidURL = directory.appendingPathComponent(node.map { "cofferd-\($0).pid" } ?? "cofferd.pid")
        logURL = directory.appendingPathComponent("cofferd.log")
        launcherLogURL = directory.appendingPathComponent("stack.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: launcherLogURL.path, contents: nil)
    }

    var pid: pid_t? {
        guard let text = try? String(contentsOf: pidURL, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func signal(_ number: Int32) {
        if let pid { kill(pid, number) }
    }

    /// Waits until a cofferd other than `old` runs and its socket accepts connections.
    func waitForRestart(replacing old: pid_t, seconds: Double) -> pid_t? {
        let deadline = Date().addingTimeInterval(seconds)
        let socket = pidURL.deletingPathExtension().appendingPathExtension("sock").path
        while Date() < deadline {
            if let current = pid, current != old, kill(current, 0) == 0, (try? SocketStream(unixPath: socket)) != nil { return current }
            usleep(20_000)
        }
        return nil
    }

    /// Waits until process `pid` no longer exists (the launcher has reaped it).
    static func waitForExit(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if kill(pid, 0) != 0 { return true }
            usleep(20_000)
        }
        return false
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    var launcherLog: String { (try? String(contentsOf: launcherLogURL, encoding: .utf8)) ?? "" }

    /// The JSON log lines written so far, by every cofferd the launcher ran.
    var logLines: [[String: Any]] {
        log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
