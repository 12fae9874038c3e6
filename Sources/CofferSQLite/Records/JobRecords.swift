import CofferCore
import CofferStore

extension Database {
    static let jobColumns = "id, kind, payload, run_key, status, attempts, max_attempts, run_at, last_error, created_at"

    public func enqueueJob(_ job: Job) throws -> Bool {
        try run(
            """
            INSERT INTO jobs (id, kind, payload, run_key, status, attempts, max_attempts, run_at, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
            ON CONFLICT (run_key) DO NOTHING
            """,
            [
                .text(job.id), .text(job.kind.rawValue), .text(String(decoding: job.payload.serialized(), as: UTF8.self)), job.runKey.sqliteValue,
                .text(job.status.rawValue), .integer(Int64(job.attempts)), .integer(Int64(job.maxAttempts)),
                .integer(job.runAt.millisecondsSinceEpoch), .integer(job.createdAt.millisecondsSinceEpoch),
            ]) == 1
    }

    /// Read through `jobs_due (status, run_at)`: only the due jobs, not every queued one. The kind
    /// left out (?5, NULL for none) is a filter on those rows, not a way into the index.
    static let claimDueJobs = """
        UPDATE jobs SET status = 'running', locked_by = ?1, locked_until = ?2, attempts = attempts + 1, updated_at = ?3
        WHERE id IN (
            SELECT id FROM jobs
            WHERE ((status IN ('queued', 'failed') AND run_at <= ?3)
               OR (status = 'running' AND locked_until < ?3 AND attempts < max_attempts))
              AND kind IS NOT ?5
            ORDER BY run_at LIMIT ?4
        )
        RETURNING \(jobColumns)
        """

    /// Due jobs (queued or failed, `run_at` passed) and jobs whose runner's lease ran out, oldest
    /// due first, leased to `runner` until `until`; each claim counts an attempt. On SQLite the one writer
    /// makes the claim exclusive.
    public func claimJobs(runner: String, now: Timestamp, until: Timestamp, limit: Int, excluding: JobKind?) throws -> [Job] {
        // A job whose runner died on its last attempt (a crash it caused, perhaps) is dead: handed
        // out again, it could take down every node in turn.
        try run(
            """
            UPDATE jobs SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = ?1,
                last_error = 'its runner stopped during the last attempt'
            WHERE status = 'running' AND locked_until < ?1 AND attempts >= max_attempts
            """, [.integer(now.millisecondsSinceEpoch)])
        return try query(
            Self.claimDueJobs,
            [
                .text(runner), .integer(until.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), .integer(Int64(limit)),
                excluding.map { .text($0.rawValue) } ?? .null,
            ], Job.init(row:))
    }

    public func finishJob(id: String, runner: String, status: JobStatus, runAt: Timestamp?, error: String?, at now: Timestamp) throws -> Bool {
        try run(
            """
            UPDATE jobs SET status = ?1, run_at = COALESCE(?2, run_at), last_error = ?3, locked_by = NULL, locked_until = NULL,
                updated_at = ?4
            WHERE id = ?5 AND locked_by = ?6 AND status = 'running'
            """,
            [
                .text(status.rawValue), runAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null, error.sqliteValue, .integer(now.millisecondsSinceEpoch),
                .text(id),
                .text(runner),
            ]) == 1
    }

    /// Only while the job is still this runner's: a lease that ran out and was claimed by another
    /// runner is theirs now, and stays so.
    public func renewJobLease(id: String, runner: String, until: Timestamp, at now: Timestamp) throws -> Bool {
        try run(
            """
            UPDATE jobs SET locked_until = ?1, updated_at = ?2
            WHERE id = ?3 AND locked_by = ?4 AND status = 'running'
            """, [.integer(until.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), .text(id), .text(runner)]) == 1
    }

    public func retryJob(id: String, at now: Timestamp) throws -> Bool {
        try run(
            """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?1, updated_at = ?1
            WHERE id = ?2 AND status IN ('dead', 'failed')
            """, [.integer(now.millisecondsSinceEpoch), .text(id)]) == 1
    }

    public func requeueJob(runKey: String, runAt: Timestamp, at now: Timestamp) throws -> Bool {
        try run(
            """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?1, last_error = NULL, locked_by = NULL, locked_until = NULL, updated_at = ?2
            WHERE run_key = ?3 AND status IN ('succeeded', 'failed', 'dead', 'running')
            """, [.integer(runAt.millisecondsSinceEpoch), .integer(now.millisecondsSinceEpoch), .text(runKey)]) == 1
    }

    /// Through `jobs_finished (status, updated_at)`: not every job kept for the week.
    static let finishedJobs = "SELECT id FROM jobs WHERE status IN ('succeeded', 'dead') AND updated_at < ?1"

    /// With their webhook deliveries: the delivery log keeps what its jobs keep.
    public func purgeFinishedJobs(before time: Timestamp) throws {
        try run("DELETE FROM webhook_deliveries WHERE job_id IN (\(Self.finishedJobs))", [.integer(time.millisecondsSinceEpoch)])
        try run("DELETE FROM jobs WHERE id IN (\(Self.finishedJobs))", [.integer(time.millisecondsSinceEpoch)])
    }

    public func job(id: String) throws -> Job? {
        try queryFirst("SELECT \(Self.jobColumns) FROM jobs WHERE id = ?1", [.text(id)], Job.init(row:))
    }

    /// Newest first.
    public func jobs(_ filter: JobFilter, page: PageRequest) throws -> Page<Job> {
        var conditions = SQLConditions()
        if let status = filter.status { conditions.add("status = ?", .text(status.rawValue)) }
        if let kind = filter.kind { conditions.add("kind = ?", .text(kind.rawValue)) }
        let total = try scalarInt("SELECT count(*) FROM jobs WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq < (SELECT seq FROM jobs WHERE id = ?)", .text(after)) }
        let rows = try query(
            "SELECT \(Self.jobColumns) FROM jobs WHERE \(conditions.sql) ORDER BY seq DESC LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], Job.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    public func jobCounts() throws -> [JobCount] {
        try query("SELECT kind, status, count(*) FROM jobs GROUP BY kind, status", []) { row in
            // A kind or status this build does not know (a newer node wrote it) is left out.
            guard let kind = JobKind(rawValue: row.text(0)), let status = JobStatus(rawValue: row.text(1)) else { return nil }
            return JobCount(kind: kind, status: status, count: Int(row.int64(2)))
        }.compactMap { $0 }
    }

    /// Through `holds_expiry`: the pending holds by expiry, not every pending hold.
    static let dueHolds = "SELECT \(holdColumns) FROM holds WHERE status = 'pending' AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2"

    /// Records as expired up to `limit` pending holds whose expiry has passed, and returns them.
    public func expireDueHolds(at now: Timestamp, limit: Int) throws -> [Hold] {
        let due = try query(
            Self.dueHolds, [.integer(now.millisecondsSinceEpoch), .integer(Int64(limit))], Hold.init(row:))
        var expired: [Hold] = []
        for hold in due where try settleHold(id: hold.id, to: .expired, capturedAmount: 0, capturePostingID: nil, at: now) {
            expired.append(hold.settled(.expired, captured: 0, at: now))
        }
        return expired
    }
}
