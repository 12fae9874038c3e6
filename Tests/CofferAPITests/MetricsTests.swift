import CofferCore
import XCTest

/// `GET /metrics` in process, on a real Prometheus registry: counters move by exactly the
/// requests made, labelled by route template, and commits are counted on the store in use.
class MetricsTests: APITestCase {
    override func tearDown() { t = nil }

    /// The value of each sample line, keyed by the line's name and labels as written.
    private func scrape() throws -> [String: Double] {
        let reply = t.get("/metrics")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.response.headerFields[.contentType], "text/plain; version=0.0.4; charset=utf-8")
        var samples: [String: Double] = [:]
        for line in String(decoding: reply.response.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                XCTFail("not a sample line: \(line)")
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    func testCountersMoveByExactlyTheRequestsMadeAndNameRouteTemplates() throws {
        let ann = t.member()
        let account = t.openAccount(ann)
        let before = try scrape()
        for _ in 0..<3 { XCTAssertEqual(t.get("/v1/accounts/\(account)", token: ann.accessToken).status, 200) }
        XCTAssertEqual(t.get("/v1/accounts/\(UUID().uuidString.lowercased())", token: ann.accessToken).status, 404)
        XCTAssertEqual(t.deposit(ann, account, 500).status, 201)
        let after = try scrape()
        func moved(_ key: String) -> Double { (after[key] ?? 0) - (before[key] ?? 0) }
        XCTAssertEqual(moved(#"coffer_http_requests_total{route="/v1/accounts/{id}",method="GET",status="200"}"#), 3)
        XCTAssertEqual(moved(#"coffer_http_requests_total{route="/v1/accounts/{id}",method="GET",status="404"}"#), 1)
        XCTAssertEqual(moved(#"coffer_http_requests_total{route="/v1/transactions",method="POST",status="201"}"#), 1)
        XCTAssertEqual(moved(#"coffer_http_request_duration_seconds_count{route="/v1/accounts/{id}",method="GET",status="200"}"#), 3)
        XCTAssertFalse(after.keys.contains { $0.contains(account) }, "identifiers never become labels")
        // The committer records a batch after it has woken the batch's waiters: allow it a moment.
        let store = t.sql.postgres == nil ? "sqlite" : "postgres"
        let commits = #"coffer_store_commits_total{store="\#(store)",outcome="committed"}"#
        var latest = after
        for _ in 0..<100 where (latest[commits] ?? 0) <= (before[commits] ?? 0) {
            usleep(20_000)
            latest = try scrape()
        }
        XCTAssertGreaterThanOrEqual((latest[commits] ?? 0) - (before[commits] ?? 0), 1, "the deposit committed")
        XCTAssertEqual(after["coffer_database_up"], 1)
        XCTAssertNotNil(after[#"coffer_jobs{kind="export",status="dead"}"#], "every kind and status has its gauge")
    }
}
