import CoreMetrics
import HTTPTypes

/// Per-request counts and latencies through swift-metrics, labelled by route template (never the
/// raw path, which carries identifiers), method and status: every label has a small, fixed set of
/// values, so a client cannot grow the exposition.
enum RequestMetrics {
    static func record(method: HTTPRequest.Method, route: String, status: Int, nanoseconds: UInt64) {
        let dimensions = [("route", route), ("method", label(method)), ("status", String(status))]
        Counter(label: "coffer_http_requests_total", dimensions: dimensions).increment()
        Timer(label: "coffer_http_request_duration_seconds", dimensions: dimensions).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    private static func label(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method) ? method.rawValue : "OTHER"
    }
}
