/// Rows written at an older schema version, for the tests that migrate them on either store: the
/// same SQL runs on SQLite and on PostgreSQL.
enum MigrationFixtures {
    /// The user `u`, owner of the rows below.
    static let user =
        "INSERT INTO users (id, email, password_hash, role, status, password_changed_at, created_at) VALUES ('u', 'u@x', 'h', 'user', 'active', 1, 1)"

    /// Version 20: `rotated` signed with `whsec_old` until 5000 ms beside `whsec_new`; `never` was
    /// never rotated.
    static let webhooksBeforeVersion21 = """
        INSERT INTO webhooks (id, user_id, url, events, status, secret, previous_secret, previous_secret_until, created_at, after_event_seq)
        VALUES ('rotated', 'u', 'https://x', '["*"]', 'enabled', 'whsec_new', 'whsec_old', 5000, 1, 0),
               ('never', 'u', 'https://x', '["*"]', 'enabled', 'whsec_only', NULL, NULL, 1, 0)
        """

    /// Version 23: a row in each append-only table, each referenced from elsewhere (a reversal of
    /// the transfer, a hold captured by a posting, a delivery of the event, a scheduled run that
    /// made the transfer), with `seq` values that leave gaps, as rolled-back inserts do.
    static let journalsBeforeVersion24 = [
        user,
        "INSERT INTO account_holders (id, user_id, first_name, last_name, dob, created_at) VALUES ('h', 'u', 'A', 'B', '1980-01-01', 1)",
        """
        INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at)
        VALUES ('a1', 'h', 'customer', 'checking', 'EUR', 0, 'active', 1), ('a2', 'h', 'customer', 'checking', 'EUR', 0, 'active', 1)
        """,
        """
        INSERT INTO transfers (seq, id, from_account_id, to_account_id, amount, currency, created_at, reverses_id)
        VALUES (3, 't1', 'a1', 'a2', 5, 'EUR', 10, NULL), (7, 't2', 'a2', 'a1', 5, 'EUR', 11, 't1')
        """,
        """
        INSERT INTO postings (seq, id, entry_id, account_id, type, amount, currency, balance_after, transfer_id, created_at, reverses_id)
        VALUES (4, 'p1', 'e1', 'a1', 'transfer_out', -5, 'EUR', 0, 't1', 10, NULL),
               (9, 'p2', 'e2', 'a1', 'transfer_in', 5, 'EUR', 5, 't2', 11, 'p1')
        """,
        """
        INSERT INTO holds (id, account_id, amount, captured_amount, currency, status, capture_posting_id, expires_at, created_at, updated_at)
        VALUES ('hold', 'a1', 5, 5, 'EUR', 'captured', 'p1', 100, 1, 1)
        """,
        "INSERT INTO events (seq, id, type, created_at, data, user_id) VALUES (12, 'ev', 'transfer.created', 10, '{}', 'u')",
        "INSERT INTO webhooks (id, user_id, url, events, status, secret, created_at) VALUES ('w', 'u', 'https://x', '[\"*\"]', 'enabled', 's', 1)",
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, job_id, created_at) VALUES ('d', 'w', 'ev', 'transfer.created', 'j', 1)",
        """
        INSERT INTO scheduled_transfers (id, user_id, from_account_id, to_account_id, amount, start_date, interval, status, created_at)
        VALUES ('s', 'u', 'a1', 'a2', 5, 1, 'once', 'completed', 1)
        """,
        "INSERT INTO scheduled_transfer_runs (id, schedule_id, run_on, outcome, transfer_id, created_at) VALUES ('r', 's', 1, 'executed', 't1', 1)",
        "INSERT INTO audit_events (seq, id, at, actor_id, action, outcome, server_request_id) VALUES (20, 'au', 1, 'u', 'transfer.create', 'success', 'srv')",
    ]
}
