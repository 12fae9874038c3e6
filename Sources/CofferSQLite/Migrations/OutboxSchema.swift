import CofferStore

extension Schema {
    /// The outbox relay's position: events up to `last_event_id` have been fanned out to webhook
    /// deliveries. Fanning out after the commit keeps webhook lookups off every write's path;
    /// a delivery per webhook and event is unique, so a relay that runs twice adds nothing.
    static let outboxCursor = Migration(
        version: 15, name: "outbox_cursor",
        sql: """
            CREATE TABLE outbox_cursors (
                name TEXT PRIMARY KEY,
                last_event_id TEXT
            ) STRICT;
            INSERT INTO outbox_cursors (name, last_event_id) VALUES ('webhooks', NULL);
            CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (webhook_id, event_id);
            """)
}
