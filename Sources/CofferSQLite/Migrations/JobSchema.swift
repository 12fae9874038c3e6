import CofferStore

extension Schema {
    /// Background work (DESIGN.md "Events, jobs and background work"): one row per job, claimed
    /// with a lease (`locked_by`, `locked_until`); `run_key` makes work that must happen once
    /// unique across every runner.
    static let jobs = Migration(
        version: 11, name: "jobs",
        sql: """
            CREATE TABLE jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                run_key TEXT UNIQUE,
                status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
                attempts INTEGER NOT NULL CHECK (attempts >= 0),
                max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
                run_at INTEGER NOT NULL,
                locked_by TEXT,
                locked_until INTEGER,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued', 'failed');
            CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
            CREATE INDEX jobs_status ON jobs (status, kind, seq);
            """)
}
