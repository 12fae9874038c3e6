import CofferCore
import CofferSQLite
import XCTest

class CardAndStatementTests: APITestCase {
    override func tearDown() { t = nil }

    func testCardsAreIssuedWithoutCardNumbersAndLimitedToFive() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let card = t.post("/v1/cards", ["account_id": .string(a), "type": "debit"], token: ann.accessToken)
        XCTAssertEqual(card.status, 201)
        let last4 = try XCTUnwrap(card["last4"]?.stringValue)
        XCTAssertNotNil(last4.range(of: "^[0-9]{4}$", options: .regularExpression))
        XCTAssertEqual(card["exp_year"], .int(t.clock.clock.now().date.year + 3))
        XCTAssertEqual(card["status"], "active")
        guard case let .object(members) = card.json else { return XCTFail() }
        XCTAssertEqual(Set(members.map(\.0)), ["id", "account_id", "type", "last4", "exp_month", "exp_year", "status", "created_at"])
        let columns = try t.sql.columns(of: "cards")
        XCTAssertFalse(columns.contains { $0.contains("number") || $0 == "pan" })

        for _ in 0..<4 { XCTAssertEqual(t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken).status, 201) }
        let sixth = t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken)
        XCTAssertEqual(sixth.code, "limit_exceeded")
        let id = try XCTUnwrap(card["id"]?.stringValue)
        XCTAssertEqual(t.send(.patch, "/v1/cards/\(id)", body: ["status": "cancelled"], token: ann.accessToken)["status"], "cancelled")
        XCTAssertEqual(
            t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken).status, 201,
            "a cancelled card frees a place")
        XCTAssertEqual(t.post("/v1/cards", ["account_id": .string(a), "type": "debit"], token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.post("/v1/cards", ["account_id": .string(a), "type": "gold"], token: ann.accessToken).code, "validation_failed")
        XCTAssertEqual(t.get("/v1/cards?account_id=\(a)", token: ann.accessToken)["pagination"]?["total"], 6)
        XCTAssertEqual(t.get("/v1/cards", token: bob.accessToken)["pagination"]?["total"], 0)
    }

    func testCardStatusTransitions() throws {
        let ann = t.member()
        let bob = t.member()
        let support = try t.member(role: .support)
        let a = t.openAccount(ann)
        let id = try XCTUnwrap(t.post("/v1/cards", ["account_id": .string(a), "type": "debit"], token: ann.accessToken)["id"]?.stringValue)
        let path = "/v1/cards/\(id)"
        XCTAssertEqual(t.send(.patch, path, body: ["status": "frozen"], token: ann.accessToken)["status"], "frozen")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "active"], token: ann.accessToken)["status"], "active")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "frozen"], token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "frozen"], token: support.accessToken).code, "forbidden")
        XCTAssertEqual(t.get(path, token: support.accessToken).status, 200)
        XCTAssertEqual(t.send(.patch, path, body: ["status": "cancelled"], token: ann.accessToken)["status"], "cancelled")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "active"], token: ann.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.send(.patch, path, body: ["status": "lost"], token: ann.accessToken).code, "validation_failed")
        XCTAssertEqual(try t.auditEvents(action: .cardStatusChange).count, 3)
    }

    private func backdate(_ accountID: String, days: Int64) throws {
        // Test-only: move this account's existing journal lines into the past, as history would be.
        try t.sql.withJournalEditable {
            try t.sql.run("UPDATE postings SET created_at = created_at - ? WHERE account_id = ?", [.integer(days * 86_400_000), .text(accountID)])
        }
    }

    func testStatementTotalsCoverThePeriodAndBalance() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 10_000)
        _ = t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1_000], token: ann.accessToken)
        try backdate(a, days: 10)
        t.deposit(ann, a, 2_500)
        _ = t.post(
            "/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 1_050, "description": "dinner, \"split\""],
            token: ann.accessToken)
        let today = t.clock.clock.now().date
        let weekAgo = CivilDate(daysSinceEpoch: today.daysSinceEpoch - 7)

        let period = t.get("/v1/statements/\(a)?from=\(weekAgo.iso8601)&to=\(today.iso8601)", token: ann.accessToken)
        XCTAssertEqual(period.status, 200)
        XCTAssertEqual(period["opening_balance"], 9_000)
        XCTAssertEqual(period["total_credits"], 2_500)
        XCTAssertEqual(period["total_debits"], 1_050)
        XCTAssertEqual(period["closing_balance"], 10_450)
        XCTAssertEqual(period["transaction_count"], 2)
        XCTAssertEqual(period["from"], .string(weekAgo.iso8601))
        XCTAssertEqual(period["currency"], "USD")
        XCTAssertEqual(period["transactions"]?.arrayValue?.map { $0["type"] }, ["deposit", "transfer_out"], "oldest first")

        let whole = t.get("/v1/statements/\(a)", token: ann.accessToken)
        XCTAssertEqual(whole["opening_balance"], 0)
        XCTAssertEqual(whole["closing_balance"], 10_450)
        XCTAssertEqual(whole["transaction_count"], 4)
        XCTAssertEqual(whole["closing_balance"], .int(try t.balance(a)))

        let paged = t.get("/v1/statements/\(a)?limit=3", token: ann.accessToken)
        XCTAssertEqual(paged["transactions"]?.arrayValue?.count, 3)
        XCTAssertEqual(paged["transaction_count"], 4, "totals cover the whole period")
        let cursor = try XCTUnwrap(paged["pagination"]?["next_cursor"]?.stringValue)
        let rest = t.get("/v1/statements/\(a)?limit=3&cursor=\(cursor)", token: ann.accessToken)
        XCTAssertEqual(rest["transactions"]?.arrayValue?.map { $0["type"] }, ["transfer_out"])

        for bad in ["from=2026-13-01", "from=\(today.iso8601)&to=\(weekAgo.iso8601)", "format=xml", "limit=1001"] {
            XCTAssertEqual(t.get("/v1/statements/\(a)?\(bad)", token: ann.accessToken).code, "invalid_parameter", bad)
        }
        XCTAssertEqual(t.get("/v1/statements/\(a)", token: bob.accessToken).code, "not_found")

        // The defaults count: a `from` after today is after `to`; a `to` before the account's
        // first day is a period with nothing in it, never one that ends before it starts.
        let tomorrow = CivilDate(daysSinceEpoch: today.daysSinceEpoch + 1)
        XCTAssertEqual(t.get("/v1/statements/\(a)?from=\(tomorrow.iso8601)", token: ann.accessToken).code, "invalid_parameter")
        let before = t.get("/v1/statements/\(a)?to=2000-01-01", token: ann.accessToken)
        XCTAssertEqual(before.status, 200)
        XCTAssertEqual(before["from"], "2000-01-01")
        XCTAssertEqual(before["to"], "2000-01-01")
        XCTAssertEqual(before["opening_balance"], 0)
        XCTAssertEqual(before["transaction_count"], 0)
    }

    /// Pages follow an account's journal in its time order, the sequence breaking ties: with the
    /// clock stopped every posting shares one millisecond, and pages of two still give each line
    /// once, in order, both oldest first (statements) and newest first (transactions).
    func testPagesOfOneMillisecondKeepTheJournalsOrder() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.clock.stop()
        let amounts: [Int64] = [101, 102, 103, 104, 105, 106, 107]
        for amount in amounts { t.deposit(ann, a, amount) }
        func walk(_ path: String, _ key: String) throws -> [JSONValue] {
            var seen: [JSONValue] = []
            var cursor: String?
            repeat {
                let page = t.get(path + (cursor.map { "&cursor=\($0)" } ?? ""), token: ann.accessToken)
                let items = try XCTUnwrap(page[key]?.arrayValue, page.json.serializedString)
                XCTAssertLessThanOrEqual(items.count, 2)
                seen += items.compactMap { $0["amount"] }
                cursor = page["pagination"]?["next_cursor"]?.stringValue
            } while cursor != nil && seen.count <= 20
            return seen
        }
        XCTAssertEqual(try walk("/v1/statements/\(a)?limit=2", "transactions"), amounts.map { .int($0) })
        XCTAssertEqual(try walk("/v1/transactions?account_id=\(a)&limit=2", "data"), amounts.reversed().map { .int($0) })

        // A holder's list across two accounts, also in pages of two: every line once, newest first,
        // the sequence breaking the tie of the one millisecond.
        let b = t.openAccount(ann)
        let more: [Int64] = [201, 202, 203]
        for (index, amount) in more.enumerated() { t.deposit(ann, index % 2 == 0 ? b : a, amount) }
        XCTAssertEqual(try walk("/v1/transactions?limit=2", "data"), (amounts + more).reversed().map { .int($0) })
    }

    func testStatementCSVHasEveryLineWithSignedMajorUnits() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 10_000)
        _ = t.post(
            "/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 1_050, "description": "dinner, \"split\""],
            token: ann.accessToken)
        _ = t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 5, "description": "=cmd()"], token: ann.accessToken)
        let csv = t.get("/v1/statements/\(a)?format=csv&limit=1", token: ann.accessToken)
        XCTAssertEqual(csv.status, 200)
        XCTAssertEqual(csv.response.headerFields[.contentType], "text/csv; charset=utf-8")
        let lines = String(decoding: csv.response.body, as: UTF8.self).split(separator: "\r\n").map(String.init)
        XCTAssertEqual(lines.first, "date,transaction_id,type,description,amount,currency,balance_after")
        XCTAssertEqual(lines.count, 4, "every line of the period, whatever the page size")
        XCTAssertTrue(lines[1].hasSuffix(",deposit,,100.00,USD,100.00"), lines[1])
        XCTAssertTrue(lines[2].hasSuffix(",transfer_out,\"dinner, \"\"split\"\"\",-10.50,USD,89.50"), lines[2])
        XCTAssertTrue(lines[3].hasSuffix(",withdrawal,'=cmd(),-0.05,USD,89.45"), lines[3])
        let viaAccept = t.send(.get, "/v1/statements/\(a)", token: ann.accessToken, headers: ["Accept": "text/csv"])
        XCTAssertEqual(viaAccept.response.headerFields[.contentType], "text/csv; charset=utf-8")
    }

    /// The owner cancels a card while freezing it from another worker, a dozen times: a card
    /// whose cancel answered 200 ends cancelled. On PostgreSQL the freeze, having read the card
    /// before the cancel committed, wrote `frozen` over it, and the card could be reactivated.
    func testACancelAndAFreezeAtOnceLeaveACancelledCardCancelled() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        for _ in 0..<12 {
            let card = try XCTUnwrap(t.post("/v1/cards", ["account_id": .string(a), "type": "virtual"], token: ann.accessToken)["id"]?.stringValue)
            let statuses = t.sendAtOnce(
                [
                    (.patch, "/v1/cards/\(card)", #"{"status":"cancelled"}"#, ann.accessToken),
                    (.patch, "/v1/cards/\(card)", #"{"status":"frozen"}"#, ann.accessToken),
                ])
            let final = t.get("/v1/cards/\(card)", token: ann.accessToken)["status"]
            if statuses[0] == 200 { XCTAssertEqual(final, "cancelled", "\(statuses)") }
            XCTAssertTrue(statuses.allSatisfy { $0 == 200 || $0 == 422 }, "\(statuses)")
        }
    }
}
