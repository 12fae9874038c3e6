import CofferTestSupport
import Foundation
import XCTest

/// `coffer copy`: an installation that ran on SQLite moves to PostgreSQL whole. Afterwards the
/// same people log in with the same passwords and refresh tokens, a stored Idempotency-Key answer
/// replays, balances are the same, new money moves, and the ledger verifies on both sides.
final class CopyToPostgresTests: XCTestCase {
    func testAnInstallationMovesFromSQLiteToPostgreSQLWhole() throws {
        guard let target = try PostgresTestDatabase() else { throw XCTSkip(PostgresTestDatabase.unconfigured) }
        defer { target.drop() }
        let secret = ["JWT_SECRET": UUID().uuidString + UUID().uuidString]

        let before = try Stack(environment: secret)
        let api = APIClient(http: before.http)
        let ann = try api.member("ann@copy.example", password: "ann's long passphrase")
        let login = try api.request("POST", "/v1/auth/login", ["email": "ann@copy.example", "password": "ann's long passphrase"])
        let refreshToken = try XCTUnwrap(try login.json()["refresh_token"] as? String)
        let a = try api.openAccount(ann.token)
        let b = try api.openAccount(ann.token)
        XCTAssertEqual(try api.request("POST", "/v1/transactions", ["account_id": a, "type": "deposit", "amount": 10_000], token: ann.token).status, 201)
        let keyed = try api.request(
            "POST", "/v1/transfers", ["from_account_id": a, "to_account_id": b, "amount": 2_500], token: ann.token,
            headers: [("Idempotency-Key", "before-the-move")])
        XCTAssertEqual(keyed.status, 201, keyed.text)
        XCTAssertEqual(try api.request("POST", "/v1/cards", ["account_id": a, "type": "virtual"], token: ann.token).status, 201)
        // Part 2's records: a pending hold with metadata, a captured one, and a reversed deposit.
        let pending = try api.request("POST", "/v1/holds", ["account_id": a, "amount": 1_000, "metadata": ["trip": "rome"]], token: ann.token)
        XCTAssertEqual(pending.status, 201, pending.text)
        let captured = try XCTUnwrap(
            try api.request("POST", "/v1/holds", ["account_id": a, "amount": 500], token: ann.token).json()["id"] as? String)
        XCTAssertEqual(try api.request("POST", "/v1/holds/\(captured)/capture", [:], token: ann.token).status, 201)
        let mistaken = try XCTUnwrap(
            try api.request("POST", "/v1/transactions", ["account_id": b, "type": "deposit", "amount": 300], token: ann.token).json()["id"] as? String)
        let adminPassword = "an admin passphrase of length"
        let admin = try CofferCLI.run(
            ["create-admin", "--email", "admin@copy.example", "--password-stdin", "--database-url", before.databaseURL], stdin: "\(adminPassword)\n")
        XCTAssertEqual(admin.status, 0, admin.output)
        let adminToken = try XCTUnwrap(
            try api.request("POST", "/v1/auth/login", ["email": "admin@copy.example", "password": adminPassword]).json()["access_token"] as? String)
        let reversal = try api.request("POST", "/v1/transactions/\(mistaken)/reverse", ["reason": "mistake"], token: adminToken)
        XCTAssertEqual(reversal.status, 201, reversal.text)
        let source = before.databaseURL
        before.stop(keepingDatabase: true)
        defer { try? FileManager.default.removeItem(at: before.directory) }
        // And the demo installation: four months of history on four more accounts, in two currencies.
        let seeded = try CofferCLI.run(["seed-demo", "--database-url", source, "--extra-transactions", "2000"])
        XCTAssertEqual(seeded.status, 0, seeded.output)

        let copy = try CofferCLI.run(["copy", "--from", source, "--to", target.url])
        XCTAssertEqual(copy.status, 0, copy.output)
        XCTAssertTrue(
            copy.output.contains("copied 8 rows of accounts"), "Ann's two, the demo's four, the bank's USD and EUR cash: \(copy.output)")
        XCTAssertTrue(copy.output.contains("copy verified"), copy.output)
        XCTAssertEqual(try CofferCLI.run(["copy", "--from", source, "--to", target.url]).status, 1, "never into a database that has data")

        let after = try Stack(environment: secret, databaseURL: target.url)
        defer { after.stop() }
        let moved = APIClient(http: after.http)
        XCTAssertEqual(try moved.balance(ann.token, a), 7_000, "the access token still works: same secret, same user")
        let account = try moved.request("GET", "/v1/accounts/\(a)", token: ann.token).json()
        XCTAssertEqual(account["available_balance"] as? Int, 6_000, "the pending hold moved")
        let rome = try moved.request("GET", "/v1/holds?metadata[trip]=rome&status=pending", token: ann.token).json()
        XCTAssertEqual((rome["data"] as? [Any])?.count, 1, "with its metadata index")
        let original = try moved.request("GET", "/v1/transactions/\(mistaken)", token: ann.token).json()
        XCTAssertEqual(original["reversed_by"] as? String, try reversal.json()["id"] as? String, "the reversal link moved")
        XCTAssertEqual(try moved.balance(ann.token, b), 2_500)
        let relogin = try moved.request("POST", "/v1/auth/login", ["email": "ann@copy.example", "password": "ann's long passphrase"])
        XCTAssertEqual(relogin.status, 200, "the password hash moved")
        XCTAssertEqual(try moved.request("POST", "/v1/auth/refresh", ["refresh_token": refreshToken]).status, 200, "the refresh token moved")
        let replay = try moved.request(
            "POST", "/v1/transfers", ["from_account_id": a, "to_account_id": b, "amount": 2_500], token: ann.token,
            headers: [("Idempotency-Key", "before-the-move")])
        XCTAssertEqual(replay.status, 201)
        XCTAssertEqual(replay.header("Idempotent-Replayed"), "true", "the stored answer moved")
        XCTAssertEqual(try moved.balance(ann.token, a), 7_000)
        XCTAssertEqual(try moved.request("POST", "/v1/transactions", ["account_id": b, "type": "deposit", "amount": 1], token: ann.token).status, 201)
        XCTAssertEqual(try moved.request("POST", "/v1/transfers", ["from_account_id": b, "to_account_id": a, "amount": 2], token: ann.token).status, 201)
        let cards = try moved.request("GET", "/v1/cards?account_id=\(a)", token: ann.token)
        XCTAssertEqual((try cards.json()["data"] as? [Any])?.count, 1, cards.text)

        let demo = try moved.request("POST", "/v1/auth/login", ["email": "ann@demo.coffer", "password": "demo-password-2026"])
        XCTAssertEqual(demo.status, 200, "a seeded user's hash moved too")
        let demoToken = try XCTUnwrap(try demo.json()["access_token"] as? String)
        let demoAccounts = try XCTUnwrap(try moved.request("GET", "/v1/accounts", token: demoToken).json()["data"] as? [[String: Any]])
        XCTAssertEqual(demoAccounts.count, 3)
        for account in demoAccounts {
            let id = try XCTUnwrap(account["id"] as? String)
            let statement = try moved.request("GET", "/v1/statements/\(id)", token: demoToken)
            XCTAssertEqual(try statement.json()["closing_balance"] as? Int, account["balance"] as? Int, "the statement of \(id)")
        }

        for url in [source, target.url] {
            let verify = try CofferCLI.run(["verify", "--database-url", url])
            XCTAssertEqual(verify.status, 0, verify.output)
        }
    }
}
