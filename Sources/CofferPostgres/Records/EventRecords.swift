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

    /// In commit order: (transaction id, sequence). Only events of transactions older than every
    /// one still running are read, and a transaction that began first may number its event last
    /// (sequence numbers are taken at insert), so paging on the sequence alone could pass an event
    /// of a transaction that was still running for good. Two texts, not `$1 IS NULL OR …`, which
    /// cannot start an index scan at the cursor.
    public func outboxEntries(after: String?, limit: Int) throws -> [OutboxEntry] {
        let columns = "SELECT \(OutboxEntry.storedColumns) FROM events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())"
        guard let after else { return try query("\(columns) ORDER BY tx_id, seq LIMIT $1", [.integer(Int64(limit))], OutboxEntry.init(row:)) }
        return try query(
            "\(columns) AND (tx_id, seq) > (SELECT tx_id, seq FROM events WHERE id = $1) ORDER BY tx_id, seq LIMIT $2",
            [.text(after), .integer(Int64(limit))], OutboxEntry.init(row:))
    }

    /// Oldest first, keyset-paged in commit order as the relay reads (above): a later poll never
    /// finds an event behind its cursor.
    public func events(_ filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        var conditions = PostgresConditions("tx_id < pg_snapshot_xmin(pg_current_snapshot())")
        if let userID = filter.userID { conditions.add("(user_id = ? OR other_user_id = ?)", .text(userID), .text(userID)) }
        if let type = filter.type { conditions.add("type = ?", .text(type.rawValue)) }
        let total = try scalarInt("SELECT count(*) FROM events WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("(tx_id, seq) > (SELECT tx_id, seq FROM events WHERE id = ?)", .text(after)) }
        let limit = conditions.placeholder(.integer(Int64(page.limit)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "SELECT \(Event.storedColumns) FROM events WHERE \(conditions.sql) ORDER BY tx_id, seq LIMIT \(limit) OFFSET \(offset)",
            conditions.arguments, Event.init(row:))
        return Page.feed(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
