import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Scale-out (DESIGN.md): three cofferd nodes behind one nginx upstream, sharing one PostgreSQL.
final class ClusterThroughNginxTests: XCTestCase {
    var stack: Stack!
    var api: APIClient!
    let nodes = 3

    override func setUpWithError() throws {
        // One secret for every node: a token one node signed is checked by the others.
        stack = try Stack(
            environment: ["COFFER_NODES": String(nodes), "COFFER_WORKERS": "8", "JWT_SECRET": UUID().uuidString + UUID().uuidString],
            backend: .postgres)
        api = APIClient(http: stack.http)
    }

    override func tearDown() {
        stack?.stop()
    }

    /// Sixty-four clients through nginx over three nodes, between a handful of accounts, with
    /// refusals mixed in (same account, insufficient funds): money is conserved, every balance is
    /// its statement's closing balance, and the ledger verifies.
    func testSixtyFourClientsOnThreeNodesConserveMoney() throws {
        let owner = try api.member("many@cluster.example")
        let accounts = try api.fundedAccounts(owner.token, count: 5, each: 2_000)
        let log = TransferLog()
        let group = DispatchGroup()
        for client in 0..<64 {
            group.enter()
            Thread { [api] in
                defer { group.leave() }
                for step in 0..<12 {
                    let from = accounts[(client + step) % accounts.count]
                    let to = step % 6 == 0 ? from : accounts[(client * 7 + step + 1) % accounts.count]
                    let amount = step % 4 == 0 ? 1_500 : 1 + (client + step) % 300
                    guard
                        let reply = try? api!.request(
                            "POST", "/v1/transfers", ["from_account_id": from, "to_account_id": to, "amount": amount], token: owner.token)
                    else { return log.record(status: -1, id: nil) }
                    log.record(status: reply.status, id: reply.status == 201 ? (try? reply.json())?["id"] as? String : nil)
                }
            }.start()
        }
        group.wait()
        let statuses = log.statuses
        XCTAssertEqual(statuses.count, 64 * 12)
        XCTAssertTrue(Set(statuses).isSubset(of: [201, 422]), "\(Set(statuses))")
        XCTAssertGreaterThan(statuses.filter { $0 == 422 }.count, 0)
        XCTAssertGreaterThan(log.createdIDs.count, 0)

        var total = 0
        for account in accounts {
            let balance = try api.balance(owner.token, account)
            XCTAssertGreaterThanOrEqual(balance, 0)
            let statement = try api.request("GET", "/v1/statements/\(account)", token: owner.token)
            XCTAssertEqual(statement.status, 200, statement.text)
            XCTAssertEqual(try statement.json()["closing_balance"] as? Int, balance, "the statement of \(account)")
            total += balance
        }
        XCTAssertEqual(total, 5 * 2_000, "money is conserved")
        XCTAssertEqual(try stack.sql().scalarInt("SELECT count(*) FROM transfers"), Int64(log.createdIDs.count))
        let verify = try CofferCLI.run(["verify", "--database-url", stack.databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    /// The same Idempotency-Key sent to every node at once, straight to their sockets so each
    /// node surely gets one: the money moves once, and every other answer is a replay or a 409.
    func testTheSameKeyOnEveryNodeAtOnceMovesMoneyOnce() throws {
        let owner = try api.member("key@cluster.example")
        let accounts = try api.fundedAccounts(owner.token, count: 2, each: 10_000)
        for round in 0..<5 {
            let body = Array(#"{"from_account_id":"\#(accounts[0])","to_account_id":"\#(accounts[1])","amount":100}"#.utf8)
            let params = [
                ("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", "/v1/transfers"), ("REQUEST_URI", "/v1/transfers"), ("QUERY_STRING", ""),
                ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", String(body.count)), ("REMOTE_ADDR", "127.0.0.1"),
                ("HTTP_HOST", "127.0.0.1"), ("HTTP_AUTHORIZATION", "Bearer \(owner.token)"), ("HTTP_IDEMPOTENCY_KEY", "every-node-\(round)"),
            ]
            let client = FastCGIClient()
            let sockets = (1...nodes).map { stack.directory.appendingPathComponent("cofferd-\($0).sock").path }
            // Every node is handed the request and holds it; then the bodies go out together.
            let answers = Collected<String>()
            let group = DispatchGroup()
            let ready = DispatchSemaphore(value: 0)
            let go = DispatchSemaphore(value: 0)
            for socket in sockets {
                group.enter()
                Thread {
                    defer { group.leave() }
                    guard let stream = try? SocketStream(unixPath: socket) else {
                        ready.signal()
                        return answers.add("cannot connect to \(socket)")
                    }
                    stream.send(client.head(params))
                    ready.signal()
                    go.wait()
                    stream.send(client.body(body))
                    let response = client.readResponse(from: stream)
                    let status = response.split(separator: "\r\n").first { $0.hasPrefix("Status: ") }.map { String($0.dropFirst(8).prefix(3)) } ?? "?"
                    answers.add(status + (response.contains("Idempotent-Replayed: true") ? " replayed" : ""))
                }.start()
            }
            for _ in sockets { ready.wait() }
            for _ in sockets { go.signal() }
            group.wait()
            let all = answers.all
            XCTAssertEqual(all.filter { $0 == "201" }.count, 1, "round \(round): \(all)")
            XCTAssertTrue(all.allSatisfy { ["201", "201 replayed", "409"].contains($0) }, "round \(round): \(all)")
        }
        XCTAssertEqual(try api.balance(owner.token, accounts[0]), 10_000 - 5 * 100)
        XCTAssertEqual(try stack.sql().scalarInt("SELECT count(*) FROM transfers"), 5)
    }

    /// kill -9 of one node mid-load, left dead: the other nodes keep answering, every transfer
    /// answered 201 is in the journal, and nothing is half-applied.
    func testKillNineOfOneNodeLeavesTheOthersServing() throws {
        stack.stop()
        stack = try Stack(
            environment: ["COFFER_NODES": String(nodes), "COFFER_WORKERS": "8", "COFFERD_RESTART": "0", "JWT_SECRET": UUID().uuidString + UUID().uuidString],
            backend: .postgres)
        api = APIClient(http: stack.http)
        let owner = try api.member("crash@cluster.example")
        let accounts = try api.fundedAccounts(owner.token, count: 4, each: 1_000_000)
        let load = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 12)
        usleep(1_000_000)
        let victim = stack.node(2)
        let killed = try XCTUnwrap(victim.pid)
        victim.signal(SIGKILL)
        XCTAssertTrue(SupervisedCofferd.waitForExit(killed, seconds: 5))
        usleep(500_000)
        let during = load.finish()
        // Requests in flight on the killed node get nginx's 502; nothing else fails.
        XCTAssertTrue(Set(during.statuses).isSubset(of: [201, 422, 502]), "\(Set(during.statuses))")

        // With node 2 gone, the others answer everything.
        let after = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 6)
        usleep(1_500_000)
        let later = after.finish()
        XCTAssertGreaterThan(later.createdIDs.count, 10)
        XCTAssertEqual(Set(later.statuses), [201], "the surviving nodes answer every request")

        for id in during.createdIDs + later.createdIDs {
            XCTAssertEqual(try stack.sql().scalarInt("SELECT count(*) FROM transfers WHERE id = ?", [.text(id)]), 1, "\(id) was answered 201")
        }
        XCTAssertEqual(try accounts.map { try api.balance(owner.token, $0) }.reduce(0, +), 4 * 1_000_000)
        let verify = try CofferCLI.run(["verify", "--database-url", stack.databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }
}

/// A PostgreSQL restart under load, on a server of the test's own (scripts/postgres.sh), so that
/// stopping it disturbs no other test: requests meanwhile are refused 503 with Retry-After, never
/// a 500; no 201 is lost; the nodes serve again once it is back, without being restarted.
final class PostgresRestartThroughNginxTests: XCTestCase {
    func testAPostgreSQLRestartMidLoadAnswers503AndLosesNothing() throws {
        guard ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_URL"] != nil else {
            throw XCTSkip(PostgresTestDatabase.unconfigured)
        }
        let server = try TemporaryDirectory.make()
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/postgres.sh").path
        let started = try Shell.run(script, ["start", server.path])
        XCTAssertEqual(started.status, 0, started.output)
        defer {
            _ = try? Shell.run(script, ["stop", server.path])
            try? FileManager.default.removeItem(at: server)
        }
        let url = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try String(contentsOf: server.appendingPathComponent("port"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let stack = try Stack(
            environment: ["COFFER_NODES": "2", "COFFER_WORKERS": "8", "JWT_SECRET": UUID().uuidString + UUID().uuidString],
            databaseURL: url)
        defer { stack.stop() }
        let api = APIClient(http: stack.http)
        let owner = try api.member("restart@cluster.example")
        let accounts = try api.fundedAccounts(owner.token, count: 4, each: 1_000_000)
        let load = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 8)
        usleep(800_000)
        let stopped = try Shell.run(script, ["stop", server.path])
        XCTAssertEqual(stopped.status, 0, stopped.output)
        usleep(1_500_000)
        let restarted = try Shell.run(script, ["start", server.path, port])
        XCTAssertEqual(restarted.status, 0, restarted.output)
        usleep(2_500_000)
        let results = load.finish()

        let statuses = results.statuses
        XCTAssertTrue(Set(statuses).isSubset(of: [201, 422, 503]), "\(Set(statuses))")
        XCTAssertGreaterThan(statuses.filter { $0 == 503 }.count, 0, "the outage was seen")
        XCTAssertEqual(results.unavailableAnswersWithoutRetryAfter, 0, "every 503 says when to retry")
        let lastAnswers = statuses.suffix(20)
        XCTAssertTrue(lastAnswers.contains(201), "served again after the restart: \(lastAnswers)")

        let sql = try TestSQL(url: url)
        for id in results.createdIDs {
            XCTAssertEqual(try sql.scalarInt("SELECT count(*) FROM transfers WHERE id = ?", [.text(id)]), 1, "\(id) was answered 201")
        }
        XCTAssertEqual(try accounts.map { try api.balance(owner.token, $0) }.reduce(0, +), 4 * 1_000_000)
        let verify = try CofferCLI.run(["verify", "--database-url", url])
        XCTAssertEqual(verify.status, 0, verify.output)
    }
}
