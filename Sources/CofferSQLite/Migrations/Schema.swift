import CofferStore

/// The schema of Coffer, as the ordered list of its migrations.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(
            version: 1, name: "service_metadata",
            sql: """
                CREATE TABLE service_metadata (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) STRICT;
                INSERT INTO service_metadata (key, value) VALUES ('schema_family', 'coffer');
                """),
        identity,
        ledger,
        lockoutPerEmail,
        auditServerRequestID,
        journalTypeCheck,
        postingCounts,
        postingTimes,
        holdsAndReversals,
        events,
        jobs,
        webhooks,
        schedules,
        exports,
        outboxCursor,
        plans,
        pendingLoginAttempts,
        webhookEventBoundary,
        oneJournalIndex,
        queryIndexes,
        webhookRetiredSecrets,
        // Version 22 orders PostgreSQL's per-user event indexes by commit order. SQLite's feed
        // follows the sequence, which `events_user` and `events_other_user` already do: nothing
        // to change, but the versions stay the same on both stores (`coffer copy` compares them).
        Migration(version: 22, name: "events_by_user_in_commit_order", sql: ""),
        // The purge of refresh tokens long expired (BackgroundWork), every five minutes on the
        // writer, reads them from this index instead of the whole table.
        Migration(version: 23, name: "refresh_tokens_expiry", sql: "CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);"),
        journalsWithoutAutoincrement,
    ]
}
