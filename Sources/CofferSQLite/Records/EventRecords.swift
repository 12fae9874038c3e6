import CofferCore
import CofferStore

extension Database {
    public func appendEvent(_ event: Event) throws {
        try run(
            "INSERT INTO events (id, type, created_at, data, user_id, other_user_id) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(event.id), .text(event.type.rawValue), .integer(event.createdAt.millisecondsSinceEpoch),
                .text(String(decoding: event.data.serialized(), as: UTF8.self)), .text(event.userIDs[0]),
                (event.userIDs.count > 1 && event.userIDs[1] != event.userIDs[0] ? event.userIDs[1] : nil).sqliteValue,
            ])
    }

    /// Two texts, not `?1 IS NULL OR seq > …`: with the OR, SQLite scanned the table from its
    /// first event on every poll of the webhook relay (`SCAN events`), on the writer, so the
    /// relay's cost grew with history and held up every transfer's batch behind it.
    static let eventsFromStart = "SELECT \(OutboxEntry.storedColumns) FROM events ORDER BY seq LIMIT ?1"
    static let eventsAfterCursor = """
        SELECT \(OutboxEntry.storedColumns) FROM events
        WHERE seq > (SELECT seq FROM events WHERE id = ?1) ORDER BY seq LIMIT ?2
        """

    public func outboxEntries(after: String?, limit: Int) throws -> [OutboxEntry] {
        guard let after else { return try query(Self.eventsFromStart, [.integer(Int64(limit))], OutboxEntry.init(row:)) }
        return try query(Self.eventsAfterCursor, [.text(after), .integer(Int64(limit))], OutboxEntry.init(row:))
    }

    /// Oldest first, keyset-paged on the outbox's sequence.
    public func events(_ filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        var conditions = SQLConditions()
        if let userID = filter.userID { conditions.add("(user_id = ? OR other_user_id = ?)", .text(userID), .text(userID)) }
        if let type = filter.type { conditions.add("type = ?", .text(type.rawValue)) }
        let total = try scalarInt("SELECT count(*) FROM events WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq > (SELECT seq FROM events WHERE id = ?)", .text(after)) }
        let rows = try query(
            "SELECT \(Event.storedColumns) FROM events WHERE \(conditions.sql) ORDER BY seq LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))], Event.init(row:))
        return Page.feed(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
