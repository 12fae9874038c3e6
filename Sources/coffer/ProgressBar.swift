import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Progress of long work (copy, seed, verify, backup) on standard error, so standard output
/// stays the command's result. On a terminal: one bar redrawn in place, at most ten times a
/// second. Elsewhere (a log, CI): a plain line at each tenth of the way, which a file can keep.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let isTerminal: Bool
    private var lastDrawn = ContinuousClock.now
    private var lastTenth = -1
    private var lastValue = -1
    private var finished = false
    static let width = 30

    init(_ label: String, total: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = max(total, 0)
        self.isTerminal = isTerminal
    }

    func update(_ done: Int) {
        guard !finished else { return }
        let done = min(max(done, 0), total)
        if isTerminal {
            let now = ContinuousClock.now
            guard done != lastValue, done == total || now - lastDrawn >= .milliseconds(100) else { return }
            lastDrawn = now
            lastValue = done
            Self.write("\r" + Self.bar(label, done: done, total: total))
        } else {
            let tenth = total == 0 ? 10 : done * 10 / total
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            Self.write(Self.line(label, done: done, total: total) + "\n")
        }
    }

    /// Draws the full bar (or the last line) once, then leaves the terminal on a new line.
    func finish() {
        guard !finished else { return }
        update(total)
        finished = true
        if isTerminal { Self.write("\n") }
    }

    static func bar(_ label: String, done: Int, total: Int) -> String {
        let filled = total == 0 ? width : done * width / total
        return "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(figures(done, total))"
    }

    static func line(_ label: String, done: Int, total: Int) -> String {
        "\(label) \(figures(done, total))"
    }

    /// "42% (5/12)"
    private static func figures(_ done: Int, _ total: Int) -> String {
        "\(total == 0 ? 100 : done * 100 / total)% (\(done)/\(total))"
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
