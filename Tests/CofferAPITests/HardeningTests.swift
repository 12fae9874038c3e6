import CofferCore
import CofferCrypto
import CofferHTTP
import CofferSQLite
import CofferServices
import Foundation
import XCTest

@testable import CofferAPI

/// Regression tests for the hardening review: arithmetic that must not trap, requests that are
/// the same whatever their bytes, text that must not look like other text, lockout that tells
/// nothing, cursors that reveal nothing.
class HardeningTests: APITestCase {
    override func setUpWithError() throws {
        var money = MoneySettings()
        money.maxBalance = 1_000_000
        t = try makeApp(money: money)
    }

    // MARK: Arithmetic limits

    func testACreditAboveTheMaximumBalanceIsRefusedAndChangesNothing() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        XCTAssertEqual(t.deposit(ann, a, 900_000).status, 201)
        let over = t.deposit(ann, a, 100_001)
        XCTAssertEqual(over.status, 422)
        XCTAssertEqual(over.code, "balance_limit_exceeded")
        XCTAssertEqual(over.json["error"]?["details"]?["max_balance"], 1_000_000)
        XCTAssertEqual(t.deposit(ann, a, 100_000).status, 201, "exactly the maximum is allowed")

        XCTAssertEqual(t.deposit(ann, b, 10).status, 201)
        let journal = try t.journalCount()
        let transfer = t.post(
            "/v1/transfers", ["from_account_id": .string(b), "to_account_id": .string(a), "amount": 5],
            token: ann.accessToken)
        XCTAssertEqual(transfer.code, "balance_limit_exceeded")
        XCTAssertEqual(try t.balance(a), 1_000_000)
        XCTAssertEqual(try t.balance(b), 10)
        XCTAssertEqual(try t.journalCount(), journal)
    }

    /// Another user's destination near the maximum must not say so: one refusal for every reason.
    func testAFullDestinationOfAnotherUserLooksLikeAnyRefusal() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let full = t.openAccount(bob)
        t.deposit(ann, a, 100)
        t.deposit(bob, full, 1_000_000)
        let refused = t.post(
            "/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(full), "amount": 5],
            token: ann.accessToken)
        XCTAssertEqual(refused.code, "account_not_active")
        XCTAssertEqual(refused.json["error"]?["details"], [:])
    }

    /// Seeded: an opening balance and a period's credits that each fit in 64 bits but whose sum
    /// does not. Before the fix this trapped and took every worker down.
    func testAStatementWhoseTotalsLeave64BitsIsAClearErrorNotACrash() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let huge: Int64 = 6_000_000_000_000_000_000
        let longAgo = Timestamp(millisecondsSinceEpoch: 1_000_000_000_000)
        for at in [longAgo, Timestamp.now()] {
            try t.sql.run(
                """
                INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, created_at)
                VALUES (?, ?, ?, 'deposit', ?, 'USD', ?, ?)
                """,
                [
                    .text(Identifier.make()), .text(Identifier.make()), .text(a), .integer(huge), .integer(huge),
                    .integer(at.millisecondsSinceEpoch),
                ])
        }
        let today = Timestamp.now().date.iso8601
        let statement = t.get("/v1/statements/\(a)?from=\(today)", token: ann.accessToken)
        XCTAssertEqual(statement.status, 400)
        XCTAssertEqual(statement.code, "invalid_parameter")
        XCTAssertEqual(t.get("/v1/statements/\(a)", token: ann.accessToken).code, "invalid_parameter", "the whole history's credits")
        let early = t.get("/v1/statements/\(a)?to=\(longAgo.date.iso8601)", token: ann.accessToken)
        XCTAssertEqual(early.status, 200, early.json.serializedString)
        XCTAssertEqual(early["total_credits"], .int(huge))
        XCTAssertEqual(early["closing_balance"], .int(huge))
        XCTAssertEqual(t.get("/v1/health").status, 200, "the service still answers")
    }

    func testBankWideBalancesAreExactBeyond64Bits() throws {
        let admin = try t.member(role: .admin)
        let ann = t.member()
        let accounts = [t.openAccount(ann), t.openAccount(ann)]
        for account in accounts {
            try t.sql.run("UPDATE accounts SET balance = ? WHERE id = ?", [.integer(6_000_000_000_000_000_000), .text(account)])
        }
        let stats = t.get("/v1/admin/stats", token: admin.accessToken)
        XCTAssertEqual(stats.status, 200)
        XCTAssertEqual(stats["balances"]?.arrayValue?.first?["total"], .number("12000000000000000000"))
    }

    func testADepositTheBankCashAccountCannotAbsorbIsRefused() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        XCTAssertEqual(t.deposit(ann, a, 10).status, 201)
        try t.sql.run("UPDATE accounts SET balance = ? WHERE kind = 'bank_cash' AND currency = 'USD'", [.integer(Int64.min + 5)])
        let journal = try t.journalCount()
        let refused = t.deposit(ann, a, 10)
        XCTAssertEqual(refused.code, "balance_limit_exceeded")
        XCTAssertEqual(try t.balance(a), 10)
        XCTAssertEqual(try t.journalCount(), journal)
    }

    // MARK: Idempotency

    func testARetryWithReorderedMembersAndOtherWhitespaceIsReplayed() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let first = t.send(
            .post, "/v1/transactions", rawBody: Array(#"{"account_id":"\#(a)","type":"deposit","amount":100}"#.utf8),
            token: ann.accessToken, headers: ["Idempotency-Key": "reorder-1"])
        XCTAssertEqual(first.status, 201)
        let again = t.send(
            .post, "/v1/transactions", rawBody: Array("{ \"type\" : \"deposit\",\n \"amount\": 100, \"account_id\": \"\(a)\" }".utf8),
            token: ann.accessToken, headers: ["Idempotency-Key": "reorder-1"])
        XCTAssertEqual(again.status, 201, again.json.serializedString)
        XCTAssertEqual(again.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(try t.balance(a), 100)
        let other = t.send(
            .post, "/v1/transactions", rawBody: Array(#"{"type":"deposit","amount":101,"account_id":"\#(a)"}"#.utf8),
            token: ann.accessToken, headers: ["Idempotency-Key": "reorder-1"])
        XCTAssertEqual(other.code, "idempotency_key_mismatch")
    }

    func testAReplayedProblemCarriesTheReplaysRequestID() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let body: JSONValue = ["account_id": .string(a), "type": "withdrawal", "amount": 50]
        let first = t.send(
            .post, "/v1/transactions", body: body, token: ann.accessToken,
            headers: ["Idempotency-Key": "broke-1", "X-Request-Id": "first-try"])
        XCTAssertEqual(first.code, "insufficient_funds")
        XCTAssertEqual(first["request_id"], "first-try")
        let replay = t.send(
            .post, "/v1/transactions", body: body, token: ann.accessToken,
            headers: ["Idempotency-Key": "broke-1", "X-Request-Id": "second-try"])
        XCTAssertEqual(replay.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(replay.code, "insufficient_funds")
        XCTAssertEqual(replay["request_id"], "second-try")
        XCTAssertEqual(replay.response.headerFields[.requestID], "second-try")
    }

    // MARK: Tokens

    func testTokenTimesAreIntegerSecondsAndAPasswordChangeEndsEverySession() throws {
        let ann = t.member()
        let payload = try XCTUnwrap(ann.accessToken.split(separator: ".").dropFirst().first)
        let claims = try JSONParser.parse(Base64URL.decode(String(payload)) ?? [])
        guard case let .number(iat)? = claims["iat"], case let .number(exp)? = claims["exp"] else { return XCTFail("no iat/exp") }
        XCTAssertFalse(iat.contains("."))
        XCTAssertEqual(Int64(exp)! - Int64(iat)!, t.auth.accessTokenSeconds)

        let other = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        let change = t.post(
            "/v1/auth/password", ["current_password": .string(ann.password), "new_password": "a brand new passphrase"],
            token: ann.accessToken)
        XCTAssertEqual(change.status, 204)
        // Both tokens were issued in this same second as the change: sessions, not clocks, end them.
        XCTAssertEqual(t.get("/v1/auth/me", token: ann.accessToken).code, "token_revoked")
        XCTAssertEqual(t.get("/v1/auth/me", token: other).code, "token_revoked")
        let fresh = t.post("/v1/auth/login", ["email": .string(ann.email), "password": "a brand new passphrase"])
        XCTAssertEqual(t.get("/v1/auth/me", token: fresh["access_token"]!.stringValue!).status, 200)
    }

    // MARK: Lockout

    /// Known and unknown emails answer the same, attempt after attempt: 401 five times, then 423.
    func testLockoutTreatsUnknownEmailsExactlyLikeKnownOnes() throws {
        let ann = t.member()
        for email in [ann.email, "nobody-\(UUID().uuidString.prefix(6))@example.com"] {
            var answers: [String] = []
            for _ in 0..<7 {
                let reply = t.post("/v1/auth/login", ["email": .string(email), "password": "not the password"])
                answers.append("\(reply.status) \(reply.code ?? "")")
                if reply.status == 423 { XCTAssertNotNil(reply.response.headerFields[.retryAfter]) }
            }
            XCTAssertEqual(answers, Array(repeating: "401 invalid_credentials", count: 5) + Array(repeating: "423 account_locked", count: 2), email)
        }
        // Case and Unicode form do not make another email.
        let upper = t.post("/v1/auth/login", ["email": .string(ann.email.uppercased()), "password": .string(ann.password)])
        XCTAssertEqual(upper.code, "account_locked")
    }

    // MARK: Text

    func testInvisibleAndBidiCharactersAreRefusedAndDecomposedEmailsAreTheSame() throws {
        let invisible = ["zw\u{200B}space@example.com", "joiner\u{200D}@example.com", "bom\u{FEFF}@example.com"]
        for email in invisible {
            let reply = t.post(
                "/v1/auth/signup",
                [
                    "email": .string(email), "password": "a long passphrase", "first_name": "A",
                    "last_name": "B", "dob": "1990-01-01",
                ])
            XCTAssertEqual(reply.code, "validation_failed", email.debugDescription)
        }
        let bidi = t.post(
            "/v1/auth/signup",
            [
                "email": "bidi@example.com", "password": "a long passphrase",
                "first_name": "Ann\u{202E}cod.exe", "last_name": "B", "dob": "1990-01-01",
            ])
        XCTAssertEqual(bidi.json["error"]?["details"]?["fields"]?.arrayValue?.first?["field"], "first_name")

        let composed = t.post(
            "/v1/auth/signup",
            [
                "email": "ren\u{E9}@example.com", "password": "a long passphrase", "first_name": "R",
                "last_name": "N", "dob": "1990-01-01",
            ])
        XCTAssertEqual(composed.status, 201)
        let decomposed = t.post(
            "/v1/auth/signup",
            [
                "email": "RENE\u{301}@example.com", "password": "a long passphrase", "first_name": "R",
                "last_name": "N", "dob": "1990-01-01",
            ])
        XCTAssertEqual(decomposed.code, "email_already_exists")
        XCTAssertEqual(t.post("/v1/auth/login", ["email": "rene\u{301}@example.com", "password": "a long passphrase"]).status, 200)

        let ann = t.member()
        let a = t.openAccount(ann)
        let hidden = t.post(
            "/v1/transactions", ["account_id": .string(a), "type": "deposit", "amount": 5, "description": "rent\u{2066}x"],
            token: ann.accessToken)
        XCTAssertEqual(hidden.code, "validation_failed")
    }

    func testCSVDefusesAFormulaBehindAJoiner() throws {
        XCTAssertEqual(CSVField.escaped("=\u{200D}HYPERLINK(1)"), "'=\u{200D}HYPERLINK(1)")
        XCTAssertEqual(CSVField.escaped("\u{200D}=1+1"), "'\u{200D}=1+1")
        XCTAssertEqual(CSVField.escaped("\u{301}@SUM(A1)"), "'\u{301}@SUM(A1)")
        XCTAssertEqual(CSVField.escaped("rent"), "rent")
    }

    // MARK: Cursors and audit

    func testCursorsCarryNoBankWideCounterAndBelongToTheirList() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        t.deposit(ann, a, 1)
        for _ in 0..<5 { t.deposit(bob, b, 1) }
        t.deposit(ann, a, 1)
        let page = t.get("/v1/transactions?limit=1", token: ann.accessToken)
        let cursor = try XCTUnwrap(page["pagination"]?["next_cursor"]?.stringValue)
        let decoded = String(decoding: Base64URL.decode(cursor) ?? [], as: UTF8.self)
        let sequence = try t.sql.scalarInt("SELECT max(seq) FROM postings WHERE account_id = ?", [.text(a)])
        let parts = decoded.split(separator: ":").map(String.init)
        XCTAssertFalse(parts.contains(String(sequence)), decoded)
        XCTAssertTrue(decoded.contains(page["data"]!.arrayValue![0]["id"]!.stringValue!), "the cursor names an item of the list itself")

        let next = t.get("/v1/transactions?limit=1&cursor=\(cursor)", token: ann.accessToken)
        XCTAssertEqual(next["data"]?.arrayValue?.count, 1)
        XCTAssertEqual(next["pagination"]?["next_cursor"], .null)
        XCTAssertEqual(t.get("/v1/transfers?cursor=\(cursor)", token: ann.accessToken).code, "invalid_parameter")
        let legacy = Base64URL.encode("k1:\(sequence)")
        XCTAssertEqual(t.get("/v1/transactions?cursor=\(legacy)", token: ann.accessToken).code, "invalid_parameter")
    }

    func testAuditRowsKeepTheServersOwnRequestID() throws {
        let admin = try t.member(role: .admin)
        for _ in 0..<2 {
            t.send(.post, "/v1/auth/login", body: ["email": "nobody@example.com", "password": "wrong password"], headers: ["X-Request-Id": "same-id"])
        }
        let events = t.get("/v1/admin/audit-events?action=auth.login&outcome=failure", token: admin.accessToken)["data"]?.arrayValue ?? []
        let chosen = events.filter { $0["request_id"] == "same-id" }
        XCTAssertEqual(chosen.count, 2)
        let serverIDs = Set(chosen.compactMap { $0["server_request_id"]?.stringValue })
        XCTAssertEqual(serverIDs.count, 2, "two requests, two server ids")
        XCTAssertFalse(serverIDs.contains("same-id"))
    }
}
