import CofferCore
import CofferStore
import CoreMetrics

/// The job queue's depth by kind and status, read from the database when /metrics is scraped
/// rather than kept up to date on every claim: a scrape every few seconds costs one small
/// GROUP BY, and the figure is the shared queue's, whichever node answers.
public struct QueueGauges {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func refresh() throws {
        let counts = try store.read { try $0.jobCounts() }
        for kind in JobKind.allCases {
            for status in JobStatus.allCases {
                let count = counts.first { $0.kind == kind && $0.status == status }?.count ?? 0
                Gauge(label: "coffer_jobs", dimensions: [("kind", kind.rawValue), ("status", status.rawValue)]).record(count)
            }
        }
    }
}
