import CofferCore
import Synchronization

/// The ownership of the accounts this process has looked up, shared by every worker. A transfer
/// checks that its source belongs to the caller and that its destination exists before it queues
/// for the write; on SQLite each such read on a worker connection starts with a page cache that the
/// last commit emptied, and those reads were a seventh of cofferd's CPU under transfer load (perf,
/// BENCHMARKS.md). What is remembered can never go stale (`AccountOwnership`), and only accounts
/// that were found are remembered, so an id that did not exist is read again next time. Statuses
/// and balances are never cached: the ledger decides on them under the account's lock.
public final class AccountOwnershipCache: Sendable {
    private let entries = Mutex<[String: AccountOwnership]>([:])
    /// When full, it forgets everything and starts again: simple, and a refill costs one read per
    /// account. 10,000 entries take about 2 MiB.
    let capacity: Int

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0, "a cache holds at least one entry")
        self.capacity = capacity
    }

    /// The ownership of account `id`: remembered, or `read` and then remembered when found.
    func ownership(of id: String, read: () throws -> AccountOwnership?) throws -> AccountOwnership? {
        if let known = entries.withLock({ $0[id] }) { return known }
        guard let found = try read() else { return nil }
        precondition(found.id == id, "the ownership read is the account asked for")
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = found
        }
        return found
    }

    var count: Int { entries.withLock { $0.count } }
}
