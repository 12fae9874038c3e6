import CofferTestSupport
import Foundation
import XCTest

/// cofferd's own job runner: within seconds of start it has run the periodic maintenance, and
/// `coffer jobs` shows and retries jobs on the same database.
class BackgroundWorkThroughNginxTests: XCTestCase {
    var stack: Stack!
    class var backend: TestBackend { .sqlite }

    override func setUpWithError() throws {
        stack = try Stack(environment: ["COFFER_WEBHOOK_ALLOW_PRIVATE": "true"], backend: Self.backend)
    }

    override func tearDown() {
        stack?.stop()
    }

    func testCofferdRunsDueJobsWithinSecondsAndCofferJobsListsThem() throws {
        let url = stack.databaseURL
        var listed = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {
            listed = try CofferCLI.run(["jobs", "list", "--status", "succeeded", "--database-url", url]).output
            if listed.contains(" purge ") && listed.contains(" hold_expiry ") { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        XCTAssertTrue(listed.contains(" purge  succeeded  attempts 1/3"), listed)
        XCTAssertTrue(listed.contains(" hold_expiry  succeeded"), listed)
        let id = try XCTUnwrap(listed.split(separator: "\n").first { $0.contains(" purge ") }?.split(separator: " ").first.map(String.init))
        let refused = try CofferCLI.run(["jobs", "retry", id, "--database-url", url])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("Only a dead or failed job can be retried"), refused.output)
        XCTAssertNotEqual(try CofferCLI.run(["jobs", "list", "--status", "stuck", "--database-url", url]).status, 0)
    }
}

extension BackgroundWorkThroughNginxTests {
    /// A webhook receiver that takes 6 s to answer holds up one of the runner's threads, not the
    /// others: a scheduled transfer due meanwhile completes while the deliveries are still waiting
    /// (queued behind them, it would take at least those 6 s), and the slow deliveries succeed.
    func testASlowDeliveryDoesNotHoldUpOtherBackgroundWork() throws {
        let receiver = try WebhookReceiver { _ in
            Thread.sleep(forTimeInterval: 6)
            return 200
        }
        defer { receiver.stop() }
        let api = APIClient(http: stack.http)
        let (owner, _) = try memberWithHook(api, "slow-hooks@e2e.example", to: receiver)
        let accounts = try api.fundedAccounts(owner.token, count: 2, each: 1_000)  // the deposits' deliveries begin, slowly
        Thread.sleep(forTimeInterval: 0.5)
        let took = try secondsToRunAnOrderDueToday(api, owner.token, from: accounts[0], to: accounts[1])
        XCTAssertLessThan(took, 4.5, "not queued behind the 6 s deliveries")
        let deadline = Date().addingTimeInterval(30)
        while receiver.requests.count < 2 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(receiver.requests.count, 2, "both slow deliveries arrive")
    }
}

extension BackgroundWorkThroughNginxTests {
    /// Every job thread that takes deliveries busy with a 6 s one: a new event still becomes a
    /// delivery within seconds, because the relay has a thread of its own. It used to run between
    /// the jobs of the first job thread, so it waited for that thread's slow delivery to end.
    func testTheRelayKeepsGoingWhileEveryJobThreadIsBusy() throws {
        let receiver = try WebhookReceiver { _ in
            Thread.sleep(forTimeInterval: 6)
            return 200
        }
        defer { receiver.stop() }
        let api = APIClient(http: stack.http)
        let (owner, hookID) = try memberWithHook(api, "busy-runner@e2e.example", to: receiver)
        let account = try api.fundedAccounts(owner.token, count: 1, each: 100)[0]
        func deposit() throws {
            XCTAssertEqual(
                try api.request("POST", "/v1/transactions", ["account_id": account, "type": "deposit", "amount": 1], token: owner.token).status, 201)
        }
        func delivered() throws -> Int {
            (try api.request("GET", "/v1/webhooks/\(hookID)/deliveries?limit=100", token: owner.token).json()["data"] as? [Any])?.count ?? 0
        }
        for _ in 0..<5 { try deposit() }  // six slow deliveries: more than the three job threads that take them
        let relayed = Date().addingTimeInterval(5)
        while try delivered() < 6 && Date() < relayed { usleep(50_000) }
        XCTAssertEqual(try delivered(), 6)
        Thread.sleep(forTimeInterval: 1)  // each of those threads has claimed one and waits on the receiver
        try deposit()
        let started = Date()
        while try delivered() < 7 && Date().timeIntervalSince(started) < 10 { usleep(100_000) }
        XCTAssertEqual(try delivered(), 7)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "relayed while the slow deliveries still run")
    }
}

extension BackgroundWorkThroughNginxTests {
    /// Six deliveries to a receiver that answers one connection at a time, the first after 8 s:
    /// every job thread that takes deliveries waits on it, yet a scheduled transfer due meanwhile
    /// completes within seconds, on the thread that never takes one. With every thread taking
    /// deliveries, it would wait for one of them to end, some 6 s.
    func testAScheduledTransferDoesNotWaitBehindAFloodOfDeliveries() throws {
        let receiver = try WebhookReceiver { number in
            if number == 1 { Thread.sleep(forTimeInterval: 8) }
            return 200
        }
        defer { receiver.stop() }
        let api = APIClient(http: stack.http)
        let (owner, hookID) = try memberWithHook(api, "flooded-hooks@e2e.example", to: receiver)
        let accounts = try api.fundedAccounts(owner.token, count: 2, each: 1_000)
        for _ in 0..<4 {
            let deposit = try api.request("POST", "/v1/transactions", ["account_id": accounts[0], "type": "deposit", "amount": 1], token: owner.token)
            XCTAssertEqual(deposit.status, 201, deposit.text)
        }
        func relayed() throws -> Int {
            (try api.request("GET", "/v1/webhooks/\(hookID)/deliveries?limit=100", token: owner.token).json()["data"] as? [Any])?.count ?? 0
        }
        let deadline = Date().addingTimeInterval(5)
        while try relayed() < 6 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(try relayed(), 6)
        Thread.sleep(forTimeInterval: 1.2)  // every thread that takes deliveries has claimed one
        let took = try secondsToRunAnOrderDueToday(api, owner.token, from: accounts[0], to: accounts[1])
        XCTAssertLessThan(took, 4, "not queued behind the deliveries")
    }
}

extension BackgroundWorkThroughNginxTests {
    /// A delivery that takes 6 s under a 4 s lease: cofferd's lease keeper renews the lease while
    /// the receiver is still answering, so no other job thread claims the job when its first lease
    /// would have run out, and the one request is delivered on the job's first attempt.
    func testAJobLongerThanItsLeaseRunsOnce() throws {
        stack.stop()
        stack = try Stack(environment: ["COFFER_WEBHOOK_ALLOW_PRIVATE": "true", "COFFER_JOB_LEASE_S": "4"], backend: Self.backend)
        let receiver = try WebhookReceiver { _ in
            Thread.sleep(forTimeInterval: 6)
            return 200
        }
        defer { receiver.stop() }
        let api = APIClient(http: stack.http)
        let (owner, hookID) = try memberWithHook(api, "long-job@e2e.example", to: receiver)
        _ = try api.fundedAccounts(owner.token, count: 1, each: 100)
        func delivery() throws -> [String: Any]? {
            (try api.request("GET", "/v1/webhooks/\(hookID)/deliveries", token: owner.token).json()["data"] as? [[String: Any]])?.first
        }
        let deadline = Date().addingTimeInterval(20)
        while try delivery()?["status"] as? String != "succeeded" && Date() < deadline { usleep(200_000) }
        Thread.sleep(forTimeInterval: 1)  // a second claim, had there been one, has reached the receiver's queue
        let delivered = try XCTUnwrap(try delivery())
        XCTAssertEqual(delivered["status"] as? String, "succeeded", "\(delivered)")
        XCTAssertEqual(delivered["attempts"] as? Int, 1, "\(delivered)")
        XCTAssertEqual(receiver.requests.count, 1)
    }
}

extension BackgroundWorkThroughNginxTests {
    /// A new member with a webhook that hears `transaction.created` at `receiver`.
    func memberWithHook(_ api: APIClient, _ email: String, to receiver: WebhookReceiver) throws -> (
        owner: (token: String, userID: String), hookID: String
    ) {
        let owner = try api.member(email)
        let hook = try api.request("POST", "/v1/webhooks", ["url": receiver.url, "events": ["transaction.created"]], token: owner.token)
        XCTAssertEqual(hook.status, 201, hook.text)
        return (owner, try XCTUnwrap(try hook.json()["id"] as? String))
    }

    /// Orders a transfer of 5 from `from` to `to`, once, today, and returns how many seconds it
    /// took cofferd's runner to complete it (failing the test when it did not within 15 s).
    func secondsToRunAnOrderDueToday(_ api: APIClient, _ token: String, from: String, to: String) throws -> Double {
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let order = try api.request(
            "POST", "/v1/scheduled-transfers", ["from_account_id": from, "to_account_id": to, "amount": 5, "start_date": today, "interval": "once"],
            token: token)
        XCTAssertEqual(order.status, 201, order.text)
        let id = try XCTUnwrap(try order.json()["id"] as? String)
        let started = Date()
        var status = ""
        while status != "completed" && Date().timeIntervalSince(started) < 15 {
            status = (try api.request("GET", "/v1/scheduled-transfers/\(id)", token: token).json()["status"] as? String) ?? ""
            usleep(100_000)
        }
        XCTAssertEqual(status, "completed")
        return Date().timeIntervalSince(started)
    }
}

final class BackgroundWorkThroughNginxTestsOnPostgres: BackgroundWorkThroughNginxTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}
