import Foundation
import XCTest

/// The platform through a real nginx and a real cofferd: what a client on the network sees.
final class PlatformThroughNginxTests: XCTestCase {
    var stack: Stack!

    override func setUpWithError() throws {
        stack = try Stack()
    }

    override func tearDown() {
        stack?.stop()
    }

    func testHealthAnswersOkWithDatabaseCheckAndRequestID() throws {
        let response = try stack.http.get("/v1/health")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        let body = try response.json()
        XCTAssertEqual(body["status"] as? String, "ok")
        XCTAssertEqual((body["checks"] as? [String: String])?["database"], "ok")
        XCTAssertNotNil(body["version"] as? String)
        XCTAssertNotNil(body["uptime_seconds"] as? Int)
        let ids = response.headers(named: "X-Request-Id")
        XCTAssertEqual(ids.count, 1, "exactly one X-Request-Id header")
        XCTAssertNotNil(ids.first?.range(of: "^[0-9a-f]{32}$", options: .regularExpression), "generated id: \(ids)")

        for path in ["/v1/health/live", "/v1/health/ready"] {
            XCTAssertEqual(try stack.http.get(path).status, 200, path)
        }

        // HEAD: GET's length, once, and no body (cofferd used to send Content-Length: 0).
        let head = try stack.http.send("HEAD", "/v1/health")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers(named: "Content-Length"), [String(response.body.count)])
        XCTAssertEqual(head.body, [])
    }

    func testSaneRequestIDIsEchoedAndInsaneOneReplaced() throws {
        let echoed = try stack.http.get("/v1/nowhere", headers: [("X-Request-Id", "client.id_42-x")])
        XCTAssertEqual(echoed.headers(named: "X-Request-Id"), ["client.id_42-x"])
        XCTAssertEqual(try echoed.json()["request_id"] as? String, "client.id_42-x")

        for insane in ["has space", String(repeating: "a", count: 129), "semi;colon"] {
            let replaced = try stack.http.get("/v1/health", headers: [("X-Request-Id", insane)])
            let id = try XCTUnwrap(replaced.header("X-Request-Id"))
            XCTAssertNotEqual(id, insane)
            XCTAssertNotNil(id.range(of: "^[0-9a-f]{32}$", options: .regularExpression))
        }

        let logged = stack.cofferd.logLines.filter { $0["request_id"] as? String == "client.id_42-x" }
        XCTAssertEqual(logged.count, 1, "one log line carries the client's id")
        XCTAssertEqual(logged.first?["route"] as? String, "(unmatched)")
        XCTAssertEqual(logged.first?["status_code"] as? Int, 404)
    }

    func testStaticIndexIsServedWithSecurityHeadersAndStrictCSP() throws {
        let response = try stack.http.get("/")
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.header("Content-Type")?.hasPrefix("text/html") ?? false)
        XCTAssertTrue(response.text.contains("<title>Coffer</title>"))
        XCTAssertEqual(response.header("X-Content-Type-Options"), "nosniff")
        XCTAssertEqual(response.header("X-Frame-Options"), "DENY")
        XCTAssertEqual(response.header("Referrer-Policy"), "no-referrer")
        let csp = try XCTUnwrap(response.header("Content-Security-Policy"))
        XCTAssertTrue(csp.contains("default-src 'self'"))
        XCTAssertTrue(csp.contains("script-src 'self'"))
        XCTAssertFalse(csp.contains("unsafe-inline"))
        XCTAssertFalse(csp.contains("unsafe-eval"))
        XCTAssertNotNil(response.header("X-Request-Id"))

        let icon = try stack.http.get("/favicon.svg")
        XCTAssertEqual(icon.status, 200)
        XCTAssertEqual(icon.header("X-Frame-Options"), "DENY")
    }

    func testUnknownPathIsNotFoundProblem() throws {
        let response = try stack.http.get("/v1/does-not-exist")
        try assertProblem(response, status: 404, code: "not_found")
        XCTAssertEqual(try response.json()["instance"] as? String, "/v1/does-not-exist")
        XCTAssertEqual(response.header("X-Content-Type-Options"), "nosniff")
    }

    func testWrongMethodIsMethodNotAllowedProblemWithAllow() throws {
        let response = try stack.http.send("DELETE", "/v1/health")
        try assertProblem(response, status: 405, code: "method_not_allowed")
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")

        // nginx's own 405s are the same problem: TRACE (refused before any location) and a
        // write to one of the app's files.
        let trace = try stack.http.send("TRACE", "/v1/accounts")
        try assertProblem(trace, status: 405, code: "method_not_allowed")
        XCTAssertNil(trace.header("Allow"), "what a route allows is cofferd's to say")
        let write = try stack.http.send("POST", "/index.html", headers: [("Content-Type", "text/plain")], body: Array("x".utf8))
        try assertProblem(write, status: 405, code: "method_not_allowed")
        XCTAssertEqual(write.header("Allow"), "GET, HEAD")
    }

    func testBodyOver64KiBIsPayloadTooLargeProblemFromNginx() throws {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 100 * 1024)
        let response = try stack.http.send("POST", "/v1/health", headers: [("Content-Type", "application/json")], body: body)
        try assertProblem(response, status: 413, code: "payload_too_large")
        XCTAssertTrue(response.text.contains("64 KiB"), response.text)
        XCTAssertNotNil(response.header("X-Request-Id"))
    }

    func testCofferdDownIsBadGatewayProblem() throws {
        stack.stop()
        stack = try Stack(environment: ["COFFERD_RESTART": "0"])
        let pid = try XCTUnwrap(stack.cofferd.pid)
        stack.cofferd.signal(SIGTERM)
        XCTAssertTrue(SupervisedCofferd.waitForExit(pid, seconds: 15))
        let response = try stack.http.get("/v1/health", headers: [("X-Request-Id", "down-check")])
        XCTAssertEqual(response.status, 502)
        XCTAssertEqual(response.header("Content-Type"), "application/problem+json")
        let body = try response.json()
        XCTAssertEqual(body["type"] as? String, "/v1/problems/service_unavailable")
        XCTAssertEqual(body["request_id"] as? String, "down-check")
        XCTAssertEqual((body["error"] as? [String: Any])?["code"] as? String, "service_unavailable")
        XCTAssertNotNil(response.header("Retry-After"))
        XCTAssertEqual(response.headers(named: "X-Request-Id"), ["down-check"])
        // The batch route, with its own body limit, answers nginx's errors like every other.
        let batch = try stack.http.send("POST", "/v1/transfers/batch", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        XCTAssertEqual(batch.status, 502)
        XCTAssertEqual(batch.header("Content-Type"), "application/problem+json")
        XCTAssertNotNil(batch.header("Retry-After"))
    }

    func testProblemRegistryAndOpenAPIAreServed() throws {
        let problems = try stack.http.get("/v1/problems")
        XCTAssertEqual(problems.status, 200)
        let data = try XCTUnwrap(try problems.json()["data"] as? [[String: Any]])
        XCTAssertEqual(data.count, 30)
        let one = try stack.http.get("/v1/problems/insufficient_funds").json()
        XCTAssertEqual(one["status"] as? Int, 422)
        let openapi = try stack.http.get("/v1/openapi.json")
        XCTAssertEqual(openapi.status, 200)
        XCTAssertEqual(try openapi.json()["openapi"] as? String, "3.1.0")
    }

    /// The browser app is served by the same nginx, so its Origin (with the port) is the same origin.
    func testSameOriginPassesAndForeignOriginIsRefused() throws {
        let same = try stack.http.get("/v1/health", headers: [("Origin", "http://127.0.0.1:\(stack.port)")])
        XCTAssertEqual(same.status, 200)
        XCTAssertNil(same.header("Access-Control-Allow-Origin"))
        let foreign = try stack.http.get("/v1/health", headers: [("Origin", "https://evil.example")])
        XCTAssertEqual(foreign.status, 403)
        XCTAssertEqual((try foreign.json()["error"] as? [String: Any])?["code"] as? String, "forbidden")
    }

    func testResponsesAreGzippedWhenAsked() throws {
        let response = try stack.http.get("/v1/openapi.json", headers: [("Accept-Encoding", "gzip")])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Encoding"), "gzip")
    }

    func testEveryRequestWritesOneJSONLogLineWithTheDesignFields() throws {
        _ = try stack.http.get("/v1/health", headers: [("X-Request-Id", "log-fields-1")])
        let line = try XCTUnwrap(stack.cofferd.logLines.first { $0["request_id"] as? String == "log-fields-1" })
        XCTAssertEqual(line["event"] as? String, "request")
        XCTAssertEqual(line["method"] as? String, "GET")
        XCTAssertEqual(line["route"] as? String, "/v1/health")
        XCTAssertEqual(line["status_code"] as? Int, 200)
        XCTAssertNotNil(line["duration_ms"] as? Double ?? (line["duration_ms"] as? Int).map(Double.init))
        XCTAssertNotNil(line["timestamp"] as? String)
        XCTAssertEqual(line["level"] as? String, "info")
    }

    private func assertProblem(_ response: HTTPResult, status: Int, code: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "application/problem+json", file: file, line: line)
        let body = try response.json()
        XCTAssertEqual(body["type"] as? String, "/v1/problems/\(code)", file: file, line: line)
        XCTAssertEqual(body["status"] as? Int, status, file: file, line: line)
        XCTAssertNotNil(body["title"] as? String, file: file, line: line)
        XCTAssertNotNil(body["detail"] as? String, file: file, line: line)
        XCTAssertEqual(body["request_id"] as? String, response.header("X-Request-Id"), file: file, line: line)
        let envelope = try XCTUnwrap(body["error"] as? [String: Any], file: file, line: line)
        XCTAssertEqual(envelope["code"] as? String, code, file: file, line: line)
        XCTAssertEqual(envelope["message"] as? String, body["detail"] as? String, file: file, line: line)
        XCTAssertNotNil(envelope["details"] as? [String: Any], file: file, line: line)
    }
}
