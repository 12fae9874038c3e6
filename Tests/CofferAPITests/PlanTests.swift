import CofferCore
import CofferServices
import XCTest

/// API.md "Plans": an admin's grant or revoke changes the owner's limits on the very next request.
class PlanTests: APITestCase {
    override func tearDown() { t = nil }

    /// Small limits, so the tests can reach them: standard 1,000/day, 1 card, 2 holds; premium
    /// 5,000/day, 2 cards, 3 holds.
    private func makePlannedApp() throws -> TestApp {
        var money = MoneySettings()
        money.plans.standard = PlanLimits(dailyOutflow: 1_000, cardsPerAccount: 1, pendingHoldsPerAccount: 2)
        money.plans.premium = PlanLimits(dailyOutflow: 5_000, cardsPerAccount: 2, pendingHoldsPerAccount: 3)
        return try makeApp(money: money)
    }

    private func withdraw(_ member: TestApp.Member, _ account: String, _ amount: Int64) -> TestApp.Reply {
        t.post("/v1/transactions", ["account_id": .string(account), "type": "withdrawal", "amount": .int(amount)], token: member.accessToken)
    }

    private func placeHold(_ member: TestApp.Member, _ account: String) -> TestApp.Reply {
        t.post("/v1/holds", ["account_id": .string(account), "amount": 1], token: member.accessToken)
    }

    func testAPremiumGrantRaisesTheDailyLimitAtOnceAndRevokeRestoresTheDefault() throws {
        t = try makePlannedApp()
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        XCTAssertEqual(t.deposit(ann, a, 20_000).status, 201)
        XCTAssertEqual(t.get("/v1/auth/me", token: ann.accessToken)["user"]?["plan"], "standard")
        XCTAssertEqual(withdraw(ann, a, 1_000).status, 201)
        XCTAssertEqual(withdraw(ann, a, 1).code, "limit_exceeded", "the standard limit is used up")

        let granted = t.send(
            .put, "/v1/admin/users/\(ann.userID)/plan", body: ["plan": "premium", "reason": "upgrade ticket 42"], token: admin.accessToken)
        XCTAssertEqual(granted.status, 200)
        XCTAssertEqual(granted["plan"], "premium")
        XCTAssertEqual(granted["id"], .string(ann.userID))
        XCTAssertEqual(t.get("/v1/auth/me", token: ann.accessToken)["user"]?["plan"], "premium", "the same token sees the new plan")
        let transfer = t.post(
            "/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 4_000], token: ann.accessToken)
        XCTAssertEqual(transfer.status, 201, "the premium limit applies to the next request")
        let over = withdraw(ann, a, 1)
        XCTAssertEqual(over.code, "limit_exceeded", "premium's 5,000 is used up too")
        XCTAssertEqual(over["error"]?["details"]?["limit"], 5_000)

        let revoked = t.send(.delete, "/v1/admin/users/\(ann.userID)/plan", token: admin.accessToken)
        XCTAssertEqual(revoked.status, 200)
        XCTAssertEqual(revoked["plan"], "standard")
        XCTAssertEqual(t.get("/v1/auth/me", token: ann.accessToken)["user"]?["plan"], "standard")
        let back = withdraw(ann, a, 1)
        XCTAssertEqual(back.code, "limit_exceeded", "back on standard, the account has spent more than 1,000 today")
        XCTAssertEqual(back["error"]?["details"]?["limit"], 1_000)
        XCTAssertEqual(withdraw(ann, b, 1_000).status, 201, "the limit is per account")
        XCTAssertEqual(withdraw(ann, b, 1).code, "limit_exceeded")
        XCTAssertEqual(try t.balance(a) + (try t.balance(b)), 20_000 - 1_000 - 1_000)

        let changes = try t.auditEvents(action: .planChange)
        XCTAssertEqual(changes.count, 2)
        XCTAssertEqual(Set(changes.map(\.actorID)), [admin.userID])
        XCTAssertEqual(Set(changes.map(\.targetID)), [ann.userID])
        XCTAssertEqual(
            Set(changes.compactMap(\.reason)), ["plan=standard->premium: upgrade ticket 42", "plan=premium->standard"])
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testCardAndHoldLimitsFollowThePlan() throws {
        t = try makePlannedApp()
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        XCTAssertEqual(t.deposit(ann, a, 500).status, 201)
        let card: JSONValue = ["account_id": .string(a), "type": "virtual"]
        XCTAssertEqual(t.post("/v1/cards", card, token: ann.accessToken).status, 201)
        let refused = t.post("/v1/cards", card, token: ann.accessToken)
        XCTAssertEqual(refused.code, "limit_exceeded")
        XCTAssertEqual(refused["error"]?["details"]?["limit"], 1)
        XCTAssertEqual(placeHold(ann, a).status, 201)
        XCTAssertEqual(placeHold(ann, a).status, 201)
        let third = placeHold(ann, a)
        XCTAssertEqual(third.code, "limit_exceeded")
        XCTAssertEqual(third["error"]?["details"]?["pending_holds"], 2)
        let overdrawn = t.post("/v1/holds", ["account_id": .string(a), "amount": 10_000], token: ann.accessToken)
        XCTAssertEqual(overdrawn.code, "insufficient_funds", "funds come before the holds limit, as API.md orders the rules")

        XCTAssertEqual(t.send(.put, "/v1/admin/users/\(ann.userID)/plan", body: ["plan": "premium"], token: admin.accessToken).status, 200)
        XCTAssertEqual(t.post("/v1/cards", card, token: ann.accessToken).status, 201)
        XCTAssertEqual(t.post("/v1/cards", card, token: ann.accessToken).code, "limit_exceeded")
        XCTAssertEqual(placeHold(ann, a).status, 201)
        XCTAssertEqual(placeHold(ann, a).code, "limit_exceeded")
        // Voiding one frees its place at once.
        let holds = t.get("/v1/holds?status=pending", token: ann.accessToken)["data"]?.arrayValue ?? []
        let first = try XCTUnwrap(holds.first?["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/holds/\(first)/void", [:], token: ann.accessToken).status, 200)
        XCTAssertEqual(placeHold(ann, a).status, 201)
    }

    func testPlanChangesAreForAdminsAndValidated() throws {
        let ann = t.member()
        let support = try t.member(role: .support)
        let admin = try t.member(role: .admin)
        let path = "/v1/admin/users/\(ann.userID)/plan"
        XCTAssertEqual(t.send(.put, path, body: ["plan": "premium"], token: ann.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.put, path, body: ["plan": "premium"], token: support.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.delete, path, token: support.accessToken).code, "forbidden")
        XCTAssertEqual(t.send(.put, path, body: ["plan": "platinum"], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(t.send(.put, path, body: [:], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(t.send(.put, path, body: ["plan": "premium", "colour": "gold"], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(
            t.send(.put, path, body: ["plan": "premium", "reason": .string(String(repeating: "x", count: 501))], token: admin.accessToken).code,
            "validation_failed")
        XCTAssertEqual(t.send(.put, "/v1/admin/users/no-such-user/plan", body: ["plan": "business"], token: admin.accessToken).code, "not_found")
        XCTAssertEqual(try t.auditEvents(action: .planChange).count, 0, "refused changes leave no audit row")
        XCTAssertEqual(t.get("/v1/auth/me", token: ann.accessToken)["user"]?["plan"], "standard")

        XCTAssertEqual(t.send(.put, path, body: ["plan": "business"], token: admin.accessToken)["plan"], "business")
        let listed = t.get("/v1/admin/users?limit=100", token: admin.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(listed.first { $0["id"] == .string(ann.userID) }?["plan"], "business")
    }
}
