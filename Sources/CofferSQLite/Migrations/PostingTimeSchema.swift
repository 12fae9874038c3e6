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

    /// An account's journal is read in its time order, which the engine keeps equal to its
    /// sequence, through (account_id, created_at, seq) alone: the second index on (account_id, seq)
    /// was written on every posting (a page of the committer's WAL per batch and account) for
    /// reads the first one serves as well.
    static let oneJournalIndex = Migration(
        version: 19, name: "one_journal_index",
        sql: """
            DROP INDEX postings_account_seq;
            """)
}
