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
}
