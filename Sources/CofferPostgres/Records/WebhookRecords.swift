import CofferCore
import CofferStore

extension PostgresSession {
    static let deliverySelect = """
        SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.job_id, j.status, j.attempts, d.last_status_code, d.last_error, j.run_at,
            d.created_at
        FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
        """

    public func insertWebhook(_ webhook: Webhook) throws {
        try run(
            """
            INSERT INTO webhooks (id, user_id, url, events, description, status, secret, created_at, after_event_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT COALESCE(max(seq), 0) FROM events))
            """,
            [
                .text(webhook.id), .text(webhook.userID), .text(webhook.url), .text(Self.eventsText(webhook.events)),
                webhook.description.postgresValue, .text(webhook.status.rawValue), .text(webhook.secret),
                .integer(webhook.createdAt.millisecondsSinceEpoch),
            ])
    }

    static func eventsText(_ events: [String]) -> String {
        String(decoding: JSONValue.array(events.map(JSONValue.string)).serialized(), as: UTF8.self)
    }

    /// A webhook that has not been deleted.
    public func webhook(id: String) throws -> Webhook? {
        try queryFirst("SELECT \(Webhook.storedColumns) FROM webhooks WHERE id = $1 AND deleted_at IS NULL", [.text(id)], Webhook.init(row:))
    }

    public func webhookForUpdate(id: String) throws -> Webhook? {
        try queryFirst("SELECT \(Webhook.storedColumns) FROM webhooks WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", [.text(id)], Webhook.init(row:))
    }

    /// Oldest first; every user's when `userID` is nil.
    public func webhooks(userID: String?, page: PageRequest) throws -> Page<Webhook> {
        var conditions = PostgresConditions("deleted_at IS NULL")
        if let userID { conditions.add("user_id = ?", .text(userID)) }
        let total = try scalarInt("SELECT count(*) FROM webhooks WHERE \(conditions.sql)", conditions.arguments)
        let limit = conditions.placeholder(.integer(Int64(page.limit)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "SELECT \(Webhook.storedColumns) FROM webhooks WHERE \(conditions.sql) ORDER BY seq LIMIT \(limit) OFFSET \(offset)",
            conditions.arguments, Webhook.init(row:))
        return Page(items: rows, total: Int(total), nextAfter: nil)
    }

    public func webhooksListening(userID: String) throws -> [Webhook] {
        try query(
            "SELECT \(Webhook.storedColumns) FROM webhooks WHERE user_id = $1 AND deleted_at IS NULL AND status = 'enabled' ORDER BY seq",
            [.text(userID)], Webhook.init(row:))
    }

    public func updateWebhook(_ webhook: Webhook) throws {
        try run(
            "UPDATE webhooks SET url = $1, events = $2, status = $3 WHERE id = $4 AND deleted_at IS NULL",
            [.text(webhook.url), .text(Self.eventsText(webhook.events)), .text(webhook.status.rawValue), .text(webhook.id)])
    }

    public func rotateWebhookSecret(id: String, to secret: String, retired: [RetiredSecret]) throws {
        try run(
            "UPDATE webhooks SET retired_secrets = $1, secret = $2 WHERE id = $3 AND deleted_at IS NULL",
            [.text(RetiredSecret.storedText(retired)), .text(secret), .text(id)])
    }

    public func deleteWebhook(id: String, at time: Timestamp) throws {
        try run("UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL", [.integer(time.millisecondsSinceEpoch), .text(id)])
    }

    /// The relay's position, locked against other relays until the transaction ends.
    public func outboxCursorForUpdate(name: String) throws -> String? {
        try queryFirst("SELECT last_event_id FROM outbox_cursors WHERE name = $1 FOR UPDATE", [.text(name)]) { $0.optionalText(0) } ?? nil
    }

    public func setOutboxCursor(name: String, eventID: String) throws {
        try run("UPDATE outbox_cursors SET last_event_id = $1 WHERE name = $2", [.text(eventID), .text(name)])
    }

    public func insertDelivery(id: String, webhookID: String, event: OutboxEntry, jobID: String, at time: Timestamp) throws -> Bool {
        try run(
            """
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, job_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            """,
            [.text(id), .text(webhookID), .text(event.id), .text(event.type.rawValue), .text(jobID), .integer(time.millisecondsSinceEpoch)]) == 1
    }

    public func recordDeliveryAttempt(id: String, statusCode: Int?, error: String?) throws {
        try run(
            "UPDATE webhook_deliveries SET last_status_code = $1, last_error = $2 WHERE id = $3",
            [statusCode.map { .integer(Int64($0)) } ?? .null, error.postgresValue, .text(id)])
    }

    public func delivery(id: String) throws -> WebhookDelivery? {
        try queryFirst("\(Self.deliverySelect) WHERE d.id = $1", [.text(id)], WebhookDelivery.init(row:))
    }

    /// Newest first.
    public func deliveries(webhookID: String, page: PageRequest) throws -> Page<WebhookDelivery> {
        var conditions = PostgresConditions()
        conditions.add("d.webhook_id = ?", .text(webhookID))
        let total = try scalarInt("SELECT count(*) FROM webhook_deliveries d WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("d.seq < (SELECT seq FROM webhook_deliveries WHERE id = ?)", .text(after)) }
        let limit = conditions.placeholder(.integer(Int64(page.limit + 1)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "\(Self.deliverySelect) WHERE \(conditions.sql) ORDER BY d.seq DESC LIMIT \(limit) OFFSET \(offset)",
            conditions.arguments, WebhookDelivery.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    public func event(id: String) throws -> Event? {
        try queryFirst("SELECT \(Event.storedColumns) FROM events WHERE id = $1", [.text(id)], Event.init(row:))
    }
}
