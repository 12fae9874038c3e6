import CofferStore

extension Schema {
    /// Accounts, the double-entry journal (`postings`), transfers, cards and idempotency keys.
    /// Every movement writes postings that sum to zero per currency; `accounts.balance` is the
    /// cached sum of an account's postings, updated in the same transaction. The journal and
    /// transfers are append-only. Customer balances can never go negative (CHECK); each
    /// currency's bank cash account is the other side of deposits and withdrawals.
    static let ledger = Migration(
        version: 3, name: "ledger",
        sql: """
            CREATE TABLE accounts (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                holder_id TEXT REFERENCES account_holders (id),
                kind TEXT NOT NULL CHECK (kind IN ('customer', 'bank_cash')),
                type TEXT CHECK (type IN ('checking', 'savings')),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                balance INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'closed')),
                created_at INTEGER NOT NULL,
                CHECK (kind = 'bank_cash' OR (balance >= 0 AND holder_id IS NOT NULL AND type IS NOT NULL)),
                CHECK (kind = 'customer' OR (holder_id IS NULL AND type IS NULL))
            ) STRICT;
            CREATE UNIQUE INDEX accounts_bank_cash ON accounts (currency) WHERE kind = 'bank_cash';
            CREATE INDEX accounts_holder ON accounts (holder_id, seq);

            CREATE TABLE transfers (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                from_account_id TEXT NOT NULL REFERENCES accounts (id),
                to_account_id TEXT NOT NULL REFERENCES accounts (id),
                amount INTEGER NOT NULL CHECK (amount > 0),
                currency TEXT NOT NULL,
                description TEXT,
                created_at INTEGER NOT NULL,
                CHECK (from_account_id != to_account_id)
            ) STRICT;
            CREATE INDEX transfers_from ON transfers (from_account_id, seq);
            CREATE INDEX transfers_to ON transfers (to_account_id, seq);
            CREATE INDEX transfers_created ON transfers (created_at);

            CREATE TABLE postings (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                entry_id TEXT NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts (id),
                type TEXT NOT NULL CHECK (type IN ('deposit', 'withdrawal', 'transfer_in', 'transfer_out')),
                amount INTEGER NOT NULL CHECK (amount != 0),
                currency TEXT NOT NULL,
                balance_after INTEGER NOT NULL,
                description TEXT,
                transfer_id TEXT REFERENCES transfers (id),
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX postings_account_time ON postings (account_id, created_at, seq);
            CREATE INDEX postings_account_seq ON postings (account_id, seq);
            CREATE INDEX postings_entry ON postings (entry_id);
            CREATE INDEX postings_transfer ON postings (transfer_id) WHERE transfer_id IS NOT NULL;

            CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
                BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
            CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
                BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;

            -- Withdrawals plus transfers out per account and UTC day (days since the epoch), kept in
            -- the same transaction as the postings so the daily-limit check never scans the journal.
            CREATE TABLE daily_outflows (
                account_id TEXT NOT NULL REFERENCES accounts (id),
                day INTEGER NOT NULL,
                total INTEGER NOT NULL CHECK (total > 0),
                PRIMARY KEY (account_id, day)
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE cards (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                account_id TEXT NOT NULL REFERENCES accounts (id),
                type TEXT NOT NULL CHECK (type IN ('debit', 'virtual')),
                last4 TEXT NOT NULL CHECK (length(last4) = 4),
                exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
                exp_year INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'cancelled')),
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX cards_account ON cards (account_id, seq);

            CREATE TABLE idempotency_keys (
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                fingerprint BLOB NOT NULL,
                status INTEGER NOT NULL,
                headers TEXT NOT NULL,
                body BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (user_id, key)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
            """)
}
