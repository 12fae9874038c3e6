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

extension Schema {
    /// AUTOINCREMENT made every insert into these tables find and update its row in
    /// `sqlite_sequence` (a scan of a row per AUTOINCREMENT table, then a write): ~5,400
    /// instructions an insert, five inserts a transfer, all on the committer's thread, which a
    /// transfer load keeps busy. Its one promise, that a deleted highest `seq` is never handed out
    /// again, is moot here: each table is append-only (its triggers refuse DELETE), so
    /// `max(seq) + 1` never goes back either. The tables are rebuilt as SQLite prescribes, `seq`
    /// copied as it was; other tables reference them, so this runs with foreign keys off and
    /// commits only if `foreign_key_check` finds nothing. Column order, indexes and triggers are
    /// those of versions 1 to 23.
    static let journalsWithoutAutoincrement = Migration(
        version: 24, name: "journals_without_autoincrement", rebuildsReferencedTables: true,
        sql: """
            CREATE TABLE transfers_rebuilt (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                from_account_id TEXT NOT NULL REFERENCES accounts (id),
                to_account_id TEXT NOT NULL REFERENCES accounts (id),
                amount INTEGER NOT NULL CHECK (amount > 0),
                currency TEXT NOT NULL,
                description TEXT,
                created_at INTEGER NOT NULL,
                metadata TEXT,
                reverses_id TEXT REFERENCES transfers (id),
                CHECK (from_account_id != to_account_id)
            ) STRICT;
            INSERT INTO transfers_rebuilt (seq, id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id)
                SELECT seq, id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id
                FROM transfers ORDER BY seq;
            DROP TABLE transfers;
            ALTER TABLE transfers_rebuilt RENAME TO transfers;
            CREATE INDEX transfers_from ON transfers (from_account_id, seq);
            CREATE INDEX transfers_to ON transfers (to_account_id, seq);
            CREATE INDEX transfers_created ON transfers (created_at);
            CREATE UNIQUE INDEX transfers_reverses ON transfers (reverses_id) WHERE reverses_id IS NOT NULL;
            CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
                BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
            CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
                BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;

            CREATE TABLE postings_rebuilt (
                seq INTEGER PRIMARY KEY,
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
                created_at INTEGER NOT NULL,
                metadata TEXT,
                reverses_id TEXT REFERENCES postings (id)
            ) STRICT;
            INSERT INTO postings_rebuilt (
                seq, id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id)
                SELECT seq, id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id
                FROM postings ORDER BY seq;
            DROP TABLE postings;
            ALTER TABLE postings_rebuilt RENAME TO postings;
            CREATE INDEX postings_account_time ON postings (account_id, created_at, seq);
            CREATE INDEX postings_entry ON postings (entry_id);
            CREATE INDEX postings_transfer ON postings (transfer_id) WHERE transfer_id IS NOT NULL;
            CREATE UNIQUE INDEX postings_reverses ON postings (reverses_id) WHERE reverses_id IS NOT NULL;
            CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

            CREATE TABLE events_rebuilt (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                data TEXT NOT NULL,
                user_id TEXT NOT NULL,
                other_user_id TEXT
            ) STRICT;
            INSERT INTO events_rebuilt (seq, id, type, created_at, data, user_id, other_user_id)
                SELECT seq, id, type, created_at, data, user_id, other_user_id FROM events ORDER BY seq;
            DROP TABLE events;
            ALTER TABLE events_rebuilt RENAME TO events;
            CREATE INDEX events_user ON events (user_id, seq);
            CREATE INDEX events_other_user ON events (other_user_id, seq) WHERE other_user_id IS NOT NULL;
            CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
            CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

            CREATE TABLE audit_events_rebuilt (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                at INTEGER NOT NULL,
                actor_id TEXT,
                action TEXT NOT NULL,
                target_type TEXT,
                target_id TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
                reason TEXT,
                request_id TEXT,
                ip TEXT,
                server_request_id TEXT
            ) STRICT;
            INSERT INTO audit_events_rebuilt (seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id)
                SELECT seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id
                FROM audit_events ORDER BY seq;
            DROP TABLE audit_events;
            ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
            CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
            CREATE INDEX audit_events_action ON audit_events (action, seq);
            CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
            CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
            """)
}
