import Foundation

/// Where the built executables and the repository's files are. `make test` sets COFFER_BIN_DIR
/// to `swift build --show-bin-path`; a plain `swift test` falls back to `.build/debug`.
enum TestPaths {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static var binaryDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["COFFER_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }

    static func binary(_ name: String) -> URL { binaryDirectory.appendingPathComponent(name) }
}
