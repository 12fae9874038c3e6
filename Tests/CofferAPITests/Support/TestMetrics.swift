import CoreMetrics
import Prometheus

/// The in-process suites' metrics backend: a real Prometheus registry, bootstrapped once for the
/// test process (swift-metrics allows one bootstrap), so `/metrics` is routed and answers as in
/// cofferd. Counts accumulate across tests; a test compares before and after.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static let exposition: @Sendable () -> [UInt8] = { registry.emitToBuffer() }
}
