import Synchronization

/// The Idempotency-Keys whose first request is still running in this process, shared by every
/// worker, so a repeat that arrives meanwhile answers 409 `idempotency_key_in_use` at once
/// instead of queueing behind the first.
public final class InFlightKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    public init() {}

    /// False when the key is already claimed.
    func claim(_ key: String) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }

    func release(_ key: String) {
        _ = keys.withLock { $0.remove(key) }
    }
}
