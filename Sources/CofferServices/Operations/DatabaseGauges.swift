import CofferCore
import CofferStore
import CoreMetrics

/// What the database says when /metrics is scraped: the job queue's depth by kind and status, and
/// whether it answered. Read at scrape time rather than kept up to date on every claim: a scrape
/// every few seconds costs one small GROUP BY, and the figure is the shared queue's, whichever
/// node answers. A scrape during an outage still answers, with the queue as last read and
/// `coffer_database_up` at 0.
public struct DatabaseGauges {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func refresh() {
        guard let counts = try? store.read({ try $0.jobCounts() }) else {
            Gauge(label: "coffer_database_up").record(0)
            return
        }
        Gauge(label: "coffer_database_up").record(1)
        for kind in JobKind.allCases {
            for status in JobStatus.allCases {
                let count = counts.first { $0.kind == kind && $0.status == status }?.count ?? 0
                Gauge(label: "coffer_jobs", dimensions: [("kind", kind.rawValue), ("status", status.rawValue)]).record(count)
            }
        }
    }
}
