import CofferCore
import CofferSQLite
import CofferServices
import XCTest

class MoneyMovementTests: APITestCase {
    override func tearDown() { t = nil }

    private func transfer(_ member: TestApp.Member, _ from: String, _ to: String, _ amount: JSONValue, extra: [(String, JSONValue)] = []) -> TestApp.Reply {
        t.post(
            "/v1/transfers", .object([("from_account_id", .string(from)), ("to_account_id", .string(to)), ("amount", amount)] + extra),
            token: member.accessToken)
    }

    /// A refused request must change nothing: balances and the journal stay as they were.
    private func assertUnchanged(_ accounts: [String], _ body: () -> TestApp.Reply, code: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try accounts.map(t.balance)
        let journal = try t.journalCount()
        let reply = body()
        XCTAssertEqual(reply.code, code, reply.json.serializedString, file: file, line: line)
        XCTAssertEqual(try accounts.map(t.balance), before, file: file, line: line)
        XCTAssertEqual(try t.journalCount(), journal, file: file, line: line)
    }

    func testDepositWithdrawAndTransferMoveExactAmounts() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        let deposit = t.deposit(ann, a, 10_050)
        XCTAssertEqual(deposit.status, 201)
        XCTAssertEqual(deposit["type"], "deposit")
        XCTAssertEqual(deposit["balance_after"], 10_050)
        XCTAssertEqual(deposit["transfer_id"], .null)
        let withdrawal = t.post(
            "/v1/transactions",
            [
                "account_id": .string(a), "type": "withdrawal", "amount": 50, "currency": "USD",
                "description": "cash",
            ], token: ann.accessToken)
        XCTAssertEqual(withdrawal["balance_after"], 10_000)
        XCTAssertEqual(withdrawal["amount"], 50)
        XCTAssertEqual(withdrawal["description"], "cash")

        let sent = transfer(ann, a, b, 2_500, extra: [("description", "rent")])
        XCTAssertEqual(sent.status, 201)
        XCTAssertEqual(sent["status"], "completed")
        XCTAssertEqual(try t.balance(a), 7_500)
        XCTAssertEqual(try t.balance(b), 2_500)
        let transferID = try XCTUnwrap(sent["id"]?.stringValue)
        let legs = t.get("/v1/transactions?account_id=\(a)", token: ann.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(legs.first?["type"], "transfer_out")
        XCTAssertEqual(legs.first?["transfer_id"], .string(transferID))
        XCTAssertEqual(legs.first?["balance_after"], 7_500)
        let incoming = t.get("/v1/transactions?account_id=\(b)", token: bob.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(incoming.map { $0["type"] }, ["transfer_in"])
        XCTAssertEqual(t.get("/v1/transfers/\(transferID)", token: bob.accessToken).status, 200, "visible to the receiver")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testAmountsMustBePositiveIntegersWithinBounds() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        for bad: JSONValue in [.number("10.5"), .number("10.0"), .number("1e3"), "100", 0, -5, .number("1000000000001"), .null, true] {
            try assertUnchanged(
                [a],
                {
                    t.post("/v1/transactions", ["account_id": .string(a), "type": "deposit", "amount": bad], token: ann.accessToken)
                }, code: "validation_failed")
        }
        XCTAssertEqual(t.deposit(ann, a, 1_000_000_000_000).status, 201, "10^12 is allowed")
        let all = t.post("/v1/transactions", ["type": "loan", "amount": .number("1.5"), "extra": 1], token: ann.accessToken)
        let fields = all.json["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        XCTAssertEqual(fields, ["account_id", "type", "amount", "extra"])
    }

    func testBusinessRulesAnswerTheirCodesAndChangeNothing() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let a2 = t.openAccount(ann)
        let euros = t.openAccount(ann, currency: "EUR")
        let b = t.openAccount(bob)
        t.deposit(ann, a, 1_000)

        try assertUnchanged([a, b], { transfer(ann, a, b, 1_200) }, code: "insufficient_funds")
        let short = transfer(ann, a, b, 1_200)
        XCTAssertEqual(short.json["error"]?["details"], ["available": 1_000, "requested": 1_200])
        XCTAssertEqual(short.json["detail"], "Available balance 1000 is less than the requested 1200.")
        try assertUnchanged(
            [a], { t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1_001], token: ann.accessToken) },
            code: "insufficient_funds")
        try assertUnchanged([a, euros], { transfer(ann, a, euros, 10) }, code: "currency_mismatch")
        try assertUnchanged([a], { transfer(ann, a, a, 10) }, code: "same_account")
        try assertUnchanged(
            [a],
            {
                t.post(
                    "/v1/transactions", ["account_id": .string(a), "type": "deposit", "amount": 10, "currency": "EUR"],
                    token: ann.accessToken)
            }, code: "currency_mismatch")
        try assertUnchanged([a, b], { transfer(bob, a, b, 10) }, code: "not_found")
        try assertUnchanged([b], { t.deposit(ann, b, 10) }, code: "not_found")
        try assertUnchanged([a, a2], { transfer(ann, a, "01234567-0000-7000-8000-000000000000", 10) }, code: "not_found")

        // Order: account_not_active comes before insufficient_funds and currency_mismatch.
        _ = t.send(.patch, "/v1/accounts/\(b)", body: ["status": "frozen"], token: admin.accessToken)
        try assertUnchanged([a, b], { transfer(ann, a, b, 5_000) }, code: "account_not_active")
        try assertUnchanged([a, b], { transfer(ann, a, b, 5_000, extra: [("currency", "EUR")]) }, code: "account_not_active")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    /// Sending to someone else's account must not reveal whether it is frozen or its currency.
    func testRefusalsAboutAnotherUsersDestinationRevealNothing() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let bobEuros = t.openAccount(bob, currency: "EUR")
        let bobDollars = t.openAccount(bob)
        t.deposit(ann, a, 1_000)
        // One code for every reason someone else's account cannot receive (SECURITY.md).
        let currency = transfer(ann, a, bobEuros, 10)
        XCTAssertEqual(currency.code, "account_not_active")
        XCTAssertEqual(currency.json["detail"], "The destination account cannot receive this transfer.")
        XCTAssertEqual(currency.json["error"]?["details"], [:])
        _ = t.send(.patch, "/v1/accounts/\(bobDollars)", body: ["status": "frozen"], token: admin.accessToken)
        let frozen = transfer(ann, a, bobDollars, 10)
        XCTAssertEqual(frozen.code, "account_not_active")
        XCTAssertFalse(frozen.json.serializedString.contains("frozen"))
        let ownEuros = t.openAccount(ann, currency: "EUR")
        XCTAssertEqual(transfer(ann, a, ownEuros, 10).json["error"]?["details"]?["to_currency"], "EUR", "your own account is described")
    }

    /// Owners are remembered once an account has been used (`AccountOwnershipCache`), but who asks
    /// is checked on every request, and the account's status is read under its lock each time.
    func testARememberedAccountIsStillSomeoneElsesAndItsStatusStillCounts() throws {
        let ann = t.member()
        let bob = t.member()
        let admin = try t.member(role: .admin)
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 1_000)
        XCTAssertEqual(transfer(ann, a, b, 10).status, 201)
        XCTAssertEqual(transfer(bob, b, a, 5).status, 201, "both accounts are known to the process now")
        try assertUnchanged([a, b], { transfer(bob, a, b, 10) }, code: "not_found")
        try assertUnchanged([a, b], { t.deposit(bob, a, 10) }, code: "not_found")
        try assertUnchanged(
            [a, b], { t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 1], token: bob.accessToken) },
            code: "not_found")
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["status": "frozen"], token: admin.accessToken).status, 200)
        try assertUnchanged([a, b], { transfer(ann, a, b, 10) }, code: "account_not_active")
        XCTAssertEqual(t.send(.patch, "/v1/accounts/\(a)", body: ["status": "active"], token: admin.accessToken).status, 200)
        XCTAssertEqual(transfer(ann, a, b, 10).status, 201)
        XCTAssertEqual(try t.balance(a), 985)
    }

    func testAdminsMayMoveMoneyOnAnyAccountAndSupportMayNot() throws {
        let ann = t.member()
        let admin = try t.member(role: .admin)
        let support = try t.member(role: .support)
        let a = t.openAccount(ann)
        XCTAssertEqual(t.deposit(admin, a, 300).status, 201)
        XCTAssertEqual(t.deposit(support, a, 300).code, "forbidden")
        XCTAssertEqual(try t.balance(a), 300)
    }

    /// A worker whose clock is behind (another node's, or one stepped back) never dates a posting
    /// before the account's latest one: along each account's journal, time only moves forward.
    func testAPostingIsNeverDatedBeforeTheAccountsLatestOne() throws {
        var ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let first = t.deposit(ann, a, 1_000)
        XCTAssertEqual(first.status, 201)
        t.clock.advance(seconds: -120)
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        let late = t.deposit(ann, a, 500)
        XCTAssertEqual(late.status, 201, late.json.serializedString)
        let moved = transfer(ann, a, b, 200)
        XCTAssertEqual(moved.status, 201, moved.json.serializedString)
        let firstTime = try XCTUnwrap(first["created_at"]?.stringValue)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(late["created_at"]?.stringValue), firstTime)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(moved["created_at"]?.stringValue), firstTime)
        XCTAssertEqual(try t.journalGoingBackInTime(), 0)
        XCTAssertEqual(t.get("/v1/statements/\(a)", token: ann.accessToken)["closing_balance"], .int(1_300))
    }

    func testDailyOutflowLimitCountsWithdrawalsAndTransfersOverTheUTCDay() throws {
        t = try makeApp(
            money: {
                var m = MoneySettings()
                m.plans.standard.dailyOutflow = 10_000
                return m
            }())
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 50_000)
        XCTAssertEqual(t.post("/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": 6_000], token: ann.accessToken).status, 201)
        XCTAssertEqual(transfer(ann, a, b, 4_000).status, 201)
        try assertUnchanged([a, b], { transfer(ann, a, b, 1) }, code: "limit_exceeded")
        let limited = transfer(ann, a, b, 1)
        XCTAssertEqual(limited.json["error"]?["details"]?["remaining"], 0)
        XCTAssertEqual(t.deposit(ann, a, 1).status, 201, "deposits are not limited")
        t.clock.advance(seconds: 86_400)
        var later = ann
        later.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        XCTAssertEqual(transfer(later, a, b, 10_000).status, 201, "a new UTC day starts afresh")
    }

    func testTransactionListsFilterAndPageNewestFirst() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        for amount in [100, 200, 300, 400, 500] as [Int64] { t.deposit(ann, a, amount) }
        _ = transfer(ann, a, b, 50)
        let all = t.get("/v1/transactions", token: ann.accessToken)
        XCTAssertEqual(all["pagination"]?["total"], 7, "both legs of the transfer are the caller's")
        let deposits = t.get("/v1/transactions?account_id=\(a)&type=deposit&limit=2", token: ann.accessToken)
        XCTAssertEqual(deposits["data"]?.arrayValue?.map { $0["amount"] }, [500, 400])
        let cursor = try XCTUnwrap(deposits["pagination"]?["next_cursor"]?.stringValue)
        t.deposit(ann, a, 999)
        let next = t.get("/v1/transactions?account_id=\(a)&type=deposit&limit=2&cursor=\(cursor)", token: ann.accessToken)
        XCTAssertEqual(next["data"]?.arrayValue?.map { $0["amount"] }, [300, 200], "a new deposit does not shift the next page")
        let today = t.clock.clock.now().date.iso8601
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(a)&from=\(today)&to=\(today)", token: ann.accessToken)["pagination"]?["total"], 7)
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(a)&to=2000-01-01", token: ann.accessToken)["pagination"]?["total"], 0)
        // Without a type or period the totals come from the accounts' cached posting counts.
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(a)", token: ann.accessToken)["pagination"]?["total"], 7)
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(b)", token: ann.accessToken)["pagination"]?["total"], 1)
        XCTAssertEqual(t.get("/v1/transactions", token: ann.accessToken)["pagination"]?["total"], 8)
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
        for bad in ["from=2026-02-30", "from=2026-05-02&to=2026-05-01", "type=bonus", "cursor=abc", "limit=500"] {
            XCTAssertEqual(t.get("/v1/transactions?\(bad)", token: ann.accessToken).code, "invalid_parameter", bad)
        }
        XCTAssertEqual(t.get("/v1/transactions?account_id=\(a)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/transactions", token: bob.accessToken)["pagination"]?["total"], 0)
        let id = try XCTUnwrap(all["data"]?.arrayValue?.first?["id"]?.stringValue)
        XCTAssertEqual(t.get("/v1/transactions/\(id)", token: ann.accessToken).status, 200)
        XCTAssertEqual(t.get("/v1/transactions/\(id)", token: bob.accessToken).code, "not_found")
    }

    func testTransferListsShowBothSides() throws {
        let ann = t.member()
        let bob = t.member()
        let carl = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 1_000)
        for _ in 0..<3 { _ = transfer(ann, a, b, 10) }
        XCTAssertEqual(t.get("/v1/transfers", token: ann.accessToken)["pagination"]?["total"], 3)
        XCTAssertEqual(t.get("/v1/transfers", token: bob.accessToken)["pagination"]?["total"], 3)
        XCTAssertEqual(t.get("/v1/transfers?account_id=\(b)", token: bob.accessToken)["pagination"]?["total"], 3)
        XCTAssertEqual(t.get("/v1/transfers", token: carl.accessToken)["pagination"]?["total"], 0)
        XCTAssertEqual(t.get("/v1/transfers?account_id=\(a)", token: carl.accessToken).code, "not_found")
        let paged = t.get("/v1/transfers?limit=2", token: ann.accessToken)
        let cursor = try XCTUnwrap(paged["pagination"]?["next_cursor"]?.stringValue)
        XCTAssertEqual(t.get("/v1/transfers?limit=2&cursor=\(cursor)", token: ann.accessToken)["data"]?.arrayValue?.count, 1)
    }

    /// Pages of two through a holder's list, one account's list, an offset and a metadata filter:
    /// every transfer once, newest first, whichever side of which account it is on, and those
    /// between the holder's own two accounts once, not twice.
    func testTransferPagesTakeEachSideOfEachAccountInOrder() throws {
        let ann = t.member()
        let bob = t.member()
        let a1 = t.openAccount(ann)
        let a2 = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a1, 1_000)
        t.deposit(bob, b, 1_000)
        var made: [(id: String, accounts: Set<String>, tagged: Bool)] = []
        let moves: [(TestApp.Member, String, String)] = [
            (ann, a1, b), (bob, b, a2), (ann, a1, a2), (ann, a2, b), (bob, b, a1), (ann, a2, a1), (ann, a1, b), (bob, b, a2),
        ]
        for (index, (who, from, to)) in moves.enumerated() {
            let tagged = index % 3 == 0
            var body: [(String, JSONValue)] = [("from_account_id", .string(from)), ("to_account_id", .string(to)), ("amount", 5)]
            if tagged { body.append(("metadata", ["batch": "x"])) }
            let reply = t.post("/v1/transfers", .object(body), token: who.accessToken)
            XCTAssertEqual(reply.status, 201, reply.json.serializedString)
            made.append((try XCTUnwrap(reply["id"]?.stringValue), [from, to], tagged))
        }
        func walk(_ query: String) throws -> [String] {
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = t.get("/v1/transfers?limit=2\(query)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: ann.accessToken)
                seen += try XCTUnwrap(page["data"]?.arrayValue, page.json.serializedString).compactMap { $0["id"]?.stringValue }
                cursor = page["pagination"]?["next_cursor"]?.stringValue
            } while cursor != nil && seen.count <= 20
            return seen
        }
        let newestFirst = made.reversed()
        XCTAssertEqual(try walk(""), newestFirst.map(\.id))
        XCTAssertEqual(try walk("&account_id=\(a2)"), newestFirst.filter { $0.accounts.contains(a2) }.map(\.id))
        XCTAssertEqual(try walk("&metadata[batch]=x"), newestFirst.filter(\.tagged).map(\.id))
        let offset = t.get("/v1/transfers?limit=3&offset=2", token: ann.accessToken)["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(offset, Array(newestFirst.map(\.id)[2..<5]))
        XCTAssertEqual(t.get("/v1/transfers", token: ann.accessToken)["pagination"]?["total"], .int(Int64(made.count)))
    }

    func testJournalIsAppendOnly() throws {
        let ann = t.member()
        t.deposit(ann, t.openAccount(ann), 10)
        XCTAssertThrowsError(try t.sql.run("UPDATE postings SET amount = 1"))
        XCTAssertThrowsError(try t.sql.run("DELETE FROM postings"))
        XCTAssertThrowsError(try t.sql.run("UPDATE accounts SET balance = -1 WHERE kind = 'customer'"), "CHECK (balance >= 0)")
    }
}
