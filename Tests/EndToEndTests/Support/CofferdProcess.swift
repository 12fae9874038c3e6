import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real cofferd started by a test, with its stderr (the JSON log) captured to a file.
final class CofferdProcess {
    let process = Process()
    let directory: URL
    let socketPath: String
    let logURL: URL

    init(directory: URL, environment extra: [String: String] = [:]) throws {
        self.directory = directory
        socketPath = directory.appendingPathComponent("cofferd.sock").path
        logURL = directory.appendingPathComponent("cofferd-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = TestPaths.binary("cofferd")
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        environment["APP_ENV"] = "test"
        environment["DATA_DIR"] = directory.path
        environment["COFFER_LISTEN"] = socketPath
        environment["COFFER_WORKERS"] = "4"
        environment["DATABASE_URL"] = "sqlite://\(directory.path)/coffer.db"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
    }

    /// Starts cofferd and waits until its socket accepts connections.
    func start() throws {
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? SocketStream(unixPath: socketPath)) != nil { return }
            if !process.isRunning { throw SocketError(description: "cofferd exited early: \(log)") }
            usleep(20_000)
        }
        throw SocketError(description: "cofferd did not open \(socketPath): \(log)")
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The JSON log lines written so far.
    var logLines: [[String: Any]] {
        log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status, or nil if it is still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if waitForExit(seconds: 15) == nil {
            signal(SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Runs cofferd to completion (for start-up failures) and returns its exit code and stderr.
    static func runToExit(environment: [String: String], timeoutSeconds: Double = 20) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = TestPaths.binary("cofferd")
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw SocketError(description: "cofferd kept running with \(environment)")
        }
        let stderr = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stderr)
    }
}
