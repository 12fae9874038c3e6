import CoreMetrics

/// The commit figures both stores report through swift-metrics, under one set of names so a
/// dashboard reads the same on SQLite and PostgreSQL. What receives them (Prometheus in cofferd,
/// nothing in the command-line tool and the tests) is the executable's choice.
public enum StoreMetrics {
    public enum Backend: String, Sendable { case sqlite, postgres }

    /// A write transaction made durable (on SQLite, one batch of the group committer: one fsync).
    public static func committed(_ backend: Backend, took duration: Duration) {
        Counter(label: "coffer_store_commits_total", dimensions: [("store", backend.rawValue), ("outcome", "committed")]).increment()
        Timer(label: "coffer_store_commit_duration_seconds", dimensions: [("store", backend.rawValue)]).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// A COMMIT that failed: on SQLite every job of the batch was answered 503.
    public static func commitFailed(_ backend: Backend) {
        Counter(label: "coffer_store_commits_total", dimensions: [("store", backend.rawValue), ("outcome", "failed")]).increment()
    }

    /// How many jobs one group-commit batch carried (SQLite).
    public static func batch(size: Int) {
        Recorder(label: batchSizeLabel, dimensions: []).record(size)
    }

    public static let batchSizeLabel = "coffer_committer_batch_size"
    public static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
}
