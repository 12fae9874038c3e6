import CofferTestSupport
import Foundation
import XCTest

/// Holds, batches and reversals through nginx and a real cofferd, under a mixed concurrent load
/// that moves money only between customer accounts: whatever is refused, the customers' total
/// stays what it was, and `coffer verify` finds the books sound.
class LedgerFeaturesThroughNginxTests: XCTestCase {
    var stack: Stack!
    var api: APIClient!
    class var backend: TestBackend { .sqlite }

    override func setUpWithError() throws {
        stack = try Stack(environment: ["COFFER_WORKERS": "8"], backend: Self.backend)
        api = APIClient(http: stack.http)
    }

    override func tearDown() {
        stack?.stop()
    }

    private func adminToken() throws -> String {
        let password = "an admin passphrase of length"
        let created = try CofferCLI.run(
            ["create-admin", "--email", "ledger-admin@e2e.example", "--password-stdin", "--database-url", stack.databaseURL], stdin: "\(password)\n")
        XCTAssertEqual(created.status, 0, created.output)
        let login = try api.request("POST", "/v1/auth/login", ["email": "ledger-admin@e2e.example", "password": password])
        return try XCTUnwrap(try login.json()["access_token"] as? String)
    }

    func testMixedConcurrentLoadOfHoldsBatchesAndReversalsConservesMoney() throws {
        let owner = try api.member("ledger-owner@e2e.example")
        let admin = try adminToken()
        let accounts = try api.fundedAccounts(owner.token, count: 6, each: 50_000)
        let http = stack.http
        let statuses = Collected<Int>()
        let reversible = Collected<String>()
        let group = DispatchGroup()
        for client in 0..<32 {
            group.enter()
            Thread {
                defer { group.leave() }
                let api = APIClient(http: http)
                func record(_ reply: HTTPResult?) -> [String: Any]? {
                    statuses.add(reply?.status ?? -1)
                    return reply.flatMap { try? $0.json() }
                }
                for step in 0..<6 {
                    let from = accounts[(client + step) % accounts.count]
                    let to = accounts[(client * 5 + step + 1) % accounts.count]
                    let amount = (client * 211 + step * 733) % 9_000 + 1
                    switch (client + step) % 4 {
                    case 0:
                        // A hold, then a capture to another account (or a void), racing the others.
                        guard let hold = record(try? api.request("POST", "/v1/holds", ["account_id": from, "amount": amount], token: owner.token)),
                            let id = hold["id"] as? String
                        else { continue }
                        let settle = step % 2 == 0 ? ("capture", ["to_account_id": to, "amount": amount / 2 + 1]) : ("void", [:])
                        _ = record(try? api.request("POST", "/v1/holds/\(id)/\(settle.0)", settle.1, token: owner.token))
                    case 1:
                        let items = (0..<5).map { index in
                            ["from_account_id": accounts[(client + index) % 6], "to_account_id": accounts[(client + index + 2) % 6], "amount": amount + index]
                        }
                        let mode = step % 2 == 0 ? "atomic" : "independent"
                        _ = record(try? api.request("POST", "/v1/transfers/batch", ["mode": mode, "transfers": items], token: owner.token))
                    case 2:
                        if let transfer = record(
                            try? api.request("POST", "/v1/transfers", ["from_account_id": from, "to_account_id": to, "amount": amount], token: owner.token)),
                            let id = transfer["id"] as? String
                        {
                            reversible.add(id)
                        }
                    default:
                        if let id = reversible.all.randomElement() {
                            _ = record(try? api.request("POST", "/v1/transfers/\(id)/reverse", ["reason": "load"], token: admin))
                        }
                    }
                }
            }.start()
        }
        group.wait()
        let all = statuses.all
        XCTAssertTrue(all.allSatisfy { [200, 201, 409, 422].contains($0) }, "\(Set(all))")
        XCTAssertGreaterThan(all.filter { $0 == 201 }.count, 0)
        XCTAssertGreaterThan(all.filter { $0 == 422 }.count, 0, "some requests must be refused")
        let balances = try accounts.map { try api.balance(owner.token, $0) }
        XCTAssertEqual(balances.reduce(0, +), 6 * 50_000, "money moved only between customer accounts")
        for account in accounts {
            let reply = try api.request("GET", "/v1/accounts/\(account)", token: owner.token).json()
            XCTAssertGreaterThanOrEqual(reply["available_balance"] as? Int ?? -1, 0)
        }
        let verify = try CofferCLI.run(["verify", "--database-url", stack.databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }

    /// nginx lets a batch body up to 1 MiB through on its own route, and still refuses more than
    /// 64 KiB everywhere else.
    func testAThousandItemBatchPassesNginxAndOtherRoutesKeepTheirLimit() throws {
        let owner = try api.member("ledger-bulk@e2e.example")
        let accounts = try api.fundedAccounts(owner.token, count: 2, each: 100_000)
        let items = (0..<1_000).map { index in
            ["from_account_id": accounts[index % 2], "to_account_id": accounts[(index + 1) % 2], "amount": 1, "description": "bulk item \(index)"]
        }
        let body = try JSONSerialization.data(withJSONObject: ["mode": "atomic", "transfers": items])
        XCTAssertGreaterThan(body.count, 64 * 1024)
        let reply = try api.request("POST", "/v1/transfers/batch", ["mode": "atomic", "transfers": items], token: owner.token)
        XCTAssertEqual(reply.status, 201, String(reply.text.prefix(500)))
        XCTAssertEqual((try reply.json()["data"] as? [Any])?.count, 1_000)
        let tooLarge = try api.request(
            "POST", "/v1/transfers",
            ["from_account_id": accounts[0], "to_account_id": accounts[1], "amount": 1, "description": String(repeating: "x", count: 70_000)],
            token: owner.token)
        XCTAssertEqual(tooLarge.status, 413)
        let verify = try CofferCLI.run(["verify", "--database-url", stack.databaseURL])
        XCTAssertEqual(verify.status, 0, verify.output)
    }
}

final class LedgerFeaturesThroughNginxTestsOnPostgres: LedgerFeaturesThroughNginxTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertTrue(stack.databaseURL.hasPrefix("postgres://")) }
}
