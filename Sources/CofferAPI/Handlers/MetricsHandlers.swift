import CofferCore
import CofferHTTP
import CofferServices

/// `GET /metrics`: this process's Prometheus exposition (API.md "Operations endpoints"). It asks
/// for no token: nginx serves it to loopback addresses only and answers 404 to everyone else.
/// With metrics off (`COFFER_METRICS=false`) the path does not exist.
struct MetricsHandlers {
    let gauges: DatabaseGauges
    let exposition: (@Sendable () -> [UInt8])?

    func register(in router: inout Router) {
        guard let exposition else { return }
        router.add(.get, "/metrics") { _ in
            gauges.refresh()
            return Response(status: .ok, headerFields: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: exposition())
        }
    }
}
