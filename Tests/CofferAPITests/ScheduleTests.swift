import CofferCore
import CofferHTTP
import CofferTestSupport
import Foundation
import HTTPTypes
import XCTest

/// API.md "Scheduled transfers": runs once per due date as the date begins, by the job runner;
/// monthly on the 29th–31st runs on the last day of shorter months; a refused run is recorded and
/// the schedule goes on; a run is never made twice.
class ScheduleTests: APITestCase {
    private var ann: TestApp.Member!

    /// Moves the test clock to `date` at 00:00:30 UTC (never backwards) and logs Ann in again.
    private func moveTo(_ date: CivilDate) {
        let target = date.startOfDay.millisecondsSinceEpoch + 30_000
        let now = t.clock.clock.now().millisecondsSinceEpoch
        precondition(target >= now, "the test clock only moves forward")
        t.clock.advance(seconds: (target - now) / 1000)
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
    }

    private func schedule(_ body: [(String, JSONValue)]) -> TestApp.Reply {
        t.post("/v1/scheduled-transfers", .object(body), token: ann.accessToken)
    }

    private func runs(_ id: String) -> [JSONValue] {
        t.get("/v1/scheduled-transfers/\(id)/runs", token: ann.accessToken)["data"]?.arrayValue ?? []
    }

    func testAMonthlyOrderStartedOnJanuary31RunsOnTheLastDayOfShorterMonths() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 10_000)
        let year = t.clock.clock.now().date.year + 1
        moveTo(CivilDate(year: year, month: 1, day: 31)!)
        let created = schedule([
            ("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 100), ("start_date", .string("\(year)-01-31")),
            ("interval", "monthly"), ("description", "rent"),
        ])
        XCTAssertEqual(created.status, 201, created.json.serializedString)
        XCTAssertEqual(created["currency"], "USD", "money always comes with its currency: the account's, when none was sent")
        XCTAssertEqual(created["next_run_on"], .string("\(year)-01-31"))
        XCTAssertEqual(created["last_run"], JSONValue.null)
        let id = try XCTUnwrap(created["id"]?.stringValue)
        try t.runJobs()
        let february = CivilDate.daysIn(month: 2, year: year)
        XCTAssertEqual(t.get("/v1/scheduled-transfers/\(id)", token: ann.accessToken)["next_run_on"], .string("\(year)-02-\(february)"))
        moveTo(CivilDate(year: year, month: 2, day: february - 1)!)
        try t.runJobs()
        XCTAssertEqual(runs(id).count, 1, "not due before its date")
        moveTo(CivilDate(year: year, month: 2, day: february)!)
        try t.runJobs()
        moveTo(CivilDate(year: year, month: 3, day: 30)!)
        try t.runJobs()
        moveTo(CivilDate(year: year, month: 3, day: 31)!)
        try t.runJobs()
        XCTAssertEqual(runs(id).map { $0["run_on"] }, [.string("\(year)-03-31"), .string("\(year)-02-\(february)"), .string("\(year)-01-31")])
        XCTAssertTrue(runs(id).allSatisfy { $0["outcome"] == "executed" && $0["transfer_id"] != .null })
        XCTAssertEqual(try t.balance(b), 300)
        let shown = t.get("/v1/scheduled-transfers/\(id)", token: ann.accessToken)
        XCTAssertEqual(shown["next_run_on"], .string("\(year)-04-30"))
        XCTAssertEqual(shown["last_run"]?["run_on"], .string("\(year)-03-31"))
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testARefusedRunIsRecordedWithItsCodeAndTheOrderGoesOn() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let today = t.clock.clock.now().date
        let id = try XCTUnwrap(
            schedule([
                ("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 500), ("start_date", .string(today.iso8601)),
                ("interval", "daily"),
            ])["id"]?.stringValue)
        try t.runJobs()
        let refused = try XCTUnwrap(runs(id).first)
        XCTAssertEqual(refused["outcome"], "failed")
        XCTAssertEqual(refused["error"]?["code"], "insufficient_funds")
        XCTAssertEqual(refused["transfer_id"], JSONValue.null)
        let told = t.get("/v1/events?type=scheduled_transfer.failed", token: ann.accessToken)["data"]?.arrayValue ?? []
        XCTAssertEqual(told.count, 1)
        XCTAssertEqual(told.first?["data"]?["last_run"]?["error"]?["code"], "insufficient_funds")
        t.deposit(ann, a, 1_000)
        moveTo(CivilDate(daysSinceEpoch: today.daysSinceEpoch + 1))
        try t.runJobs()
        XCTAssertEqual(runs(id).first?["outcome"], "executed")
        XCTAssertEqual(try t.balance(b), 500)
        XCTAssertEqual(t.get("/v1/events?type=scheduled_transfer.executed", token: ann.accessToken)["data"]?.arrayValue?.count, 1)
    }

    /// A crashed runner's job is claimed again after its lease, and a second node may hold the
    /// same due date: either way the date's run exists once and moves money once.
    func testADueDateRunsOnceEvenWhenItsJobRunsAgain() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let today = t.clock.clock.now().date
        let id = try XCTUnwrap(
            schedule([
                ("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 100), ("start_date", .string(today.iso8601)),
                ("interval", "weekly"),
            ])["id"]?.stringValue)
        try t.runJobs()
        try t.sql.run("UPDATE jobs SET status = 'queued' WHERE run_key = ?", [.text("scheduled_transfer:\(id):\(today.iso8601)")])
        try t.runJobs()
        XCTAssertEqual(runs(id).count, 1)
        XCTAssertEqual(try t.balance(b), 100)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE kind = 'scheduled_transfer'"), 2, "today's, and next week's")
    }

    func testOnceCompletesAndPauseResumeAndCancelFollowTheirRules() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let today = t.clock.clock.now().date
        func order(_ interval: String) throws -> String {
            try XCTUnwrap(
                schedule([
                    ("from_account_id", .string(a)), ("to_account_id", .string(b)), ("amount", 10), ("start_date", .string(today.iso8601)),
                    ("interval", .string(interval)),
                ])["id"]?.stringValue)
        }
        let once = try order("once")
        let daily = try order("daily")
        let sameDay = try order("weekly")
        XCTAssertEqual(t.send(.patch, "/v1/scheduled-transfers/\(daily)", body: ["status": "paused"], token: ann.accessToken)["status"], "paused")
        XCTAssertEqual(t.send(.patch, "/v1/scheduled-transfers/\(sameDay)", body: ["status": "paused"], token: ann.accessToken)["status"], "paused")
        try t.runJobs()
        // Resumed the same day its date's job found it paused: today's run still happens, once.
        XCTAssertEqual(
            t.send(.patch, "/v1/scheduled-transfers/\(sameDay)", body: ["status": "active"], token: ann.accessToken)["next_run_on"], .string(today.iso8601))
        try t.runJobs()
        XCTAssertEqual(runs(sameDay).map { $0["run_on"] }, [.string(today.iso8601)])
        XCTAssertEqual(t.get("/v1/scheduled-transfers/\(once)", token: ann.accessToken)["status"], "completed")
        XCTAssertEqual(runs(daily).count, 0, "paused: no run")
        XCTAssertEqual(
            t.send(.patch, "/v1/scheduled-transfers/\(once)", body: ["status": "active"], token: ann.accessToken).code, "invalid_transition")
        moveTo(CivilDate(daysSinceEpoch: today.daysSinceEpoch + 2))
        let resumed = t.send(.patch, "/v1/scheduled-transfers/\(daily)", body: ["status": "active"], token: ann.accessToken)
        XCTAssertEqual(resumed["next_run_on"], .string(CivilDate(daysSinceEpoch: today.daysSinceEpoch + 2).iso8601), "from today on")
        try t.runJobs()
        XCTAssertEqual(runs(daily).count, 1)
        XCTAssertEqual(t.send(.patch, "/v1/scheduled-transfers/\(daily)", body: ["status": "cancelled"], token: ann.accessToken)["status"], "cancelled")
        XCTAssertEqual(
            t.send(.patch, "/v1/scheduled-transfers/\(daily)", body: ["status": "active"], token: ann.accessToken).code, "invalid_transition")
        moveTo(CivilDate(daysSinceEpoch: today.daysSinceEpoch + 3))
        try t.runJobs()
        XCTAssertEqual(runs(daily).count, 1, "cancelled: no more runs")
        XCTAssertEqual(try t.auditEvents(action: .scheduledTransferCreate).count, 3)
        XCTAssertEqual(try t.auditEvents(action: .scheduledTransferStatusChange).count, 5)
    }

    /// A run refused for something about another user's account records one answer for every
    /// such reason, as a transfer made by hand does.
    func testARefusalAboutAnotherUsersAccountTellsNothingOfIt() throws {
        ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let euros = t.openAccount(bob, currency: "EUR")
        t.deposit(ann, a, 1_000)
        let id = try XCTUnwrap(
            schedule([
                ("from_account_id", .string(a)), ("to_account_id", .string(euros)), ("amount", 10),
                ("start_date", .string(t.clock.clock.now().date.iso8601)), ("interval", "once"),
            ])["id"]?.stringValue)
        try t.runJobs()
        XCTAssertEqual(runs(id).first?["error"]?["code"], "account_not_active", "not currency_mismatch: bob's currency stays his")
    }

    func testBadOrdersAreClearErrors() throws {
        ann = t.member()
        let bob = t.member()
        let a = t.openAccount(ann)
        let theirs = t.openAccount(bob)
        let yesterday = CivilDate(daysSinceEpoch: t.clock.clock.now().date.daysSinceEpoch - 1)
        let past = schedule([
            ("from_account_id", .string(a)), ("to_account_id", .string(theirs)), ("amount", 10), ("start_date", .string(yesterday.iso8601)),
            ("interval", "yearly"),
        ])
        XCTAssertEqual(past.code, "validation_failed")
        XCTAssertEqual(Set(past["error"]?["details"]?["fields"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []), ["interval"])
        let today = t.clock.clock.now().date.iso8601
        XCTAssertEqual(
            schedule([
                ("from_account_id", .string(a)), ("to_account_id", .string(theirs)), ("amount", 10), ("start_date", .string(yesterday.iso8601)),
                ("interval", "daily"),
            ]).code, "validation_failed")
        XCTAssertEqual(
            schedule([
                ("from_account_id", .string(theirs)), ("to_account_id", .string(a)), ("amount", 10), ("start_date", .string(today)),
                ("interval", "daily"),
            ]).code, "not_found", "only from one's own account")
        let order = try XCTUnwrap(
            schedule([
                ("from_account_id", .string(a)), ("to_account_id", .string(theirs)), ("amount", 10), ("start_date", .string(today)),
                ("interval", "daily"), ("end_date", .string(today)),
            ])["id"]?.stringValue)
        XCTAssertEqual(t.get("/v1/scheduled-transfers/\(order)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/scheduled-transfers", token: ann.accessToken)["pagination"]?["total"], 1)
    }

    /// Orders between two accounts are created while transfers between them run in both
    /// directions, by sixteen workers at once: every request succeeds (on PostgreSQL an order's
    /// foreign keys once locked the accounts against the transfers' order, and deadlocked).
    func testOrdersCreatedWhileTransfersRunBetweenTheSameAccountsAllSucceed() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000_000)
        t.deposit(ann, b, 1_000_000)
        let tomorrow = t.clock.clock.now().adding(seconds: 86_400).date.iso8601
        let token = ann.accessToken
        let makeWorker = t.workerFactory()
        let statuses = Collected<Int>()
        let group = DispatchGroup()
        for worker in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let app = try? makeWorker() else { return statuses.add(-1) }
                for step in 0..<15 {
                    let forward = (worker + step) % 2 == 0
                    let from: String = forward ? a : b
                    let to: String = forward ? b : a
                    var body = #"{"from_account_id":"\#(from)","to_account_id":"\#(to)","amount":1"#
                    var path = "/v1/transfers"
                    if worker % 2 == 1 {
                        body += #","start_date":"\#(tomorrow)","interval":"monthly""#
                        path = "/v1/scheduled-transfers"
                    }
                    body += "}"
                    let request = Request(
                        method: .post, path: path, headerFields: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                        body: Array(body.utf8))
                    let response = app.handle(request)
                    statuses.add(response.status.code)
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(Set(statuses.all), [201], "\(statuses.all.filter { $0 != 201 })")
        XCTAssertEqual(t.get("/v1/scheduled-transfers", token: ann.accessToken)["pagination"]?["total"], .int(8 * 15))
        let total = try t.balance(a) + (try t.balance(b))
        XCTAssertEqual(total, 2_000_000)
    }
}

final class ScheduleTestsOnPostgres: ScheduleTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
