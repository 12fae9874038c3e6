import CoreMetrics
import HTTPTypes
import Synchronization

/// Per-request counts and latencies through swift-metrics, labelled by route template (never the
/// raw path, which carries identifiers), method and status: every label has a small, fixed set of
/// values, so a client cannot grow the exposition. Each application (one per cofferd worker)
/// keeps the handles it has made, so a request costs a dictionary lookup and two atomic updates,
/// not a walk through the metrics backend's shared registry and its lock.
final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let handles = Mutex<[Key: (Counter, Timer)]>([:])

    func record(method: HTTPRequest.Method, route: String, status: Int, nanoseconds: UInt64) {
        let key = Key(route: route, method: Self.label(method), status: status)
        let (counter, timer) = handles.withLock { handles in
            if let made = handles[key] { return made }
            let dimensions = [("route", key.route), ("method", key.method), ("status", String(status))]
            let made = (
                Counter(label: "coffer_http_requests_total", dimensions: dimensions),
                Timer(label: "coffer_http_request_duration_seconds", dimensions: dimensions)
            )
            handles[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    private static func label(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method) ? method.rawValue : "OTHER"
    }
}
