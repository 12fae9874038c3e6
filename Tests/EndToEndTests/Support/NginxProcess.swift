import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real nginx in the foreground with the repository's configuration rendered into a private
/// prefix by nginx/render.sh, exactly as `make run` does.
final class NginxProcess {
    let process = Process()
    let port: Int
    let prefix: URL

    init(directory: URL, port: Int, socketPath: String) throws {
        self.port = port
        prefix = directory.appendingPathComponent("nginx")
        let render = Process()
        render.executableURL = TestPaths.repositoryRoot.appendingPathComponent("nginx/render.sh")
        render.arguments = [prefix.path, String(port), socketPath, TestPaths.repositoryRoot.appendingPathComponent("static").path]
        render.standardOutput = FileHandle.nullDevice
        try render.run()
        render.waitUntilExit()
        guard render.terminationStatus == 0 else { throw SocketError(description: "nginx/render.sh failed") }

        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix.path, "-c", prefix.appendingPathComponent("conf/nginx.conf").path,
                             "-e", prefix.appendingPathComponent("error.log").path, "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
    }

    func start() throws {
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if (try? SocketStream(tcpPort: port)) != nil { return }
            if !process.isRunning { throw SocketError(description: "nginx exited early: \(errorLog)") }
            usleep(20_000)
        }
        throw SocketError(description: "nginx did not listen on \(port): \(errorLog)")
    }

    var errorLog: String { (try? String(contentsOf: prefix.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// nginx in front of cofferd on a temporary socket, database and free port.
final class Stack {
    let directory: URL
    let cofferd: CofferdProcess
    let nginx: NginxProcess
    let http: RawHTTPClient
    let environment: [String: String]

    init(environment: [String: String] = [:]) throws {
        self.environment = environment
        directory = try TestPaths.temporaryDirectory()
        cofferd = try CofferdProcess(directory: directory, environment: environment)
        let port = FreePort.next()
        nginx = try NginxProcess(directory: directory, port: port, socketPath: cofferd.socketPath)
        http = RawHTTPClient(port: port)
        try cofferd.start()
        try nginx.start()
    }

    func stop() {
        nginx.stop()
        cofferd.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
