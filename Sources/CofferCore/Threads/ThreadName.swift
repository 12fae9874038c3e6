#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's name as the kernel shows it (`top -H`, perf, `/proc/<pid>/task/*/comm`).
/// Foundation's `Thread.name` reaches the kernel only if the thread object already knows its
/// pthread, which a thread just started may not; `pthread_setname_np` is not visible to Swift's
/// Glibc module. Writing `/proc/thread-self/comm` is what it does for the calling thread anyway.
public enum ThreadName {
    /// The kernel keeps at most 15 bytes and refuses a longer name.
    private static let maxBytes = 15

    /// Best effort: a name is for people reading `top`; failing to set one changes nothing else.
    public static func set(_ name: String) {
        precondition(name.utf8.count <= maxBytes, "thread names are at most \(maxBytes) bytes")
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(name.utf8)
        _ = write(fd, &bytes, bytes.count)
    }
}
