import CofferStore

extension Schema {
    /// The journal's `type IN (four values)` CHECK made SQLite build a temporary B-tree of the list
    /// on every posting insert (`OpenEphemeral`: a quarter of each insert's instructions,
    /// callgrind). The same rule as `=` tests needs none. SQLite cannot alter a CHECK, so the
    /// table is rebuilt as its documentation prescribes: new table, copy, drop, rename, then its
    /// indexes and append-only triggers again. Nothing references `postings`, and `seq` (and with
    /// it the AUTOINCREMENT counter) is copied as it was.
    static let journalTypeCheck = Migration(
        version: 6, name: "journal_type_check",
        sql: """
            CREATE TABLE postings_rebuilt (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                entry_id TEXT NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts (id),
                type TEXT NOT NULL
                    CHECK (type = 'deposit' OR type = 'withdrawal' OR type = 'transfer_in' OR type = 'transfer_out'),
                amount INTEGER NOT NULL CHECK (amount != 0),
                currency TEXT NOT NULL,
                balance_after INTEGER NOT NULL,
                description TEXT,
                transfer_id TEXT REFERENCES transfers (id),
                created_at INTEGER NOT NULL
            ) STRICT;
            INSERT INTO postings_rebuilt (seq, id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at)
                SELECT seq, id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at
                FROM postings ORDER BY seq;
            DROP TABLE postings;
            ALTER TABLE postings_rebuilt RENAME TO postings;
            CREATE INDEX postings_account_time ON postings (account_id, created_at, seq);
            CREATE INDEX postings_account_seq ON postings (account_id, seq);
            CREATE INDEX postings_entry ON postings (entry_id);
            CREATE INDEX postings_transfer ON postings (transfer_id) WHERE transfer_id IS NOT NULL;
            CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            """)

    /// Every transaction list answers `total`, and counting an account's postings walked its whole
    /// history on every page (1,117 list requests/s at 25,000 postings an account, against 11,868
    /// account reads: `wrk`, same stack). The count is now cached on the account beside its
    /// balance, moved in the same statement, and checked by `coffer verify`.
    static let postingCounts = Migration(
        version: 7, name: "posting_counts",
        sql: """
            ALTER TABLE accounts ADD COLUMN posting_count INTEGER NOT NULL DEFAULT 0 CHECK (posting_count >= 0);
            UPDATE accounts SET posting_count = (SELECT count(*) FROM postings p WHERE p.account_id = accounts.id);
            """)
}
