#if canImport(Glibc)
import Glibc
#endif

/// Serialises one process's writers before they ask SQLite for its write lock. SQLite allows one
/// writer at a time anyway; waiting here, on a mutex that wakes the next writer at once, replaces
/// SQLite's busy handler, which sleeps in growing steps and turns contention into long tails.
/// Other processes (the `coffer` tool) still meet the busy timeout as before.
public final class WriteGate: @unchecked Sendable {
    // @unchecked: the only state is the pthread mutex, which is itself the synchronisation.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
