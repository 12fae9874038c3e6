import CofferStore

extension Schema {
    /// Webhook endpoints and their deliveries. A delivery's attempts, schedule and status live in
    /// the job that carries it (`job_id`); the delivery keeps what the receiver last answered.
    static let webhooks = Migration(
        version: 12, name: "webhooks",
        sql: """
            CREATE TABLE webhooks (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                user_id TEXT NOT NULL REFERENCES users (id),
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                description TEXT,
                status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_secret_until INTEGER,
                created_at INTEGER NOT NULL,
                deleted_at INTEGER
            ) STRICT;
            CREATE INDEX webhooks_user ON webhooks (user_id, seq) WHERE deleted_at IS NULL;

            CREATE TABLE webhook_deliveries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                webhook_id TEXT NOT NULL REFERENCES webhooks (id),
                event_id TEXT NOT NULL REFERENCES events (id),
                event_type TEXT NOT NULL,
                job_id TEXT NOT NULL,
                last_status_code INTEGER,
                last_error TEXT,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, seq);
            CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
            """)

    /// The outbox's newest event when each webhook was registered: the relay hands a webhook only
    /// later events. Webhooks from before keep what comparing times gave them for the events the
    /// relay has still to hand on (those of earlier milliseconds are behind their boundary); the
    /// relayed ones are behind it too. Only the events past the relay's cursor are read, by key:
    /// a search of the whole outbox per webhook would make the upgrade as slow as history is long.
    static let webhookEventBoundary = Migration(
        version: 18, name: "webhook_event_boundary",
        sql: """
            ALTER TABLE webhooks ADD COLUMN after_event_seq INTEGER NOT NULL DEFAULT 0;
            UPDATE webhooks SET after_event_seq = coalesce(
                (
                    SELECT max(e.seq) FROM events e
                    WHERE e.seq > coalesce((SELECT r.seq FROM events r JOIN outbox_cursors c ON c.last_event_id = r.id WHERE c.name = 'webhooks'), 0)
                      AND e.created_at < webhooks.created_at
                ),
                (SELECT r.seq FROM events r JOIN outbox_cursors c ON c.last_event_id = r.id WHERE c.name = 'webhooks'),
                0);
            """)

    /// A webhook kept one previous secret, so a second rotation within a day cut the first one's
    /// overlap short, where API.md has each old secret sign for 24 hours ("one `v1=` per live
    /// secret"). Every replaced secret now keeps its own end, in a JSON list on the row.
    static let webhookRetiredSecrets = Migration(
        version: 21, name: "webhook_retired_secrets",
        sql: """
            ALTER TABLE webhooks ADD COLUMN retired_secrets TEXT NOT NULL DEFAULT '[]';
            UPDATE webhooks
            SET retired_secrets = json_array(json_object('secret', previous_secret, 'until', previous_secret_until))
            WHERE previous_secret IS NOT NULL AND previous_secret_until IS NOT NULL;
            ALTER TABLE webhooks DROP COLUMN previous_secret;
            ALTER TABLE webhooks DROP COLUMN previous_secret_until;
            """)
}
