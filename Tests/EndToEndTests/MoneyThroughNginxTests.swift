import CofferTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Money through the real stack: nginx, cofferd processes and the database they share; on SQLite
/// here, on PostgreSQL in `MoneyThroughNginxTestsOnPostgres`.
class MoneyThroughNginxTests: XCTestCase {
    var stack: Stack!
    var api: APIClient!
    var databaseURL: String { stack.databaseURL }
    class var backend: TestBackend { .sqlite }

    override func setUpWithError() throws {
        // A fixed secret for this run only, so tokens survive the cofferd restart in the crash test.
        stack = try Stack(environment: ["JWT_SECRET": UUID().uuidString + UUID().uuidString, "COFFER_WORKERS": "8"], backend: Self.backend)
        api = APIClient(http: stack.http)
    }

    override func tearDown() {
        stack?.stop()
    }

    func testDemoFlowSignupLoginAccountsDepositTransferStatement() throws {
        let ann = try api.member("ann@e2e.example")
        let bob = try api.member("bob@e2e.example")
        let a = try api.openAccount(ann.token)
        let b = try api.openAccount(bob.token)

        let deposit = try api.request(
            "POST", "/v1/transactions", ["account_id": a, "type": "deposit", "amount": 125_075, "description": "salary"],
            token: ann.token, headers: [("Idempotency-Key", "dep-1")])
        XCTAssertEqual(deposit.status, 201, deposit.text)
        XCTAssertEqual(try deposit.json()["balance_after"] as? Int, 125_075)
        let replay = try api.request(
            "POST", "/v1/transactions", ["account_id": a, "type": "deposit", "amount": 125_075, "description": "salary"],
            token: ann.token, headers: [("Idempotency-Key", "dep-1")])
        XCTAssertEqual(replay.header("Idempotent-Replayed"), "true")
        XCTAssertEqual(replay.text, deposit.text)

        let transfer = try api.request(
            "POST", "/v1/transfers", ["from_account_id": a, "to_account_id": b, "amount": 40_050, "description": "rent"],
            token: ann.token, headers: [("Idempotency-Key", "rent-1")])
        XCTAssertEqual(transfer.status, 201, transfer.text)
        XCTAssertEqual(try api.balance(ann.token, a), 85_025)
        XCTAssertEqual(try api.balance(bob.token, b), 40_050)

        let refused = try api.request("POST", "/v1/transfers", ["from_account_id": a, "to_account_id": b, "amount": 85_026], token: ann.token)
        XCTAssertEqual(refused.status, 422)
        XCTAssertEqual((try refused.json()["error"] as? [String: Any])?["code"] as? String, "insufficient_funds")

        let statement = try api.request("GET", "/v1/statements/\(a)", token: ann.token).json()
        XCTAssertEqual(statement["opening_balance"] as? Int, 0)
        XCTAssertEqual(statement["total_credits"] as? Int, 125_075)
        XCTAssertEqual(statement["total_debits"] as? Int, 40_050)
        XCTAssertEqual(statement["closing_balance"] as? Int, 85_025)
        XCTAssertEqual(statement["transaction_count"] as? Int, 2)
        let lines = try XCTUnwrap(statement["transactions"] as? [[String: Any]])
        XCTAssertEqual(lines.map { $0["type"] as? String }, ["deposit", "transfer_out"])
        XCTAssertEqual(lines.map { $0["balance_after"] as? Int }, [125_075, 85_025])

        let csv = try api.request("GET", "/v1/statements/\(a)?format=csv", token: ann.token)
        XCTAssertEqual(csv.status, 200)
        XCTAssertTrue(csv.text.contains(",transfer_out,rent,-400.50,USD,850.25"), csv.text)
        XCTAssertEqual(try api.request("GET", "/v1/statements/\(a)", token: bob.token).status, 404)

        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    /// Sixty-four clients through nginx, with requests that must fail (group commit puts many in
    /// one batch, refused ones beside accepted ones); then the books must balance.
    func testSixtyFourClientsThroughNginxConserveMoney() throws {
        let owners = try (0..<2).map { try api.member("owner\($0)@e2e.example") }
        var accounts: [(id: String, token: String)] = []
        for owner in owners {
            for _ in 0..<3 {
                let id = try api.openAccount(owner.token)
                XCTAssertEqual(
                    try api.request("POST", "/v1/transactions", ["account_id": id, "type": "deposit", "amount": 30_000], token: owner.token).status, 201)
                accounts.append((id, owner.token))
            }
        }
        let pairs = accounts
        let http = stack.http
        let results = TransferLog()
        let group = DispatchGroup()
        for client in 0..<64 {
            group.enter()
            Thread {
                defer { group.leave() }
                let api = APIClient(http: http)
                for step in 0..<8 {
                    let from = pairs[(client + step) % pairs.count]
                    let to = pairs[(client * 7 + step * 3 + 1) % pairs.count]
                    let amount = (client * 131 + step * 977) % 12_000 + 1
                    guard
                        let reply = try? api.request(
                            "POST", "/v1/transfers", ["from_account_id": from.id, "to_account_id": to.id, "amount": amount],
                            token: from.token)
                    else {
                        results.record(status: -1, id: nil)
                        continue
                    }
                    results.record(status: reply.status, id: (try? reply.json())?["id"] as? String)
                }
            }.start()
        }
        group.wait()
        let statuses = results.statuses
        XCTAssertTrue(statuses.allSatisfy { $0 == 201 || $0 == 422 }, "\(Set(statuses))")
        XCTAssertGreaterThan(results.createdIDs.count, 0)
        XCTAssertGreaterThan(statuses.filter { $0 == 422 }.count, 0, "some requests must fail (same account, insufficient funds)")

        let balances = try accounts.map { try api.balance($0.token, $0.id) }
        XCTAssertEqual(balances.reduce(0, +), 6 * 30_000)
        XCTAssertTrue(balances.allSatisfy { $0 >= 0 })
        XCTAssertEqual(try stack.sql().scalarInt("SELECT count(*) FROM transfers"), Int64(results.createdIDs.count))
        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    /// `count` new accounts of the token's user, each funded with a deposit of `each`.
    /// kill -9 in the middle of a transfer load: every transfer answered 201 is in the journal
    /// after a restart, none is half-applied, and the ledger verifies.
    func testKillNineDuringTransfersLosesNothingAnswered() throws {
        let owner = try api.member("crash@e2e.example")
        let accounts = try api.fundedAccounts(owner.token, count: 4, each: 1_000_000)
        let load = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 8)
        usleep(1_500_000)
        let killed = try XCTUnwrap(stack.cofferd.pid)
        stack.cofferd.signal(SIGKILL)
        XCTAssertTrue(SupervisedCofferd.waitForExit(killed, seconds: 5))
        // The launcher (make run's runner) starts cofferd again; nginx never stopped.
        XCTAssertNotNil(stack.cofferd.waitForRestart(replacing: killed, seconds: 15), stack.cofferd.launcherLog)
        usleep(300_000)
        let results = load.finish()
        XCTAssertGreaterThan(results.createdIDs.count, 10, "the load ran before the kill")
        XCTAssertEqual(stack.launcherExitStatus, nil, "the runner keeps running")
        XCTAssertEqual(try stack.http.get("/v1/health").status, 200)
        for id in results.createdIDs {
            let reply = try api.request("GET", "/v1/transfers/\(id)", token: owner.token)
            XCTAssertEqual(reply.status, 200, "transfer \(id) was answered 201 but is missing")
        }
        let balances = try accounts.map { try api.balance(owner.token, $0) }
        XCTAssertEqual(balances.reduce(0, +), 4 * 1_000_000)
        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    /// SIGTERM while writers are queued (at the committer on SQLite): cofferd drains the workers,
    /// then the committer; every request it accepted gets its answer, it exits 0, and every 201 is kept.
    func testSigtermWithWritesQueuedAnswersEveryAcceptedRequest() throws {
        stack.stop()
        stack = try Stack(environment: ["COFFERD_RESTART": "0", "COFFER_WORKERS": "8"], backend: Self.backend)
        api = APIClient(http: stack.http)
        let owner = try api.member("drain@e2e.example")
        let accounts = try api.fundedAccounts(owner.token, count: 4, each: 100_000)
        let load = TransferLoad(http: stack.http, accounts: accounts, token: owner.token, clients: 32)
        usleep(1_000_000)
        let pid = try XCTUnwrap(stack.cofferd.pid)
        stack.cofferd.signal(SIGTERM)
        XCTAssertTrue(SupervisedCofferd.waitForExit(pid, seconds: 20))
        usleep(200_000)
        let results = load.finish()
        XCTAssertGreaterThan(results.createdIDs.count, 10)
        XCTAssertTrue(Set(results.statuses).isSubset(of: [201, 422, 502]), "\(Set(results.statuses))")
        XCTAssertTrue(stack.cofferd.launcherLog.contains("cofferd exited (status 0)"), stack.cofferd.launcherLog)
        let stopped = stack.cofferd.logLines.first { $0["message"] as? String == "stopped" }
        XCTAssertEqual(stopped?["drained"] as? Bool, true)
        let nginxLog = (try? String(contentsOf: stack.directory.appendingPathComponent("nginx/error.log"), encoding: .utf8)) ?? ""
        XCTAssertFalse(nginxLog.contains("prematurely closed"), "a request cofferd accepted went unanswered: \(nginxLog)")

        let database = try stack.sql()
        for id in results.createdIDs {
            XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM transfers WHERE id = ?", [.text(id)]), 1, id)
        }
        XCTAssertEqual(try database.scalarInt("SELECT SUM(balance) FROM accounts WHERE kind = 'customer'"), 400_000)
        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    func testVerifyFailsOnABalanceAlteredByHand() throws {
        let ann = try api.member("tamper@e2e.example")
        let a = try api.openAccount(ann.token)
        XCTAssertEqual(try api.request("POST", "/v1/transactions", ["account_id": a, "type": "deposit", "amount": 500], token: ann.token).status, 201)
        XCTAssertEqual(try CofferCLI.run(["verify", "--database-url", databaseURL]).status, 0)
        try stack.sql().run("UPDATE accounts SET balance = balance + 1 WHERE id = ?", [.text(a)])
        let verify = try CofferCLI.run(["verify", "--database-url", databaseURL])
        XCTAssertNotEqual(verify.status, 0)
        XCTAssertTrue(verify.output.contains(a), verify.output)
    }
}

/// The same tests on PostgreSQL. XCTest on Linux only finds a class that declares a test of its own.
final class MoneyThroughNginxTestsOnPostgres: MoneyThroughNginxTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}

final class TransferLog: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var allStatuses: [Int] = []
    private var ids: [String] = []
    private var unavailableWithoutRetryAfter = 0

    func record(status: Int, id: String?, retryAfter: String? = nil) {
        lock.withLock {
            allStatuses.append(status)
            if status == 201, let id { ids.append(id) }
            if status == 503, retryAfter == nil { unavailableWithoutRetryAfter += 1 }
        }
    }

    /// 503 answers that did not say when to retry.
    var unavailableAnswersWithoutRetryAfter: Int { lock.withLock { unavailableWithoutRetryAfter } }

    var statuses: [Int] { lock.withLock { allStatuses } }
    var createdIDs: [String] { lock.withLock { ids } }
}

final class StopFlag: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var isSet: Bool { lock.withLock { flag } }
}

/// Clients posting transfers between `accounts` in a loop, each on its own thread and connection,
/// until `finish()`; every answer is recorded.
final class TransferLoad {
    private let results = TransferLog()
    private let stopFlag = StopFlag()
    private let group = DispatchGroup()

    init(http: RawHTTPClient, accounts: [String], token: String, clients: Int) {
        precondition(accounts.count > 1)
        for client in 0..<clients {
            group.enter()
            Thread { [results, stopFlag, group] in
                defer { group.leave() }
                let api = APIClient(http: http)
                var step = 0
                while !stopFlag.isSet {
                    step += 1
                    let from = accounts[(client + step) % accounts.count]
                    let to = accounts[(client + step + 1 + client % (accounts.count - 1)) % accounts.count]
                    guard
                        let reply = try? api.request(
                            "POST", "/v1/transfers", ["from_account_id": from, "to_account_id": to, "amount": 1 + step % 9], token: token)
                    else { continue }
                    results.record(
                        status: reply.status, id: reply.status == 201 ? (try? reply.json())?["id"] as? String : nil,
                        retryAfter: reply.header("Retry-After"))
                }
            }.start()
        }
    }

    /// The transfers answered 201 so far, while the clients go on.
    var createdSoFar: [String] { results.createdIDs }

    /// Stops the clients, waits for their last answers, and returns what they recorded.
    func finish() -> TransferLog {
        stopFlag.set()
        group.wait()
        return results
    }
}
