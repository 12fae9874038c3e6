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
    /// finds an event behind its cursor. A user's page is taken from each side an event can name
    /// them on, each read in commit order from its index (`events_user_commit_order`,
    /// `events_other_user_commit_order`) from the cursor on and no deeper than the page, as on
    /// SQLite (whose comment has the figures); an event names two users only when they differ.
    public func events(_ filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        let committed = "tx_id < pg_snapshot_xmin(pg_current_snapshot())"
        if let userID = filter.userID {
            /// One side's filter, numbered in `statement`: each statement numbers its placeholders
            /// once, side after side.
            func sideFilter(_ column: String, in statement: inout PostgresConditions) -> String {
                var clause = "\(column) = \(statement.placeholder(.text(userID))) AND \(committed)"
                if let type = filter.type { clause += " AND type = \(statement.placeholder(.text(type.rawValue)))" }
                return clause
            }
            var counting = PostgresConditions()
            var statement = PostgresConditions()
            var counts: [String] = []
            var sides: [String] = []
            for column in ["user_id", "other_user_id"] {
                counts.append("(SELECT count(*) FROM events WHERE \(sideFilter(column, in: &counting)))")
                var side = sideFilter(column, in: &statement)
                if let after = page.after {
                    side += " AND (tx_id, seq) > (SELECT tx_id, seq FROM events WHERE id = \(statement.placeholder(.text(after))))"
                }
                let depth = statement.placeholder(.integer(Int64(page.limit + page.offset)))
                sides.append("(SELECT seq FROM events WHERE \(side) ORDER BY tx_id, seq LIMIT \(depth))")
            }
            let total = try scalarInt("SELECT \(counts.joined(separator: " + "))", counting.arguments)
            let limit = statement.placeholder(.integer(Int64(page.limit)))
            let offset = statement.placeholder(.integer(Int64(page.offset)))
            let rows = try query(
                """
                SELECT \(Event.storedColumns) FROM events WHERE seq IN (\(sides.joined(separator: " UNION ALL ")))
                ORDER BY tx_id, seq LIMIT \(limit) OFFSET \(offset)
                """, statement.arguments, Event.init(row:))
            return Page.feed(rows, id: \.id, limit: page.limit, total: Int(total))
        }
        var conditions = PostgresConditions(committed)
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
