import CoreMetrics

/// The commit figures both stores report through swift-metrics, under one set of names so a
/// dashboard reads the same on SQLite and PostgreSQL. What receives them (Prometheus in cofferd,
/// nothing in the command-line tool) is the executable's choice. A store makes one recorder when
/// it opens (after cofferd has chosen the backend) and keeps its handles: on the committer's
/// thread every instruction delays every waiter of the next batch.
public final class StoreMetrics: Sendable {
    public enum Backend: String, Sendable { case sqlite, postgres }

    public static let batchSizeLabel = "coffer_committer_batch_size"
    public static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    private let committedCount: Counter
    private let failedCount: Counter
    private let commitDuration: Timer
    private let batchSize: Recorder
    private let replayCount: Counter

    public init(_ backend: Backend) {
        committedCount = Counter(label: "coffer_store_commits_total", dimensions: [("store", backend.rawValue), ("outcome", "committed")])
        failedCount = Counter(label: "coffer_store_commits_total", dimensions: [("store", backend.rawValue), ("outcome", "failed")])
        commitDuration = Timer(label: "coffer_store_commit_duration_seconds", dimensions: [("store", backend.rawValue)])
        batchSize = Recorder(label: Self.batchSizeLabel, dimensions: [])
        replayCount = Counter(label: "coffer_committer_replays_total", dimensions: [])
    }

    /// A write transaction made durable (on SQLite, one batch of the group committer: one fsync).
    public func committed(took duration: Duration) {
        committedCount.increment()
        commitDuration.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// A COMMIT that failed: on SQLite every job of the batch was answered 503.
    public func commitFailed() {
        failedCount.increment()
    }

    /// A committed group-commit batch that was undone and run again, each job in its own
    /// savepoint, because one of its jobs threw after changing rows (SQLite).
    public func batchReplayed() {
        replayCount.increment()
    }

    /// How many jobs one group-commit batch carried (SQLite).
    public func batch(size: Int) {
        batchSize.record(size)
    }
}
