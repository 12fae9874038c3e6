import CofferStore

extension Schema {
    /// The outbox: one row per event, inserted in the transaction of the change it tells of, and
    /// never changed. An event concerns at most two users (a transfer's two owners), indexed so a
    /// user's poll reads only their own.
    static let events = Migration(
        version: 10, name: "events",
        sql: """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                data TEXT NOT NULL,
                user_id TEXT NOT NULL,
                other_user_id TEXT
            ) STRICT;
            CREATE INDEX events_user ON events (user_id, seq);
            CREATE INDEX events_other_user ON events (other_user_id, seq) WHERE other_user_id IS NOT NULL;
            CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
            CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
            """)
}
