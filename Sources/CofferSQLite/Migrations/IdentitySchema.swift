import CofferStore

extension Schema {
    /// Users, account holders, refresh-token families, the access-token denylist, login
    /// failures for lockout, and the append-only audit trail. Times are integer milliseconds
    /// since the Unix epoch (UTC), so comparisons in SQL are exact.
    static let identity = Migration(
        version: 2, name: "identity",
        sql: """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('user', 'support', 'admin')),
                status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
                password_changed_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX users_created ON users (created_at, id);

            CREATE TABLE account_holders (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
                first_name TEXT NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
                last_name TEXT NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
                dob TEXT NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE refresh_tokens (
                id TEXT PRIMARY KEY,
                token_hash BLOB NOT NULL UNIQUE,
                family_id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users (id),
                issued_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                rotated_at INTEGER,
                revoked_at INTEGER
            ) STRICT;
            CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
            CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

            CREATE TABLE revoked_access_tokens (
                jti TEXT PRIMARY KEY,
                expires_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE login_failures (
                user_id TEXT NOT NULL REFERENCES users (id),
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX login_failures_user ON login_failures (user_id, at);

            CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                at INTEGER NOT NULL,
                actor_id TEXT,
                action TEXT NOT NULL,
                target_type TEXT,
                target_id TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
                reason TEXT,
                request_id TEXT,
                ip TEXT
            ) STRICT;
            CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
            CREATE INDEX audit_events_action ON audit_events (action, seq);
            CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
            CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
            """)
}
