import CofferCore
import CofferHTTP
import CofferSQLite
import CofferTestSupport
import Foundation
import HTTPTypes
import Logging
import XCTest

@testable import CofferAPI
@testable import CofferServices

class IdempotencyTests: APITestCase {
    override func tearDown() { t = nil }

    private func transfer(_ member: TestApp.Member, _ from: String, _ to: String, _ amount: Int64, key: String) -> TestApp.Reply {
        t.send(
            .post, "/v1/transfers", body: ["from_account_id": .string(from), "to_account_id": .string(to), "amount": .int(amount)],
            token: member.accessToken, headers: ["Idempotency-Key": key])
    }

    func testARepeatReplaysTheFirstAnswerAndMovesMoneyOnce() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let first = transfer(ann, a, b, 300, key: "pay-rent-2026-11")
        XCTAssertEqual(first.status, 201)
        XCTAssertNil(first.response.headerFields[.idempotentReplayed])
        let second = transfer(ann, a, b, 300, key: "pay-rent-2026-11")
        XCTAssertEqual(second.status, 201)
        XCTAssertEqual(second.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(second.response.body, first.response.body)
        XCTAssertEqual(second.response.headerFields[.location], first.response.headerFields[.location])
        XCTAssertEqual(try t.balance(a), 700)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), 1)
    }

    func testTheSameKeyWithAnotherRequestIsAMismatch() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        XCTAssertEqual(transfer(ann, a, b, 300, key: "k1").status, 201)
        let other = transfer(ann, a, b, 301, key: "k1")
        XCTAssertEqual(other.status, 422)
        XCTAssertEqual(other.code, "idempotency_key_mismatch")
        XCTAssertEqual(try t.balance(a), 700)
    }

    func testKeysAreScopedToTheUser() throws {
        let ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(bob)
        XCTAssertEqual(
            t.send(
                .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5], token: ann.accessToken,
                headers: ["Idempotency-Key": "same"]
            ).status, 201)
        let bobs = t.send(
            .post, "/v1/transactions", body: ["account_id": .string(b), "type": "deposit", "amount": 5], token: bob.accessToken,
            headers: ["Idempotency-Key": "same"])
        XCTAssertEqual(bobs.status, 201)
        XCTAssertNil(bobs.response.headerFields[.idempotentReplayed])
    }

    func testBusinessRefusalsAreKeptButOtherErrorsAreNot() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let refused = transfer(ann, a, b, 300, key: "early")
        XCTAssertEqual(refused.code, "insufficient_funds")
        t.deposit(ann, a, 1_000)
        let replayed = transfer(ann, a, b, 300, key: "early")
        XCTAssertEqual(replayed.code, "insufficient_funds", "a 422 is kept and replayed")
        XCTAssertEqual(replayed.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(try t.balance(a), 1_000)

        let missing = transfer(ann, a, "01234567-0000-7000-8000-000000000000", 300, key: "retry-me")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(transfer(ann, a, b, 300, key: "retry-me").status, 201, "a 404 is not kept, so a retry can succeed")
    }

    func testMalformedKeysAreInvalidParameters() {
        let ann = t.member()
        let a = t.openAccount(ann)
        for key in [String(repeating: "k", count: 256), "tab\there", "naïve"] {
            let reply = t.send(
                .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5],
                token: ann.accessToken, headers: ["Idempotency-Key": key])
            XCTAssertEqual(reply.code, "invalid_parameter", key)
        }
        XCTAssertEqual(try t.balance(a), 0)
        // The key is part of the request's form, so it is refused before any account is looked up.
        let bob = t.member()
        let bobs = t.openAccount(bob)
        let foreign = t.send(
            .post, "/v1/transfers", body: ["from_account_id": .string(bobs), "to_account_id": .string(a), "amount": 5],
            token: ann.accessToken, headers: ["Idempotency-Key": "tab\there"])
        XCTAssertEqual(foreign.code, "invalid_parameter")
        let foreignDeposit = t.send(
            .post, "/v1/transactions", body: ["account_id": .string(bobs), "type": "deposit", "amount": 5],
            token: ann.accessToken, headers: ["Idempotency-Key": "tab\there"])
        XCTAssertEqual(foreignDeposit.code, "invalid_parameter")
    }

    /// Deposits and transfers check ownership before the write; a repeat is still answered as the
    /// first request was, and a key reused for another request is still a mismatch, not a 404.
    func testARepeatReplaysEvenWhenTheCallerCouldNoLongerMakeIt() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        var boss = try t.member(role: .admin)
        let body: JSONValue = ["account_id": .string(a), "type": "deposit", "amount": 70]
        let first = t.send(.post, "/v1/transactions", body: body, token: boss.accessToken, headers: ["Idempotency-Key": "for-ann"])
        XCTAssertEqual(first.status, 201)
        try t.store.write { try $0.updateUser(id: boss.userID, role: .user, status: .active) }
        boss.accessToken = t.post("/v1/auth/login", ["email": .string(boss.email), "password": .string(boss.password)])["access_token"]!
            .stringValue!

        let again = t.send(.post, "/v1/transactions", body: body, token: boss.accessToken, headers: ["Idempotency-Key": "for-ann"])
        XCTAssertEqual(again.status, 201)
        XCTAssertEqual(again.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(again["id"], first["id"])
        XCTAssertEqual(try t.balance(a), 70)
        let another: JSONValue = ["account_id": .string(a), "type": "deposit", "amount": 71]
        XCTAssertEqual(
            t.send(.post, "/v1/transactions", body: another, token: boss.accessToken, headers: ["Idempotency-Key": "for-ann"]).code,
            "idempotency_key_mismatch")
        XCTAssertEqual(t.send(.post, "/v1/transactions", body: body, token: boss.accessToken).code, "not_found", "without the key")
        XCTAssertEqual(try t.balance(a), 70)
    }

    func testAccountAndCardCreationAreIdempotentToo() throws {
        let ann = t.member()
        let body: JSONValue = ["type": "checking", "currency": "USD"]
        let first = t.send(.post, "/v1/accounts", body: body, token: ann.accessToken, headers: ["Idempotency-Key": "open-1"])
        let second = t.send(.post, "/v1/accounts", body: body, token: ann.accessToken, headers: ["Idempotency-Key": "open-1"])
        XCTAssertEqual(first["id"], second["id"])
        XCTAssertEqual(t.get("/v1/accounts", token: ann.accessToken)["pagination"]?["total"], 1)
    }

    func testExpiredKeysNoLongerReplayAndThePurgeJobRemovesThem() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        XCTAssertEqual(
            t.send(
                .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5], token: ann.accessToken,
                headers: ["Idempotency-Key": "old"]
            ).status, 201)
        t.clock.advance(seconds: 86_400 + 60)
        var later = ann
        later.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        let again = t.send(
            .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5], token: later.accessToken,
            headers: ["Idempotency-Key": "other"])
        XCTAssertEqual(again.status, 201)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM idempotency_keys WHERE key = 'old'"), 1, "no request path purges")
        XCTAssertTrue(try t.runJobs().contains { $0.kind == .purge && $0.outcome == .succeeded })
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM idempotency_keys WHERE key = 'old'"), 0, "purged")
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM idempotency_keys WHERE key = 'other'"), 1, "a live key stays")
    }

    func testARepeatWhileTheFirstIsStillRunningIsInUse() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        // The first request with this key is mid-flight in another worker.
        XCTAssertTrue(t.settings.services.inFlightKeys.claim("\(ann.userID)\nbusy-key"))
        let repeatWhileRunning = t.send(
            .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5],
            token: ann.accessToken, headers: ["Idempotency-Key": "busy-key"])
        XCTAssertEqual(repeatWhileRunning.status, 409)
        XCTAssertEqual(repeatWhileRunning.code, "idempotency_key_in_use")
        XCTAssertEqual(repeatWhileRunning.response.headerFields[.retryAfter], "1")
        XCTAssertEqual(try t.balance(a), 0)
        t.settings.services.inFlightKeys.release("\(ann.userID)\nbusy-key")
        XCTAssertEqual(
            t.send(
                .post, "/v1/transactions", body: ["account_id": .string(a), "type": "deposit", "amount": 5],
                token: ann.accessToken, headers: ["Idempotency-Key": "busy-key"]
            ).status, 201, "a retry afterwards runs")
    }

    /// Eight workers send the same keyed transfer at once: money moves exactly once.
    func testConcurrentRepeatsMoveMoneyOnce() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 10_000)
        let makeWorker = t.workerFactory()
        let statuses = Collected<Int>()
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                guard let worker = try? makeWorker() else { return XCTFail("worker") }
                let request = Request(
                    method: .post, path: "/v1/transfers",
                    headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)", .idempotencyKey: "concurrent-1"],
                    body: JSONValue.object([("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 1_000)]).serialized())
                statuses.add(worker.handle(request).status.code)
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(statuses.all.filter { $0 == 201 }.count + statuses.all.filter { $0 == 409 }.count, 8)
        XCTAssertEqual(try t.balance(a), 9_000)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), 1)
    }

    /// Eight workers that share nothing but the database (each with its own in-flight claims, as
    /// cofferd processes on several nodes) send the same keyed transfer at once: the database's
    /// claim lets one run, the others answer 409 while it runs or replay its answer afterwards.
    func testTheSameKeyFromSeveralProcessesAtOnceMovesMoneyOnce() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 10_000)
        let makeWorker = t.workerFactory(asSeparateProcesses: true)
        let answers = Collected<String>()
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let worker = try? makeWorker() else { return XCTFail("worker") }
                let request = Request(
                    method: .post, path: "/v1/transfers",
                    headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)", .idempotencyKey: "nodes-1"],
                    body: JSONValue.object([("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 1_000)]).serialized())
                start.wait()
                let response = worker.handle(request)
                answers.add("\(response.status.code) \(response.headerFields[.idempotentReplayed] ?? "first")")
            }.start()
        }
        for _ in 0..<8 { start.signal() }
        group.wait()
        let all = answers.all
        XCTAssertEqual(all.filter { $0 == "201 first" }.count, 1, "\(all)")
        XCTAssertTrue(all.allSatisfy { ["201 first", "201 true", "409 first"].contains($0) }, "\(all)")
        XCTAssertEqual(try t.balance(a), 9_000)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), 1)
    }

    /// Group commit: a keyed transfer waits in the committer's queue with another one; the same key
    /// sent meanwhile is answered at once, the two queued transfers commit in one batch, and a
    /// retry replays. Money moves once per key.
    func testTheSameKeyAroundOneBatchMovesMoneyOnce() throws {
        guard let committer = t.committer else { throw XCTSkip("group commit is SQLite's") }
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let body: (Int64) -> [UInt8] = { amount in
            JSONValue.object([("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", .int(amount))]).serialized()
        }
        let makeWorker = t.workerFactory()
        let statuses = Collected<Int>()
        let group = DispatchGroup()
        let before = committer.statistics.sizes[2] ?? 0
        committer.pause()
        for (index, (key, amount)) in [("batch-key", Int64(300)), ("other-key", Int64(200))].enumerated() {
            group.enter()
            let request = Request(
                method: .post, path: "/v1/transfers",
                headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)", .idempotencyKey: key],
                body: body(amount))
            Thread {
                defer { group.leave() }
                guard let worker = try? makeWorker() else { return XCTFail("worker") }
                statuses.add(worker.handle(request).status.code)
            }.start()
            let deadline = Date().addingTimeInterval(10)
            while committer.queuedJobs < index + 1 && Date() < deadline { usleep(1_000) }
        }
        XCTAssertEqual(committer.queuedJobs, 2)
        let meanwhile = transfer(ann, a, b, 300, key: "batch-key")
        XCTAssertEqual(meanwhile.code, "idempotency_key_in_use")
        committer.resume()
        group.wait()
        XCTAssertEqual(statuses.all, [201, 201])
        XCTAssertEqual((committer.statistics.sizes[2] ?? 0) - before, 1, "both in one batch")
        let retry = transfer(ann, a, b, 300, key: "batch-key")
        XCTAssertEqual(retry.status, 201)
        XCTAssertEqual(retry.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(try t.balance(a), 500)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), 2)
    }

    /// The same key twice inside one batch: two workers that do not share an in-flight claim (as
    /// two processes would not) both queue the keyed transfer; the committer runs both jobs in one
    /// transaction, the second finds the first's stored answer there and replays it.
    func testTheSameKeyTwiceInOneBatchMovesMoneyOnce() throws {
        guard let committer = t.committer, let path = t.path else { throw XCTSkip("group commit is SQLite's") }
        let ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let request = Request(
            method: .post, path: "/v1/transfers",
            headerFields: [.contentType: "application/json", .authorization: "Bearer \(ann.accessToken)", .idempotencyKey: "one-batch"],
            body: JSONValue.object([("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 400)]).serialized())
        let answers = Collected<String>()
        let group = DispatchGroup()
        let before = committer.statistics.sizes[2] ?? 0
        committer.pause()
        for index in 0..<2 {
            var separate = t.settings
            separate.services.inFlightKeys = InFlightKeys()  // as in another process
            let settings = separate
            let worker = { @Sendable in
                TestApp.application(SQLiteStore(database: try Database(path: path, options: .init(committer: committer))), settings: settings)
            }
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? worker() else { return XCTFail("worker") }
                let response = app.handle(request)
                answers.add("\(response.status.code) \(response.headerFields[.idempotentReplayed] ?? "first")")
            }.start()
            let deadline = Date().addingTimeInterval(10)
            while committer.queuedJobs < index + 1 && Date() < deadline { usleep(1_000) }
        }
        XCTAssertEqual(committer.queuedJobs, 2)
        committer.resume()
        group.wait()
        XCTAssertEqual(answers.all.sorted(), ["201 first", "201 true"])
        XCTAssertEqual((committer.statistics.sizes[2] ?? 0) - before, 1, "both in one batch")
        XCTAssertEqual(try t.balance(a), 600)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM transfers"), 1)
    }
}
