import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/health*`: liveness answers while the process runs; health and readiness also ask the
/// database for `SELECT 1` on this worker's own connection.
struct HealthHandlers {
    let database: DatabaseHealth
    let startedAt: Timestamp

    func register(in router: inout Router) {
        router.add(.get, "/v1/health") { _ in health() }
        router.add(.get, "/v1/health/ready") { _ in health() }
        router.add(.get, "/v1/health/live") { _ in .json(["status": "ok"]) }
    }

    func health() -> Response {
        let databaseUp = database.isUp
        let uptime = (Timestamp.now().millisecondsSinceEpoch - startedAt.millisecondsSinceEpoch) / 1000
        let body: JSONValue = [
            "status": databaseUp ? "ok" : "unavailable",
            "checks": ["database": databaseUp ? "ok" : "unavailable"],
            "version": .string(CofferVersion.current),
            "uptime_seconds": .int(uptime),
        ]
        var response = Response.json(body, status: databaseUp ? .ok : .serviceUnavailable)
        if !databaseUp { response.headerFields[.retryAfter] = "5" }
        return response
    }
}
