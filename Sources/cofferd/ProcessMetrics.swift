import CofferFastCGI
import CofferStore
import CoreMetrics
import Foundation
import Prometheus

/// Where the process's swift-metrics go: one Prometheus registry, exposed at `GET /metrics`.
/// Request latencies are mostly well under 5 ms, so the duration buckets start far below
/// swift-prometheus's defaults.
enum ProcessMetrics {
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets[StoreMetrics.batchSizeLabel] = StoreMetrics.batchSizeBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// The exposition, after reading the figures that are sampled rather than counted.
    static func exposition(registry: PrometheusCollectorRegistry, server: FastCGIServer, workers: Int) -> @Sendable () -> [UInt8] {
        let rss = Gauge(label: "coffer_process_resident_memory_bytes")
        let open = Gauge(label: "coffer_fastcgi_open_connections")
        let capacity = Gauge(label: "coffer_fastcgi_workers")
        return {
            if let bytes = residentBytes() { rss.record(bytes) }
            open.record(server.openConnections)
            capacity.record(workers)
            return registry.emitToBuffer()
        }
    }

    /// The second field of /proc/self/statm is the resident set in pages.
    private static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
