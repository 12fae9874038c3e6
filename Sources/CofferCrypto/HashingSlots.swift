import Dispatch

/// Bounds how many Argon2id computations run at once in a process. Each holds its whole memory
/// cost (19 MiB by default) and a core; with dozens of worker threads waiting on group commit,
/// unbounded hashing would multiply the process's memory without making logins any faster.
public final class HashingSlots: Sendable {
    private let slots: DispatchSemaphore

    public init(count: Int) {
        precondition(count > 0, "at least one hashing slot")
        slots = DispatchSemaphore(value: count)
    }

    func withSlot<T>(_ body: () throws(CryptoError) -> T) throws(CryptoError) -> T {
        slots.wait()
        defer { slots.signal() }
        return try body()
    }
}
