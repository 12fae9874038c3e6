import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Standing orders run by cofferd's own job runners, with `kill -9` of a node in the middle:
/// after the restart every due order has run exactly once, with one transfer and one event each.
/// On PostgreSQL two nodes race for the same due dates.
class ScheduledRunsThroughNginxTests: XCTestCase {
    var stack: Stack!
    var api: APIClient!
    class var backend: TestBackend { .sqlite }
    class var nodes: Int { 1 }

    override func setUpWithError() throws {
        stack = try Stack(
            environment: [
                "COFFER_NODES": String(Self.nodes), "COFFER_WORKERS": "8", "JWT_SECRET": UUID().uuidString + UUID().uuidString,
                "COFFER_JOB_LEASE_S": "3",
            ], backend: Self.backend)
        api = APIClient(http: stack.http)
    }

    override func tearDown() {
        stack?.stop()
    }

    func testKillNineWhileOrdersRunLosesNoRunAndRunsNoneTwice() throws {
        let owner = try api.member("orders@e2e.example")
        let accounts = try api.fundedAccounts(owner.token, count: 2, each: 1_000_000)
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let orders = 60
        var ids: [String] = []
        for index in 0..<orders {
            let reply = try api.request(
                "POST", "/v1/scheduled-transfers",
                [
                    "from_account_id": accounts[index % 2], "to_account_id": accounts[(index + 1) % 2], "amount": index + 1, "start_date": today,
                    "interval": "daily",
                ], token: owner.token)
            XCTAssertEqual(reply.status, 201, reply.text)
            ids.append(try XCTUnwrap(try reply.json()["id"] as? String))
        }
        // The runners have started on them; kill one mid-way. Its launcher restarts it.
        let victim = Self.nodes == 1 ? stack.cofferd : stack.node(1)
        let killed = try XCTUnwrap(victim.pid)
        victim.signal(SIGKILL)
        XCTAssertNotNil(victim.waitForRestart(replacing: killed, seconds: 15))

        let sql = try stack.sql()
        let deadline = Date().addingTimeInterval(30)
        while try sql.scalarInt("SELECT count(*) FROM scheduled_transfer_runs") < orders, Date() < deadline { usleep(200_000) }
        XCTAssertEqual(try sql.scalarInt("SELECT count(*) FROM scheduled_transfer_runs"), Int64(orders), "every due order ran")
        XCTAssertEqual(try sql.scalarInt("SELECT count(DISTINCT schedule_id) FROM scheduled_transfer_runs"), Int64(orders), "none twice")
        XCTAssertEqual(try sql.scalarInt("SELECT count(*) FROM scheduled_transfer_runs WHERE outcome = 'executed'"), Int64(orders))
        XCTAssertEqual(try sql.scalarInt("SELECT count(*) FROM transfers"), Int64(orders), "one transfer per run")
        XCTAssertEqual(try sql.scalarInt("SELECT count(*) FROM events WHERE type = 'scheduled_transfer.executed'"), Int64(orders), "no event lost")
        let balances = try accounts.map { try api.balance(owner.token, $0) }
        XCTAssertEqual(balances.reduce(0, +), 2_000_000)
        let verify = try CofferCLI.run(["verify", "--database-url", stack.databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }
}

final class ScheduledRunsThroughNginxTestsOnPostgres: ScheduledRunsThroughNginxTests {
    override class var backend: TestBackend { .postgres }
    override class var nodes: Int { 2 }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}
