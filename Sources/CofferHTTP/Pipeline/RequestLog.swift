import Logging

/// The one log line written per request, with the fields DESIGN.md lists. The raw path and
/// query never appear (they may carry identifiers); the route template does.
enum RequestLog {
    static func write(to logger: Logger, request: Request, outcome: Application.Outcome, durationMs: Double) {
        var metadata: Logger.Metadata = [
            "event": "request",
            "method": .string(request.method.rawValue),
            "route": .string(outcome.route),
            "status_code": .stringConvertible(outcome.response.status.code),
            "duration_ms": .stringConvertible((durationMs * 1000).rounded() / 1000),
        ]
        if let userID = outcome.userID { metadata["user_id"] = .string(userID) }
        if let error = outcome.error { metadata["error_code"] = .string(error.code.rawValue) }
        let level: Logger.Level
        if outcome.response.status.kind == .serverError {
            level = .error
            if let cause = outcome.cause { metadata["error"] = .string(cause) }
        } else {
            level = .info
        }
        logger.log(level: level, "request", metadata: metadata)
    }
}
