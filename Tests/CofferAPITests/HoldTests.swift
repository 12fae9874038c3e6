import CofferCore
import CofferHTTP
import CofferServices
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

/// API.md "Holds": money reserved without moving, then captured (in full, in part, to a
/// withdrawal or a transfer), voided or left to expire; every outflow checks the available balance.
class HoldTests: APITestCase {
    private func placeHold(_ member: TestApp.Member, _ account: String, _ amount: Int64, extra: [(String, JSONValue)] = []) -> TestApp.Reply {
        t.post("/v1/holds", .object([("account_id", .string(account)), ("amount", .int(amount))] + extra), token: member.accessToken)
    }

    private func account(_ member: TestApp.Member, _ id: String) -> TestApp.Reply {
        t.get("/v1/accounts/\(id)", token: member.accessToken)
    }

    func testAHoldReservesMoneyUntilCapturedInPartAndReleasesTheRest() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 10_000)
        let placed = placeHold(ann, a, 6_000, extra: [("description", "hotel"), ("metadata", ["booking": "B-17"])])
        XCTAssertEqual(placed.status, 201, placed.json.serializedString)
        XCTAssertEqual(placed["status"], "pending")
        XCTAssertEqual(placed["captured_amount"], 0)
        XCTAssertEqual(placed["metadata"], ["booking": "B-17"])
        XCTAssertEqual(placed.response.headerFields[.location], "/v1/holds/\(placed["id"]!.stringValue!)")
        let hold = try XCTUnwrap(placed["id"]?.stringValue)
        XCTAssertEqual(account(ann, a)["balance"], 10_000, "a hold moves no money")
        XCTAssertEqual(account(ann, a)["available_balance"], 4_000)
        XCTAssertEqual(t.get("/v1/accounts/\(a)/balance", token: ann.accessToken)["available_balance"], 4_000)

        // Every outflow is checked against the available balance, and so is a second hold.
        let withdrawal = t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 4_001], token: ann.accessToken)
        XCTAssertEqual(withdrawal.code, "insufficient_funds")
        XCTAssertEqual(withdrawal["error"]?["details"]?["available"], 4_000)
        let b = t.openAccount(ann)
        XCTAssertEqual(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 4_001], token: ann.accessToken).code,
            "insufficient_funds")
        XCTAssertEqual(placeHold(ann, a, 4_001).code, "insufficient_funds")

        let tooMuch = t.post("/v1/holds/\(hold)/capture", ["amount": 6_001], token: ann.accessToken)
        XCTAssertEqual(tooMuch.code, "validation_failed")
        let captured = t.post("/v1/holds/\(hold)/capture", ["amount": 2_500], token: ann.accessToken)
        XCTAssertEqual(captured.status, 201, captured.json.serializedString)
        XCTAssertEqual(captured["hold"]?["status"], "captured")
        XCTAssertEqual(captured["hold"]?["captured_amount"], 2_500)
        XCTAssertEqual(captured["transaction"]?["type"], "withdrawal")
        XCTAssertEqual(captured["transaction"]?["amount"], 2_500)
        XCTAssertEqual(captured["transaction"]?["description"], "hotel")
        XCTAssertNil(captured["transfer"])
        XCTAssertEqual(account(ann, a)["balance"], 7_500)
        XCTAssertEqual(account(ann, a)["available_balance"], 7_500, "the uncaptured 3,500 is released")

        // Not pending any more: neither a second capture nor a void.
        XCTAssertEqual(t.post("/v1/holds/\(hold)/capture", [:], token: ann.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.post("/v1/holds/\(hold)/void", [:], token: ann.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.get("/v1/holds/\(hold)", token: ann.accessToken)["status"], "captured")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testVoidReleasesTheHoldOnceAndExpiryReleasesItWithoutAnyJob() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let first = try XCTUnwrap(placeHold(ann, a, 700)["id"]?.stringValue)
        let voided = t.post("/v1/holds/\(first)/void", [:], token: ann.accessToken)
        XCTAssertEqual(voided.status, 200, voided.json.serializedString)
        XCTAssertEqual(voided["status"], "voided")
        XCTAssertEqual(t.send(.post, "/v1/holds/\(first)/void", token: ann.accessToken).code, "invalid_transition", "void twice")
        XCTAssertEqual(t.post("/v1/holds/\(first)/capture", [:], token: ann.accessToken).code, "invalid_transition")
        XCTAssertEqual(
            t.post("/v1/holds/\(first)/capture", ["amount": 900], token: ann.accessToken).code, "invalid_transition",
            "not pending comes first: the bound is the stored hold's, not the request's")
        XCTAssertEqual(account(ann, a)["available_balance"], 1_000)

        let second = placeHold(ann, a, 800, extra: [("expires_in_seconds", 60)])
        XCTAssertEqual(second.status, 201)
        let id = try XCTUnwrap(second["id"]?.stringValue)
        XCTAssertEqual(account(ann, a)["available_balance"], 200)
        t.clock.advance(seconds: 61)
        var ann2 = ann
        ann2.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        XCTAssertEqual(t.get("/v1/holds/\(id)", token: ann2.accessToken)["status"], "expired")
        XCTAssertEqual(account(ann2, a)["available_balance"], 1_000, "expired from that instant, with no job run")
        XCTAssertEqual(t.post("/v1/holds/\(id)/capture", [:], token: ann2.accessToken).code, "invalid_transition", "capture after expiry")
        XCTAssertEqual(t.get("/v1/holds?status=expired", token: ann2.accessToken)["pagination"]?["total"], 1)
        XCTAssertEqual(t.get("/v1/holds?status=pending", token: ann2.accessToken)["pagination"]?["total"], 0)
        XCTAssertEqual(t.get("/v1/holds?account_id=\(a)", token: ann2.accessToken)["pagination"]?["total"], 2)
        // The money is spendable again, and closing now finds no pending hold.
        XCTAssertEqual(t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1_000], token: ann2.accessToken).status, 201)
        let card = try XCTUnwrap(t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann2.accessToken)["id"]?.stringValue)
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["status": "closed"], token: ann2.accessToken)["status"], "closed")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
        // The close wrote the hold's expiry and cancelled the card: each change is told, once.
        _ = try t.runJobs()
        let expired = t.get("/v1/events?type=hold.expired", token: ann2.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(expired.map { $0["data"]?["id"] }, [.string(id)])
        XCTAssertEqual(expired.first?["data"]?["status"], "expired")
        let cancelled = t.get("/v1/events?type=card.status_changed", token: ann2.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(cancelled.map { $0["data"]?["id"] }, [.string(card)])
        XCTAssertEqual(cancelled.first?["data"]?["status"], "cancelled")
        XCTAssertEqual(t.get("/v1/cards/\(card)", token: ann2.accessToken)["status"], "cancelled")
    }

    /// Capture and void take no body or `{}`: one Idempotency-Key sent with each is the same
    /// request, replayed, not `idempotency_key_mismatch`.
    func testNoBodyAndAnEmptyObjectAreTheSameRequestForOneKey() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let hold = try XCTUnwrap(placeHold(ann, a, 300)["id"]?.stringValue)
        let bare = t.send(.post, "/v1/holds/\(hold)/void", rawBody: nil, token: ann.accessToken, headers: ["Idempotency-Key": "void-1"])
        XCTAssertEqual(bare.status, 200)
        let again = t.send(.post, "/v1/holds/\(hold)/void", rawBody: Array("{}".utf8), token: ann.accessToken, headers: ["Idempotency-Key": "void-1"])
        XCTAssertEqual(again.status, 200, again.json.serializedString)
        XCTAssertEqual(again.json, bare.json)
    }

    func testCaptureToATransferFrozenAccountsClosingAndOwnership() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 5_000)
        let hold = try XCTUnwrap(placeHold(ann, a, 3_000)["id"]?.stringValue)
        XCTAssertEqual(t.get("/v1/holds/\(hold)", token: bob.accessToken).code, "not_found", "another user's hold")
        XCTAssertEqual(t.post("/v1/holds/\(hold)/void", [:], token: bob.accessToken).code, "not_found")
        XCTAssertEqual(placeHold(bob, a, 10).code, "not_found", "a hold on another user's account")

        let closing = t.send(.patch, "/v1/accounts/\(a)", body: ["status": "closed"], token: ann.accessToken)
        XCTAssertEqual(closing.code, "account_has_pending_holds", "checked before account_has_balance")

        // Frozen: the hold stays, captures and new holds are refused.
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["status": "frozen"], token: admin.accessToken).status, 200)
        XCTAssertEqual(t.post("/v1/holds/\(hold)/capture", [:], token: ann.accessToken).code, "account_not_active")
        XCTAssertEqual(placeHold(ann, a, 10).code, "account_not_active")
        XCTAssertEqual(t.get("/v1/holds/\(hold)", token: ann.accessToken)["status"], "pending")
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["status": "active"], token: admin.accessToken).status, 200)

        let captured = t.post("/v1/holds/\(hold)/capture", ["to_account_id": .string(b)], token: ann.accessToken)
        XCTAssertEqual(captured.status, 201, captured.json.serializedString)
        XCTAssertEqual(captured["transfer"]?["amount"], 3_000)
        XCTAssertEqual(captured["transfer"]?["to_account_id"], .string(b))
        XCTAssertNil(captured["transaction"])
        XCTAssertEqual(try t.balance(a), 2_000)
        XCTAssertEqual(try t.balance(b), 3_000)
        XCTAssertEqual(try t.auditEvents(action: .holdCreate).count, 1)
        XCTAssertEqual(try t.auditEvents(action: .holdCapture).count, 1)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testAHoldCountsTowardsTheDailyLimitAndItsCaptureDoesNotCountAgain() throws {
        t = try makeApp(
            money: {
                var money = MoneySettings()
                money.plans.standard.dailyOutflow = 1_000
                return money
            }())
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 5_000)
        let hold = try XCTUnwrap(placeHold(ann, a, 800)["id"]?.stringValue)
        XCTAssertEqual(placeHold(ann, a, 300).code, "limit_exceeded")
        let whole = t.send(.post, "/v1/holds/\(hold)/capture", token: ann.accessToken)
        XCTAssertEqual(whole.status, 201, "no body captures all of it, and a capture never counts again")
        XCTAssertEqual(whole["transaction"]?["amount"], 800)
        XCTAssertEqual(t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 200], token: ann.accessToken).status, 201)
        XCTAssertEqual(
            t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1], token: ann.accessToken).code, "limit_exceeded")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    /// A capture whose time was read before its lock, just before the hold's expiry, while a
    /// withdrawal at a later instant already spent the released money: judged at the account's
    /// latest time, the hold is expired, and the capture is refused instead of overdrawing.
    func testACaptureIsJudgedAtTheAccountsLatestTimeNotTheTimeItReadEarlier() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let placed = t.post("/v1/holds", ["account_id": .string(a), "amount": 1_000, "expires_in_seconds": 60], token: ann.accessToken)
        let id = try XCTUnwrap(placed["id"]?.stringValue)
        let expiry = try XCTUnwrap(Timestamp(rfc3339: try XCTUnwrap(placed["expires_at"]?.stringValue)))
        t.clock.advance(seconds: 61)
        var later = ann
        later.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        XCTAssertEqual(
            t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1_000], token: later.accessToken).status, 201)
        let early = expiry.adding(milliseconds: -1_000)
        let money = t.settings.services.money
        XCTAssertThrowsError(
            try t.store.write { db in
                try LedgerEngine(db: db, plans: money.plans, maxBalance: money.maxBalance)
                    .capture(id, amount: nil, to: nil, description: nil, at: early)
            }
        ) { error in XCTAssertEqual((error as? AppError)?.code, .invalidTransition) }
        XCTAssertEqual(try t.balance(a), 0)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testBadHoldRequestsAreClearErrors() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 5_000)
        let card = t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken)["id"]!.stringValue!
        XCTAssertEqual(placeHold(ann, a, 100, extra: [("card_id", .string(card))]).status, 201)
        XCTAssertEqual(placeHold(ann, a, 100, extra: [("card_id", "no-such-card")]).code, "not_found")
        XCTAssertEqual(t.send(.patch, "/v1/cards/\(card)", body: ["status": "frozen"], token: ann.accessToken).status, 200)
        XCTAssertEqual(placeHold(ann, a, 100, extra: [("card_id", .string(card))]).code, "validation_failed")
        let bad = placeHold(ann, a, 0, extra: [("expires_in_seconds", 59), ("metadata", ["Bad Key": "x", "ok": .int(3)])])
        XCTAssertEqual(bad.code, "validation_failed")
        let fields = Set(bad["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        XCTAssertEqual(fields, ["amount", "expires_in_seconds", "metadata", "metadata.ok"])
        XCTAssertEqual(placeHold(ann, a, 100, extra: [("currency", "EUR")]).code, "currency_mismatch")
        XCTAssertEqual(t.get("/v1/holds?status=held", token: ann.accessToken).code, "invalid_parameter")
        XCTAssertEqual(t.post("/v1/holds/\(UUID().uuidString.lowercased())/capture", [:], token: ann.accessToken).code, "not_found")
    }

    /// Twenty workers capture or void one hold at once: exactly one succeeds.
    func testConcurrentCapturesAndVoidsOfOneHoldHaveExactlyOneWinner() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 5_000)
        let hold = try XCTUnwrap(placeHold(ann, a, 4_000)["id"]?.stringValue)
        let outcomes = Collected<Int>()
        let makeWorker = t.workerFactory()
        let group = DispatchGroup()
        for thread in 0..<20 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return outcomes.add(-1) }
                let action = thread % 2 == 0 ? "capture" : "void"
                let response = app.handle(
                    Request(
                        method: .post, path: "/v1/holds/\(hold)/\(action)",
                        headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)"], body: Array("{}".utf8)))
                outcomes.add(response.status.code)
            }.start()
        }
        group.wait()
        let statuses = outcomes.all
        XCTAssertEqual(statuses.filter { $0 == 200 || $0 == 201 }.count, 1, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == 422 }.count, 19, "\(statuses)")
        let status = t.get("/v1/holds/\(hold)", token: ann.accessToken)["status"]
        XCTAssertEqual(try t.balance(a), status == "captured" ? 1_000 : 5_000)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    /// Thirty-two workers place holds and withdraw from one account at once: the available
    /// balance never goes below zero, and what the holds reserve is always in the balance.
    func testConcurrentHoldsAndWithdrawalsNeverOverdrawTheAvailableBalance() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 20_000)
        let makeWorker = t.workerFactory()
        let outcomes = Collected<Int>()
        let group = DispatchGroup()
        for thread in 0..<32 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return outcomes.add(-1) }
                for step in 0..<8 {
                    let holds = (thread + step) % 2 == 0
                    let body: JSONValue =
                        holds
                        ? ["account_id": .string(a), "amount": .int(Int64(300 + 37 * thread))]
                        : ["account_id": .string(a), "type": "withdrawal", "amount": .int(Int64(200 + 41 * step))]
                    let response = app.handle(
                        Request(
                            method: .post, path: holds ? "/v1/holds" : "/v1/transactions",
                            headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)"], body: body.serialized()))
                    outcomes.add(response.status.code)
                }
            }.start()
        }
        group.wait()
        let statuses = outcomes.all
        XCTAssertTrue(statuses.allSatisfy { $0 == 201 || $0 == 422 }, "\(Set(statuses))")
        XCTAssertGreaterThan(statuses.filter { $0 == 422 }.count, 0, "20,000 cannot cover 256 requests of 200 to 1,447")
        let reply = account(ann, a)
        let balance = try XCTUnwrap(reply["balance"]?.int64Value)
        let available = try XCTUnwrap(reply["available_balance"]?.int64Value)
        XCTAssertGreaterThanOrEqual(available, 0)
        let held = try t.sql.scalarInt("SELECT COALESCE(SUM(amount), 0) FROM holds WHERE account_id = ? AND status = 'pending'", [.text(a)])
        XCTAssertEqual(balance - held, available)
        let withdrawn = try t.sql.scalarInt("SELECT COALESCE(SUM(-amount), 0) FROM postings WHERE account_id = ? AND type = 'withdrawal'", [.text(a)])
        XCTAssertEqual(balance, 20_000 - withdrawn, "money is conserved")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }
}
