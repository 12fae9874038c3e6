import CofferCore
import CofferHTTP
import CofferServices
import CoreMetrics

/// `GET /metrics`: this process's Prometheus exposition (API.md "Operations endpoints"). It asks
/// for no token: nginx serves it to loopback addresses only and answers 404 to everyone else.
/// Without a metrics backend (the tests' in-process application) the path does not exist.
struct MetricsHandlers {
    let gauges: QueueGauges
    let exposition: (@Sendable () -> [UInt8])?

    func register(in router: inout Router) {
        guard let exposition else { return }
        router.add(.get, "/metrics") { _ in
            // A scrape during a database outage is the one that matters most: it still answers,
            // with the queue gauges as last read and `coffer_database_up` at 0.
            let databaseUp = (try? gauges.refresh()) != nil
            Gauge(label: "coffer_database_up").record(databaseUp ? 1 : 0)
            return Response(status: .ok, headerFields: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: exposition())
        }
    }
}
