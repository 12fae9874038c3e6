import CofferCore
import CofferStore

extension PostgresSession {
    public func appendEvent(_ event: Event) throws {
        try deferredWrite(
            "INSERT INTO events (id, type, created_at, data, user_id, other_user_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                .text(event.id), .text(event.type.rawValue), .integer(event.createdAt.millisecondsSinceEpoch),
                .text(String(decoding: event.data.serialized(), as: UTF8.self)), .text(event.userIDs[0]),
                (event.userIDs.count > 1 && event.userIDs[1] != event.userIDs[0] ? event.userIDs[1] : nil).postgresValue,
            ])
    }

    /// Two texts, not `$1 IS NULL OR seq > …`, which cannot start an index scan at the cursor
    /// and so read the table from its first event on every poll.
    public func events(after: String?, limit: Int) throws -> [Event] {
        let columns = "SELECT \(Event.storedColumns) FROM events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())"
        guard let after else { return try query("\(columns) ORDER BY seq LIMIT $1", [.integer(Int64(limit))], Event.init(row:)) }
        return try query(
            "\(columns) AND seq > (SELECT seq FROM events WHERE id = $1) ORDER BY seq LIMIT $2", [.text(after), .integer(Int64(limit))],
            Event.init(row:))
    }

    /// Oldest first, keyset-paged on the outbox's sequence. Only events of transactions older than
    /// every one still running are read, so a later poll never finds one behind its cursor.
    public func events(_ filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        var conditions = PostgresConditions("tx_id < pg_snapshot_xmin(pg_current_snapshot())")
        if let userID = filter.userID { conditions.add("(user_id = ? OR other_user_id = ?)", .text(userID), .text(userID)) }
        if let type = filter.type { conditions.add("type = ?", .text(type.rawValue)) }
        let total = try scalarInt("SELECT count(*) FROM events WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq > (SELECT seq FROM events WHERE id = ?)", .text(after)) }
        let limit = conditions.placeholder(.integer(Int64(page.limit)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "SELECT \(Event.storedColumns) FROM events WHERE \(conditions.sql) ORDER BY seq LIMIT \(limit) OFFSET \(offset)",
            conditions.arguments, Event.init(row:))
        return Page.feed(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
