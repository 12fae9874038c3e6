import CofferStore

extension Schema {
    /// Exports (API.md "Exports"): the request, its progress, and where its file went.
    static let exports = Migration(
        version: 14, name: "exports",
        sql: """
            CREATE TABLE exports (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                user_id TEXT NOT NULL REFERENCES users (id),
                account_id TEXT REFERENCES accounts (id),
                from_date INTEGER NOT NULL,
                to_date INTEGER NOT NULL,
                group_by TEXT NOT NULL CHECK (group_by IN ('none', 'day', 'week', 'month', 'year')),
                format TEXT NOT NULL CHECK (format IN ('csv', 'json')),
                status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
                progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
                rows INTEGER NOT NULL,
                error TEXT,
                expires_at INTEGER,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX exports_user ON exports (user_id, seq);
            CREATE INDEX exports_expiry ON exports (expires_at) WHERE expires_at IS NOT NULL;
            """)
}
