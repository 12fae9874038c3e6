import CofferStore

extension Schema {
    /// Standing orders and their runs. A run is unique per schedule and date, so a retried or
    /// duplicated job can never move money twice for one due date. Dates are days since the epoch.
    static let schedules = Migration(
        version: 13, name: "scheduled_transfers",
        sql: """
            CREATE TABLE scheduled_transfers (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                user_id TEXT NOT NULL REFERENCES users (id),
                from_account_id TEXT NOT NULL REFERENCES accounts (id),
                to_account_id TEXT NOT NULL REFERENCES accounts (id),
                amount INTEGER NOT NULL CHECK (amount > 0),
                currency TEXT,
                description TEXT,
                metadata TEXT,
                start_date INTEGER NOT NULL,
                interval TEXT NOT NULL CHECK (interval IN ('once', 'daily', 'weekly', 'monthly')),
                end_date INTEGER,
                status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
                next_run_on INTEGER,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX scheduled_transfers_user ON scheduled_transfers (user_id, seq);

            CREATE TABLE scheduled_transfer_runs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                schedule_id TEXT NOT NULL REFERENCES scheduled_transfers (id),
                run_on INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('executed', 'failed')),
                transfer_id TEXT REFERENCES transfers (id),
                error_code TEXT,
                error_message TEXT,
                created_at INTEGER NOT NULL,
                UNIQUE (schedule_id, run_on)
            ) STRICT;
            """)
}
