import CofferCore
import CofferTestSupport
import XCTest

/// API.md "Exports": queued, then written by the job runner; per-period totals equal the
/// statement of each period; files are kept 7 days.
class ExportTests: APITestCase {
    private var ann: TestApp.Member!

    private func loginAgain() {
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
    }

    /// Six weeks of movements a few hours apart on two accounts; returns the first and last day.
    private func history(_ a: String, _ b: String) -> (CivilDate, CivilDate) {
        let first = t.clock.clock.now().date
        t.deposit(ann, a, 1_000_000)
        for step in 0..<60 {
            t.clock.advance(seconds: Int64(12_000 + (step * 7_919) % 30_000))
            loginAgain()
            switch step % 3 {
            case 0: t.deposit(ann, a, Int64(100 + step))
            case 1:
                let withdrawal = t.post(
                    "/v1/transactions", ["account_id": .string(a), "type": "withdrawal", "amount": .int(Int64(50 + step))], token: ann.accessToken)
                XCTAssertEqual(withdrawal.status, 201)
            default:
                let transfer = t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 70], token: ann.accessToken)
                XCTAssertEqual(transfer.status, 201)
            }
        }
        return (first, t.clock.clock.now().date)
    }

    private func request(_ body: [(String, JSONValue)]) throws -> String {
        let reply = t.post("/v1/exports", .object(body), token: ann.accessToken)
        XCTAssertEqual(reply.status, 202, reply.json.serializedString)
        XCTAssertEqual(reply["status"], "queued")
        XCTAssertEqual(reply["download_url"], JSONValue.null)
        return try XCTUnwrap(reply["id"]?.stringValue)
    }

    func testPeriodTotalsEqualEachPeriodsStatement() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let (first, last) = history(a, b)
        for grouping in ["day", "week", "month", "year"] {
            let id = try request([
                ("account_id", .string(a)), ("from", .string(first.iso8601)), ("to", .string(last.iso8601)), ("group_by", .string(grouping)),
                ("format", "json"),
            ])
            XCTAssertEqual(t.get("/v1/exports/\(id)/download", token: ann.accessToken).code, "not_found", "not before it succeeded")
            try t.runJobs()
            let status = t.get("/v1/exports/\(id)", token: ann.accessToken)
            XCTAssertEqual(status["status"], "succeeded", status.json.serializedString)
            XCTAssertEqual(status["progress"], 100)
            XCTAssertEqual(status["download_url"], .string("/v1/exports/\(id)/download"))
            let file = t.get("/v1/exports/\(id)/download", token: ann.accessToken)
            XCTAssertEqual(file.response.headerFields[.contentType], "application/json")
            let periods = try XCTUnwrap(file["accounts"]?.arrayValue?.first?["periods"]?.arrayValue)
            XCTAssertEqual(status["rows"], .int(periods.count))
            XCTAssertGreaterThan(periods.count, 0)
            for (index, period) in periods.enumerated() {
                let start = try XCTUnwrap(period["period_start"]?.stringValue)
                let end =
                    index + 1 < periods.count
                    ? CivilDate(daysSinceEpoch: CivilDate(iso8601: periods[index + 1]["period_start"]!.stringValue!)!.daysSinceEpoch - 1).iso8601
                    : last.iso8601
                let statement = t.get("/v1/statements/\(a)?from=\(start)&to=\(end)&limit=1", token: ann.accessToken)
                for (mine, theirs) in [
                    ("opening_balance", "opening_balance"), ("credits", "total_credits"), ("debits", "total_debits"),
                    ("closing_balance", "closing_balance"), ("transaction_count", "transaction_count"),
                ] {
                    XCTAssertEqual(period[mine], statement[theirs], "\(grouping) \(start)…\(end) \(mine)")
                }
            }
        }
        XCTAssertEqual(t.get("/v1/events?type=export.completed", token: ann.accessToken)["data"]?.arrayValue?.count, 4)
    }

    func testALineExportOfEveryAccountAndItsSevenDays() throws {
        ann = t.member()
        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        let (first, last) = history(a, b)
        let id = try request([("from", .string(first.iso8601)), ("to", .string(last.iso8601)), ("group_by", "none"), ("format", "csv")])
        try t.runJobs()
        let file = t.get("/v1/exports/\(id)/download", token: ann.accessToken)
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.response.headerFields[.contentType], "text/csv; charset=utf-8")
        let lines = String(decoding: file.response.body, as: UTF8.self).split(separator: "\r\n")
        XCTAssertEqual(lines.first, "account_id,date,transaction_id,type,description,amount,currency,balance_after")
        var count = 0
        for account in [a, b] {
            let statement = t.get("/v1/statements/\(account)?from=\(first.iso8601)&to=\(last.iso8601)&limit=1", token: ann.accessToken)
            let rows = lines.dropFirst().filter { $0.hasPrefix(account + ",") }
            XCTAssertEqual(statement["transaction_count"], .int(rows.count), "one block per account, every line")
            count += rows.count
        }
        XCTAssertEqual(t.get("/v1/exports/\(id)", token: ann.accessToken)["rows"], .int(count))
        let bob = t.member()
        XCTAssertEqual(t.get("/v1/exports/\(id)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/exports/\(id)/download", token: bob.accessToken).code, "not_found")
        // Support reads everything (API.md's roles): the export and its file.
        let support = try t.member(role: .support)
        XCTAssertEqual(t.get("/v1/exports/\(id)", token: support.accessToken)["rows"], .int(count))
        XCTAssertEqual(t.get("/v1/exports/\(id)/download", token: support.accessToken).response.body, file.response.body)

        t.clock.advance(seconds: 7 * 86_400 + 60)
        loginAgain()
        XCTAssertEqual(t.get("/v1/exports/\(id)", token: ann.accessToken)["download_url"], JSONValue.null)
        XCTAssertEqual(t.get("/v1/exports/\(id)/download", token: ann.accessToken).code, "not_found", "kept 7 days")
        try t.runJobs()
        XCTAssertFalse(FileManager.default.fileExists(atPath: t.settings.services.exportsDirectory + "/\(id).csv"), "the purge removed the file")
    }

    func testBadExportRequestsAreClearErrors() throws {
        ann = t.member()
        let bob = t.member()
        let theirs = t.openAccount(bob)
        XCTAssertEqual(
            t.post("/v1/exports", ["from": "2026-02-01", "to": "2026-01-01", "group_by": "day", "format": "csv"], token: ann.accessToken).code,
            "validation_failed")
        XCTAssertEqual(
            t.post("/v1/exports", ["from": "2026-01-01", "to": "2026-01-31", "group_by": "fortnight", "format": "xls"], token: ann.accessToken).code,
            "validation_failed")
        let mine = t.openAccount(ann)
        let endOfTime = t.post(
            "/v1/exports", ["account_id": .string(mine), "from": "9999-12-01", "to": "9999-12-31", "group_by": "year", "format": "csv"],
            token: ann.accessToken)
        XCTAssertEqual(endOfTime.code, "validation_failed", "the period after 9999 is no date: refused, never run")
        XCTAssertEqual(
            t.post(
                "/v1/exports", ["account_id": .string(theirs), "from": "2026-01-01", "to": "2026-01-31", "group_by": "day", "format": "csv"],
                token: ann.accessToken
            ).code, "not_found")
    }
}

final class ExportTestsOnPostgres: ExportTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
