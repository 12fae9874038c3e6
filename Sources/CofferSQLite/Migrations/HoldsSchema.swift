import CofferStore

extension Schema {
    /// Holds (money reserved without moving), reversal links and metadata (API.md Part 2).
    /// A hold's status changes, so holds are not append-only; the money it reserves is derived
    /// (pending and unexpired at the reader's instant), never cached, so expiry needs no writer.
    /// A reversal is a new journal entry naming the one it compensates: the unique index makes
    /// "reversed at most once" a constraint, and `reversed_by` is read through it, so nothing in
    /// the journal is updated.
    static let holdsAndReversals = Migration(
        version: 9, name: "holds_reversals_metadata",
        sql: """
            CREATE TABLE holds (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                account_id TEXT NOT NULL REFERENCES accounts (id),
                card_id TEXT REFERENCES cards (id),
                amount INTEGER NOT NULL CHECK (amount > 0),
                captured_amount INTEGER NOT NULL DEFAULT 0,
                currency TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
                description TEXT,
                metadata TEXT,
                capture_posting_id TEXT REFERENCES postings (id),
                expires_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                CHECK (captured_amount >= 0 AND captured_amount <= amount),
                CHECK ((status = 'captured') = (captured_amount > 0) AND (status = 'captured') = (capture_posting_id IS NOT NULL))
            ) STRICT;
            CREATE INDEX holds_account ON holds (account_id, seq);
            CREATE INDEX holds_pending ON holds (account_id, expires_at) WHERE status = 'pending';

            ALTER TABLE accounts ADD COLUMN metadata TEXT;
            ALTER TABLE postings ADD COLUMN metadata TEXT;
            ALTER TABLE postings ADD COLUMN reverses_id TEXT REFERENCES postings (id);
            CREATE UNIQUE INDEX postings_reverses ON postings (reverses_id) WHERE reverses_id IS NOT NULL;
            ALTER TABLE transfers ADD COLUMN metadata TEXT;
            ALTER TABLE transfers ADD COLUMN reverses_id TEXT REFERENCES transfers (id);
            CREATE UNIQUE INDEX transfers_reverses ON transfers (reverses_id) WHERE reverses_id IS NOT NULL;

            -- Metadata filters (`?metadata[key]=value`) look owners up here by key and value; the
            -- metadata columns keep what each row shows.
            CREATE TABLE metadata_entries (
                owner TEXT NOT NULL CHECK (owner IN ('account', 'transaction', 'transfer', 'hold')),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                PRIMARY KEY (owner, key, value, owner_id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX metadata_entries_owner ON metadata_entries (owner, owner_id);
            """)
}
