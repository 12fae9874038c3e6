import CofferCore
import CofferHTTP
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

/// API.md "Reversals": an admin's compensating entry, linked both ways, the journal untouched.
class ReversalTests: APITestCase {
    private func reverse(_ kind: String, _ id: String, _ admin: TestApp.Member, reason: String = "booked twice") -> TestApp.Reply {
        t.post("/v1/\(kind)/\(id)/reverse", ["reason": .string(reason)], token: admin.accessToken)
    }

    func testReversingADepositAndATransferConservesMoneyAndLinksBothEntries() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let deposit = try XCTUnwrap(t.deposit(ann, a, 9_000)["id"]?.stringValue)
        let transfer = try XCTUnwrap(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 2_000], token: ann.accessToken)["id"]?
                .stringValue)
        let journalBefore = try t.journalCount()

        XCTAssertEqual(reverse("transactions", deposit, ann).code, "forbidden", "admin only")
        let undone = reverse("transfers", transfer, admin)
        XCTAssertEqual(undone.status, 201, undone.json.serializedString)
        XCTAssertEqual(undone["reverses_id"], .string(transfer))
        XCTAssertEqual(undone["from_account_id"], .string(b))
        XCTAssertEqual(undone["to_account_id"], .string(a))
        XCTAssertEqual(undone["amount"], 2_000)
        XCTAssertEqual(t.get("/v1/transfers/\(transfer)", token: ann.accessToken)["reversed_by"], undone["id"])
        XCTAssertEqual(reverse("transfers", transfer, admin).code, "invalid_transition", "twice")
        XCTAssertEqual(reverse("transfers", undone["id"]!.stringValue!, admin).code, "invalid_transition", "a reversal")

        let compensation = reverse("transactions", deposit, admin, reason: "wrong account")
        XCTAssertEqual(compensation.status, 201, compensation.json.serializedString)
        XCTAssertEqual(compensation["type"], "withdrawal")
        XCTAssertEqual(compensation["amount"], 9_000)
        XCTAssertEqual(compensation["reverses_id"], .string(deposit))
        XCTAssertEqual(t.get("/v1/transactions/\(deposit)", token: ann.accessToken)["reversed_by"], compensation["id"])
        XCTAssertEqual(reverse("transactions", deposit, admin).code, "invalid_transition")
        XCTAssertEqual(reverse("transactions", compensation["id"]!.stringValue!, admin).code, "invalid_transition")

        XCTAssertEqual(try t.balance(a), 0)
        XCTAssertEqual(try t.balance(b), 0)
        XCTAssertEqual(try t.journalCount(), journalBefore + 4, "two new entries; nothing updated or deleted")
        let statement = t.get("/v1/statements/\(a)", token: ann.accessToken)
        let lines = statement["transactions"]?.arrayValue ?? []
        XCTAssertEqual(lines.map { $0["type"] }, ["deposit", "transfer_out", "transfer_in", "withdrawal"])
        XCTAssertEqual(statement["closing_balance"], 0)
        let audit = try t.auditEvents(action: .transactionReverse)
        XCTAssertEqual(audit.map(\.reason), ["wrong account"])
        XCTAssertEqual(try t.auditEvents(action: .transferReverse).count, 1)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testASpentDepositATransfersOwnLineAndAClosedAccountAreRefusedButAFrozenOneTakesPart() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let deposit = try XCTUnwrap(t.deposit(ann, a, 1_000)["id"]?.stringValue)
        let spent = t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 600], token: ann.accessToken)
        let refused = reverse("transactions", deposit, admin)
        XCTAssertEqual(refused.code, "insufficient_funds", "the money was spent")
        XCTAssertEqual(refused["error"]?["details"]?["available"], 400)
        let line = try XCTUnwrap(
            t.get("/v1/transactions?account_id=\(b)", token: ann.accessToken)["data"]?.arrayValue?.first?["id"]?.stringValue)
        XCTAssertEqual(reverse("transactions", line, admin).code, "invalid_transition", "reverse the transfer instead")

        // A frozen account takes part in a correction, and the daily limit does not apply.
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(b)", body: ["status": "frozen"], token: admin.accessToken).status, 200)
        XCTAssertEqual(reverse("transfers", spent["id"]!.stringValue!, admin).status, 201)
        XCTAssertEqual(try t.balance(a), 1_000)
        XCTAssertEqual(try t.balance(b), 0)

        let c = t.openAccount(ann)
        let closedDeposit = try XCTUnwrap(t.deposit(ann, c, 50)["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/transactions", ["account_id": .string(c), "type": "withdrawal", "amount": 50], token: ann.accessToken).status, 201)
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(c)", body: ["status": "closed"], token: ann.accessToken).status, 200)
        XCTAssertEqual(reverse("transactions", closedDeposit, admin).code, "account_not_active")
        XCTAssertEqual(t.post("/v1/transactions/\(deposit)/reverse", ["reason": ""], token: admin.accessToken).code, "validation_failed")
        XCTAssertEqual(reverse("transfers", UUID().uuidString.lowercased(), admin).code, "not_found")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    /// Twelve admins' workers reverse one transfer at once: exactly one compensation is written.
    func testConcurrentReversalsOfOneTransferWriteOneCompensation() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let transfer = try XCTUnwrap(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 700], token: ann.accessToken)["id"]?
                .stringValue)
        let makeWorker = t.workerFactory()
        let outcomes = Collected<Int>()
        let group = DispatchGroup()
        for _ in 0..<12 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return outcomes.add(-1) }
                let response = app.handle(
                    Request(
                        method: .post, path: "/v1/transfers/\(transfer)/reverse",
                        headerFields: [.contentType: "application/json", .authorization: "Bearer \(admin.accessToken)"],
                        body: Array(#"{"reason":"race"}"#.utf8)))
                outcomes.add(response.status.code)
            }.start()
        }
        group.wait()
        XCTAssertEqual(outcomes.all.filter { $0 == 201 }.count, 1, "\(outcomes.all)")
        XCTAssertEqual(outcomes.all.filter { $0 == 422 }.count, 11, "\(outcomes.all)")
        XCTAssertEqual(try t.balance(a), 1_000)
        XCTAssertEqual(try t.balance(b), 0)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }
}
