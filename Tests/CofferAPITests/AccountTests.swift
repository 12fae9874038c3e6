import CofferCore
import CofferSQLite
import XCTest

class AccountTests: APITestCase {
    override func tearDown() { t = nil }

    func testOpeningAnAccountAnswersItsShapeAndAudits() throws {
        let ann = t.member()
        let reply = t.post("/v1/accounts", ["type": "savings", "currency": "EUR"], token: ann.accessToken)
        XCTAssertEqual(reply.status, 201)
        XCTAssertEqual(reply["holder_id"], .string(ann.holderID))
        XCTAssertEqual(reply["type"], "savings")
        XCTAssertEqual(reply["currency"], "EUR")
        XCTAssertEqual(reply["balance"], 0)
        XCTAssertEqual(reply["status"], "active")
        XCTAssertEqual(reply.response.headerFields[.location], "/v1/accounts/\(reply["id"]!.stringValue!)")
        XCTAssertEqual(try t.auditEvents(action: .accountCreate).count, 1)
    }

    func testOpeningValidatesEveryField() {
        let ann = t.member()
        let reply = t.post("/v1/accounts", ["type": "brokerage", "currency": "XYZ", "colour": "red"], token: ann.accessToken)
        XCTAssertEqual(reply.code, "validation_failed")
        let fields = reply.json["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        XCTAssertEqual(fields, ["type", "currency", "colour"])
        XCTAssertEqual(t.post("/v1/accounts", ["type": "checking", "currency": "usd"], token: ann.accessToken).code, "validation_failed")
        XCTAssertEqual(
            t.post("/v1/accounts", ["type": "checking", "currency": "JPY"], token: ann.accessToken).code, "validation_failed",
            "known but not enabled")
    }

    func testOnlyAnAdminMayOpenForAnotherHolder() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let support = try t.member(role: .support)
        let body: JSONValue = ["type": "checking", "currency": "USD", "holder_id": .string(ann.holderID)]
        XCTAssertEqual(t.post("/v1/accounts", body, token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.post("/v1/accounts", body, token: support.accessToken).code, "forbidden")
        let opened = t.post("/v1/accounts", body, token: admin.accessToken)
        XCTAssertEqual(opened.status, 201)
        XCTAssertEqual(opened["holder_id"], .string(ann.holderID))
    }

    func testAccountsAreVisibleToTheirOwnerAndStaffOnly() throws {
        let ann = t.member()
        let bob = t.member()
        let support = try t.member(role: .support)
        let annAccount = t.openAccount(ann)
        _ = t.openAccount(bob)
        XCTAssertEqual(t.get("/v1/accounts/\(annAccount)", token: ann.accessToken).status, 200)
        XCTAssertEqual(t.get("/v1/accounts/\(annAccount)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/accounts/\(annAccount)", token: support.accessToken).status, 200)
        XCTAssertEqual(t.get("/v1/accounts", token: bob.accessToken)["pagination"]?["total"], 1)
        XCTAssertEqual(t.get("/v1/accounts", token: support.accessToken)["pagination"]?["total"], 2)
        XCTAssertEqual(t.get("/v1/accounts?holder_id=\(ann.holderID)", token: support.accessToken)["pagination"]?["total"], 1)
        XCTAssertEqual(
            t.get("/v1/accounts?holder_id=\(ann.holderID)", token: bob.accessToken).code, "not_found",
            "a list filtered by someone else's holder is 404")
    }

    func testStatusTransitionsFollowTheRoles() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let account = t.openAccount(ann)
        let path = "/v1/accounts/\(account)"
        XCTAssertEqual(t.send(.patch, path, body: ["status": "frozen"], token: ann.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "frozen"], token: admin.accessToken)["status"], "frozen")
        XCTAssertEqual(t.deposit(ann, account, 100).code, "account_not_active")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "closed"], token: ann.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "active"], token: admin.accessToken)["status"], "active")
        XCTAssertEqual(t.deposit(ann, account, 100).status, 201)

        let refused = t.send(.patch, path, body: ["status": "closed"], token: ann.accessToken)
        XCTAssertEqual(refused.code, "account_has_balance")
        XCTAssertEqual(refused.json["error"]?["details"]?["balance"], 100)
        XCTAssertEqual(t.post("/v1/transactions", ["account_id": .string(account), "type": "withdrawal", "amount": 100], token: ann.accessToken).status, 201)
        let card = t.post("/v1/cards", ["account_id": .string(account), "type": "virtual"], token: ann.accessToken)
        XCTAssertEqual(t.send(.patch, path, body: ["status": "closed"], token: ann.accessToken)["status"], "closed")
        XCTAssertEqual(t.get("/v1/cards/\(card["id"]!.stringValue!)", token: ann.accessToken)["status"], "cancelled", "closing cancels cards")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "active"], token: admin.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.deposit(ann, account, 100).code, "account_not_active")
        XCTAssertEqual(try t.auditEvents(action: .accountStatusChange).count, 3)
    }

    func testAdminStatsCountUsersAccountsBalancesAndTransfers() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        _ = t.openAccount(ann, currency: "EUR")
        t.deposit(ann, a, 5_000)
        _ = t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 1_500], token: ann.accessToken)
        let stats = t.get("/v1/admin/stats", token: admin.accessToken)
        XCTAssertEqual(stats["users"], ["total": 2, "active": 2, "suspended": 0])
        XCTAssertEqual(stats["accounts"], ["total": 3, "active": 3, "frozen": 0, "closed": 0])
        XCTAssertEqual(stats["balances"], [["currency": "EUR", "total": 0], ["currency": "USD", "total": 5_000]])
        XCTAssertEqual(stats["transfers_today"], 1)
        XCTAssertEqual(t.get("/v1/admin/stats", token: ann.accessToken).code, "forbidden")
    }

    /// The owner closes an account while an admin freezes it, each on its own worker, a dozen
    /// times: never do both apply, and what answered 200 is what the account ends as. On
    /// PostgreSQL the freeze read the account before the close committed, then wrote over it.
    func testACloseAndAFreezeAtOnceNeverBothApply() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        for _ in 0..<12 {
            let a = t.openAccount(ann)
            let closed = t.sendAtOnce([
                (.patch, "/v1/accounts/\(a)", #"{"status":"closed"}"#, ann.accessToken),
                (.patch, "/v1/accounts/\(a)", #"{"status":"frozen"}"#, admin.accessToken),
            ])
            XCTAssertFalse(closed[0] == 200 && closed[1] == 200, "\(closed)")
            let final = t.get("/v1/accounts/\(a)", token: ann.accessToken)["status"]
            if closed[0] == 200 { XCTAssertEqual(final, "closed") }
            if closed[1] == 200 { XCTAssertEqual(final, "frozen") }
            XCTAssertTrue(closed.allSatisfy { $0 == 200 || $0 == 422 }, "\(closed)")
        }
    }
}
