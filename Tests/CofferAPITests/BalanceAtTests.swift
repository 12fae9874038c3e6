import CofferCore
import XCTest

/// `GET /v1/accounts/{id}/balance?at=`: the balance after every posting at or before an instant,
/// checked against a history seeded over two weeks and against statements of the same instants.
class BalanceAtTests: APITestCase {
    private var ann: TestApp.Member!

    /// Moving the test clock days ahead outlives the access token; a fresh login follows it.
    private func loginAgain() {
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
    }

    private func balance(_ account: String, at: String?) -> TestApp.Reply {
        t.get("/v1/accounts/\(account)/balance" + (at.map { "?at=\($0)" } ?? ""), token: ann.accessToken)
    }

    func testBalancesInThePastMatchTheJournalAndTheStatements() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let opened = Timestamp.now()
        // Two weeks of movements a few hours apart, each remembered with the balance it left.
        var history: [(at: Timestamp, balance: Int64)] = []
        var random = SystemRandomNumberGenerator()
        for step in 0..<40 {
            t.clock.advance(seconds: Int64.random(in: 3_600...30_000, using: &random))
            loginAgain()
            let reply: TestApp.Reply
            switch step % 4 {
            case 0, 1: reply = t.deposit(ann, a, Int64.random(in: 100...5_000, using: &random))
            case 2:
                reply = t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 50], token: ann.accessToken)
            default:
                reply = t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 70], token: ann.accessToken)
            }
            XCTAssertEqual(reply.status, 201, reply.json.serializedString)
            let line: JSONValue =
                reply["balance_after"] != nil ? reply.json : t.get("/v1/transactions?account_id=\(a)&limit=1", token: ann.accessToken)["data"]!.arrayValue![0]
            let at = try XCTUnwrap(Timestamp(rfc3339: try XCTUnwrap(line["created_at"]?.stringValue)))
            history.append((at, try XCTUnwrap(line["balance_after"]?.int64Value)))
        }

        func expected(_ instant: Timestamp) -> Int64 { history.last { $0.at <= instant }?.balance ?? 0 }
        var instants = history.map(\.at) + history.map { Timestamp(millisecondsSinceEpoch: $0.at.millisecondsSinceEpoch - 1) }
        for _ in 0..<40 {
            instants.append(
                Timestamp(millisecondsSinceEpoch: Int64.random(in: opened.millisecondsSinceEpoch...history.last!.at.millisecondsSinceEpoch, using: &random)))
        }
        for instant in instants {
            let reply = balance(a, at: instant.rfc3339)
            XCTAssertEqual(reply.status, 200, reply.json.serializedString)
            XCTAssertEqual(reply["balance"]?.int64Value, expected(instant), instant.rfc3339)
            XCTAssertEqual(reply["at"]?.stringValue, instant.rfc3339)
            XCTAssertEqual(reply["currency"], "USD")
            XCTAssertNil(reply["available_balance"], "only the present has an available balance")
        }
        XCTAssertEqual(balance(a, at: "2000-01-01T00:00:00Z")["balance"], 0, "before the account's history")

        // The end of each past day of the history is what that day's statement closes on (the end
        // of today is still in the future).
        let days = Set(history.map(\.at.date)).sorted { $0.daysSinceEpoch < $1.daysSinceEpoch }.dropLast()
        XCTAssertGreaterThanOrEqual(days.count, 3, "40 movements 1 to 8 hours apart span at least 5 days")
        for day in days {
            let statement = t.get("/v1/statements/\(a)?from=\(day.iso8601)&to=\(day.iso8601)", token: ann.accessToken)
            XCTAssertEqual(statement.status, 200, statement.json.serializedString)
            let endOfDay = "\(day.iso8601)T23:59:59.999Z"
            XCTAssertEqual(balance(a, at: endOfDay)["balance"], statement["closing_balance"], day.iso8601)
        }

        let now = balance(a, at: nil)
        XCTAssertEqual(now.status, 200)
        XCTAssertEqual(now["balance"]?.int64Value, history.last!.balance)
        XCTAssertEqual(now["available_balance"], now["balance"], "no holds yet: everything is available")
        XCTAssertEqual(now["balance"], t.get("/v1/accounts/\(a)", token: ann.accessToken)["balance"])
    }

    func testABadOrFutureInstantIsAClearErrorAndAnotherUsersAccountIsNotFound() {
        ann = t.member()
        let a = t.openAccount(ann)
        for bad in ["2026-11-01", "yesterday", "2026-13-01T00:00:00Z", "2026-11-01T00:00:00", "9999-01-01T00:00:00Z"] {
            let reply = balance(a, at: bad)
            XCTAssertEqual(reply.status, 400, bad)
            XCTAssertEqual(reply.code, "invalid_parameter", bad)
            XCTAssertEqual(reply.json["error"]?["details"]?["parameter"], "at", bad)
        }
        XCTAssertEqual(t.get("/v1/accounts/\(a)/balance?on=2026-01-01", token: ann.accessToken).code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/accounts/\(a)/balance?at=2026-01-01T00:00:00Z&at=2026-01-02T00:00:00Z", token: ann.accessToken).code, "invalid_parameter")
        let bob = t.member()
        XCTAssertEqual(t.get("/v1/accounts/\(a)/balance", token: bob.accessToken).status, 404)
        XCTAssertEqual(t.get("/v1/accounts/\(a)/balance").status, 401)
    }
}
