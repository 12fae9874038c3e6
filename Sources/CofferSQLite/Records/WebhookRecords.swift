import CofferCore
import CofferStore

extension Database {
    static let deliverySelect = """
        SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.job_id, j.status, j.attempts, d.last_status_code, d.last_error, j.run_at,
            d.created_at
        FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
        """

    public func insertWebhook(_ webhook: Webhook) throws {
        try run(
            """
            INSERT INTO webhooks (id, user_id, url, events, description, status, secret, created_at, after_event_seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(max(seq), 0) FROM events))
            """,
            [
                .text(webhook.id), .text(webhook.userID), .text(webhook.url), .text(Self.eventsText(webhook.events)),
                webhook.description.sqliteValue, .text(webhook.status.rawValue), .text(webhook.secret),
                .integer(webhook.createdAt.millisecondsSinceEpoch),
            ])
    }

    static func eventsText(_ events: [String]) -> String {
        String(decoding: JSONValue.array(events.map(JSONValue.string)).serialized(), as: UTF8.self)
    }

    /// A webhook that has not been deleted.
    public func webhook(id: String) throws -> Webhook? {
        try queryFirst("SELECT \(Webhook.storedColumns) FROM webhooks WHERE id = ? AND deleted_at IS NULL", [.text(id)], Webhook.init(row:))
    }

    /// The one writer runs one transaction at a time: the read is the lock.
    public func webhookForUpdate(id: String) throws -> Webhook? {
        try queryFirst("SELECT \(Webhook.storedColumns) FROM webhooks WHERE id = ? AND deleted_at IS NULL", [.text(id)], Webhook.init(row:))
    }

    /// Oldest first; every user's when `userID` is nil.
    public func webhooks(userID: String?, page: PageRequest) throws -> Page<Webhook> {
        var conditions = SQLConditions("deleted_at IS NULL")
        if let userID { conditions.add("user_id = ?", .text(userID)) }
        let total = try scalarInt("SELECT count(*) FROM webhooks WHERE \(conditions.sql)", conditions.arguments)
        let rows = try query(
            "SELECT \(Webhook.storedColumns) FROM webhooks WHERE \(conditions.sql) ORDER BY seq LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))], Webhook.init(row:))
        return Page(items: rows, total: Int(total), nextAfter: nil)
    }

    public func webhooksListening(userID: String) throws -> [Webhook] {
        try query(
            "SELECT \(Webhook.storedColumns) FROM webhooks WHERE user_id = ? AND deleted_at IS NULL AND status = 'enabled' ORDER BY seq",
            [.text(userID)], Webhook.init(row:))
    }

    public func updateWebhook(_ webhook: Webhook) throws {
        try run(
            "UPDATE webhooks SET url = ?, events = ?, status = ? WHERE id = ? AND deleted_at IS NULL",
            [.text(webhook.url), .text(Self.eventsText(webhook.events)), .text(webhook.status.rawValue), .text(webhook.id)])
    }

    public func rotateWebhookSecret(id: String, to secret: String, retired: [RetiredSecret]) throws {
        try run(
            "UPDATE webhooks SET retired_secrets = ?, secret = ? WHERE id = ? AND deleted_at IS NULL",
            [.text(RetiredSecret.storedText(retired)), .text(secret), .text(id)])
    }

    public func deleteWebhook(id: String, at time: Timestamp) throws {
        try run("UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", [.integer(time.millisecondsSinceEpoch), .text(id)])
    }

    /// The relay's position, locked against other relays until the transaction ends.
    public func outboxCursorForUpdate(name: String) throws -> String? {
        try queryFirst("SELECT last_event_id FROM outbox_cursors WHERE name = ?", [.text(name)]) { $0.optionalText(0) } ?? nil
    }

    public func setOutboxCursor(name: String, eventID: String) throws {
        try run("UPDATE outbox_cursors SET last_event_id = ? WHERE name = ?", [.text(eventID), .text(name)])
    }

    public func insertDelivery(id: String, webhookID: String, event: OutboxEntry, jobID: String, at time: Timestamp) throws -> Bool {
        try run(
            """
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, job_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            """,
            [.text(id), .text(webhookID), .text(event.id), .text(event.type.rawValue), .text(jobID), .integer(time.millisecondsSinceEpoch)]) == 1
    }

    public func recordDeliveryAttempt(id: String, statusCode: Int?, error: String?) throws {
        try run(
            "UPDATE webhook_deliveries SET last_status_code = ?, last_error = ? WHERE id = ?",
            [statusCode.map { .integer(Int64($0)) } ?? .null, error.sqliteValue, .text(id)])
    }

    public func delivery(id: String) throws -> WebhookDelivery? {
        try queryFirst("\(Self.deliverySelect) WHERE d.id = ?", [.text(id)], WebhookDelivery.init(row:))
    }

    /// Newest first.
    public func deliveries(webhookID: String, page: PageRequest) throws -> Page<WebhookDelivery> {
        var conditions = SQLConditions()
        conditions.add("d.webhook_id = ?", .text(webhookID))
        let total = try scalarInt("SELECT count(*) FROM webhook_deliveries d WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("d.seq < (SELECT seq FROM webhook_deliveries WHERE id = ?)", .text(after)) }
        let rows = try query(
            "\(Self.deliverySelect) WHERE \(conditions.sql) ORDER BY d.seq DESC LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], WebhookDelivery.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    public func event(id: String) throws -> Event? {
        try queryFirst("SELECT \(Event.storedColumns) FROM events WHERE id = ?", [.text(id)], Event.init(row:))
    }
}
