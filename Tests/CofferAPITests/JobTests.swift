import CofferCore
import CofferTestSupport
import XCTest

/// Background work through the job runner: periodic maintenance enqueued once per period, hold
/// expiry recorded with its events, and operators' list and retry.
class JobTests: APITestCase {
    func testTheExpirySweepRecordsExpiredHoldsAndTellsEachOnce() throws {
        let ann = t.member()
        let a = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        let hold = try XCTUnwrap(
            t.post("/v1/holds", ["account_id": .string(a), "amount": 400, "expires_in_seconds": 60], token: ann.accessToken)["id"]?.stringValue)
        let lasting = try XCTUnwrap(t.post("/v1/holds", ["account_id": .string(a), "amount": 100], token: ann.accessToken)["id"]?.stringValue)
        try t.runJobs()
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM holds WHERE status = 'expired'"), 0, "nothing is due yet")
        t.clock.advance(seconds: 61)
        let reports = try t.runJobs()
        XCTAssertTrue(reports.contains { $0.kind == .holdExpiry && $0.outcome == .succeeded }, "\(reports)")
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM holds WHERE id = ? AND status = 'expired'", [.text(hold)]), 1)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM holds WHERE id = ? AND status = 'pending'", [.text(lasting)]), 1)
        try t.runJobs()
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM events WHERE type = 'hold.expired'"), 1, "told once")
        let admin = try t.member(role: .admin)
        let told = t.get("/v1/events?type=hold.expired", token: admin.accessToken)["data"]?.arrayValue?.first
        XCTAssertEqual(told?["data"]?["id"], .string(hold))
        XCTAssertEqual(told?["data"]?["status"], "expired")
        XCTAssertEqual(try t.store.read { try $0.ledgerDiscrepancies() }, [])
    }

    func testPeriodicJobsAreEnqueuedOncePerPeriodWhateverTheRunners() throws {
        // Periods follow the clock: on a running one the three passes could straddle a minute
        // (CI once saw a second hold expiry enqueued, rightly, at 11:08:00).
        t.clock.stop()
        try t.runJobs()
        try t.runJobs()
        try t.runJobs()
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE kind = 'purge'"), 1)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE kind = 'hold_expiry'"), 1)
        t.clock.advance(seconds: 300)
        try t.runJobs()
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE kind = 'purge'"), 2, "the next period's")
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE status <> 'succeeded'"), 0)
    }

    func testOperatorsListJobsAndRetryOnlyADeadOrFailedOne() throws {
        let admin = try t.member(role: .admin)
        let support = try t.member(role: .support)
        let ann = t.member()
        try t.runJobs()
        let listed = t.get("/v1/admin/jobs?status=succeeded", token: support.accessToken)
        XCTAssertEqual(listed.status, 200, listed.json.serializedString)
        XCTAssertEqual(Set(listed["data"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []), ["purge", "hold_expiry"])
        XCTAssertEqual(t.get("/v1/admin/jobs", token: ann.accessToken).code, "forbidden")
        XCTAssertEqual(t.get("/v1/admin/jobs?kind=laundry", token: admin.accessToken).code, "invalid_parameter")

        let job = try XCTUnwrap(listed["data"]?.arrayValue?.first?["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/admin/jobs/\(job)/retry", [:], token: admin.accessToken).code, "invalid_transition")
        XCTAssertEqual(t.post("/v1/admin/jobs/\(job)/retry", [:], token: support.accessToken).code, "forbidden")
        try t.sql.run("UPDATE jobs SET status = 'dead', attempts = 3, last_error = 'gave up' WHERE id = ?", [.text(job)])
        let retried = t.post("/v1/admin/jobs/\(job)/retry", [:], token: admin.accessToken)
        XCTAssertEqual(retried.status, 202, retried.json.serializedString)
        XCTAssertEqual(retried["status"], "queued")
        XCTAssertEqual(retried["attempts"], 0)
        try t.runJobs()
        XCTAssertEqual(t.get("/v1/admin/jobs?status=dead", token: admin.accessToken)["pagination"]?["total"], 0)
        XCTAssertEqual(try t.sql.scalarInt("SELECT count(*) FROM jobs WHERE id = ? AND status = 'succeeded' AND attempts = 1", [.text(job)]), 1)
        XCTAssertEqual(t.post("/v1/admin/jobs/no-such-job/retry", [:], token: admin.accessToken).code, "not_found")
    }
}

extension JobTests {
    /// The purge takes refresh tokens 30 days past their expiry (one row is added per refresh) and
    /// nothing younger: until then a rotated token presented again still revokes its login, and an
    /// unrotated one is told `token_expired`; a purged one is no longer recognised.
    func testThePurgeTakesRefreshTokensAMonthPastTheirExpiry() throws {
        let ann = t.member()
        let rotated = ann.refreshToken
        let refreshed = t.post("/v1/auth/refresh", ["refresh_token": .string(rotated)])
        XCTAssertEqual(refreshed.status, 200)
        let latest = try XCTUnwrap(refreshed["refresh_token"]?.stringValue)
        t.clock.advance(seconds: 2)
        let bob = t.member()
        let carol = t.member()
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(carol.refreshToken)]).status, 200)
        func rows(_ member: TestApp.Member) throws -> Int64 {
            try t.sql.scalarInt("SELECT count(*) FROM refresh_tokens WHERE user_id = ?", [.text(member.userID)])
        }
        XCTAssertEqual([try rows(ann), try rows(bob), try rows(carol)], [2, 1, 2])

        // Ann's rows expired 30 days and one second ago (7-day tokens); Bob's and Carol's, one
        // second less: at the purge's bound, kept.
        t.clock.advance(seconds: (7 + 30) * 86_400 - 1)
        try t.runJobs()
        XCTAssertEqual([try rows(ann), try rows(bob), try rows(carol)], [0, 1, 2])
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(latest)]).code, "unauthenticated", "purged: not recognised")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(rotated)]).code, "unauthenticated")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(bob.refreshToken)]).code, "token_expired")
        XCTAssertEqual(t.post("/v1/auth/refresh", ["refresh_token": .string(carol.refreshToken)]).code, "token_revoked", "reuse, still detected")
        XCTAssertEqual(try t.auditEvents(action: .refreshReuse).filter { $0.actorID == carol.userID }.count, 1)
    }

    /// A job that keeps failing is tried again after 30 s, then about 60 s, and is dead after its
    /// third attempt, with the error kept; an operator's retry then runs it once the fault is gone.
    /// The fault is real: the table the purge cleans is renamed away, and back.
    func testAFailingJobBacksOffThenDiesAndAnOperatorsRetryRunsIt() throws {
        let admin = try t.member(role: .admin)
        try t.sql.run("ALTER TABLE revoked_access_tokens RENAME TO revoked_access_tokens_away")
        let first = try t.runJobs()
        XCTAssertTrue(first.contains { $0.kind == .purge && $0.outcome == .failed }, "\(first)")
        let purge = try t.sql.text("SELECT id FROM jobs WHERE kind = 'purge'")
        func state() throws -> (status: String, attempts: Int64, dueInMs: Int64) {
            let now = t.clock.clock.now().millisecondsSinceEpoch
            return (
                try t.sql.text("SELECT status FROM jobs WHERE id = ?", [.text(purge)]),
                try t.sql.scalarInt("SELECT attempts FROM jobs WHERE id = ?", [.text(purge)]),
                try t.sql.scalarInt("SELECT run_at FROM jobs WHERE id = ?", [.text(purge)]) - now
            )
        }
        var now = try state()
        XCTAssertEqual(now.status, "failed")
        XCTAssertEqual(now.attempts, 1)
        XCTAssertTrue((23_000...37_000).contains(now.dueInMs), "30 s ± 20%: \(now.dueInMs)")
        try t.runJobs()
        XCTAssertEqual(try state().attempts, 1, "not due again yet")
        t.clock.advance(seconds: 37)
        try t.runJobs()
        now = try state()
        XCTAssertEqual(now.status, "failed")
        XCTAssertEqual(now.attempts, 2)
        XCTAssertTrue((47_000...73_000).contains(now.dueInMs), "60 s ± 20%: \(now.dueInMs)")
        t.clock.advance(seconds: 73)
        try t.runJobs()
        XCTAssertEqual(try state().status, "dead")
        XCTAssertTrue(try t.sql.text("SELECT last_error FROM jobs WHERE id = ?", [.text(purge)]).contains("revoked_access_tokens"))

        try t.sql.run("ALTER TABLE revoked_access_tokens_away RENAME TO revoked_access_tokens")
        var fresh = admin
        fresh.accessToken = t.post("/v1/auth/login", ["email": .string(admin.email), "password": .string(admin.password)])["access_token"]!.stringValue!
        XCTAssertEqual(t.post("/v1/admin/jobs/\(purge)/retry", [:], token: fresh.accessToken).status, 202)
        try t.runJobs()
        XCTAssertEqual(try state().status, "succeeded")
    }
}

final class JobTestsOnPostgres: JobTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
