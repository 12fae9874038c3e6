import Foundation

/// A test's own files.
public enum TemporaryDirectory {
    /// A fresh private directory under /tmp, its path short enough for a unix socket in it
    /// (108 bytes). The test removes it in its tear-down.
    public static func make() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/coffer-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
