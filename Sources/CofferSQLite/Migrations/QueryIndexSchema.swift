import CofferStore

extension Schema {
    /// Indexes for the queries that background loops and every request run, which read a whole
    /// table or a whole status without them (query plans in DatabaseTests):
    /// - claiming due jobs: `(status, run_at)` instead of `(run_at)` for two statuses, which the
    ///   planner never chose for the claim's OR; it read every queued job, future ones included;
    /// - purging finished jobs: `(status, updated_at)`, not every succeeded job kept for a week;
    /// - expiring holds: the pending ones by expiry, not every pending hold;
    /// - clearing login failures on each login: by time (PostgreSQL had this index from the start);
    /// - the token check on every request: a session's revoked refresh tokens, not its whole family,
    ///   which grows by one row per refresh.
    static let queryIndexes = Migration(
        version: 20, name: "query_indexes",
        sql: """
            DROP INDEX jobs_due;
            CREATE INDEX jobs_due ON jobs (status, run_at);
            CREATE INDEX jobs_finished ON jobs (status, updated_at);
            CREATE INDEX holds_expiry ON holds (expires_at) WHERE status = 'pending';
            CREATE INDEX login_failures_at ON login_failures (at);
            CREATE INDEX refresh_tokens_revoked ON refresh_tokens (family_id) WHERE revoked_at IS NOT NULL;
            """)
}
