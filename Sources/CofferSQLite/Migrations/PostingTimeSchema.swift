import CofferStore

extension Schema {
    /// Each account remembers the time of its latest posting, so the ledger engine can keep an
    /// account's postings in time order along the journal: a posting is never dated before the
    /// account's previous one (clocks of several nodes, or a clock stepped back, may disagree).
    static let postingTimes = Migration(
        version: 8, name: "posting_times",
        sql: """
            ALTER TABLE accounts ADD COLUMN last_posted_at INTEGER NOT NULL DEFAULT 0;
            UPDATE accounts SET last_posted_at = COALESCE((SELECT max(created_at) FROM postings p WHERE p.account_id = accounts.id), 0);
            """)
}
