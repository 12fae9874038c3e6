import CofferCore

extension Database {
    /// Appends to the audit trail. Call it inside the write transaction of the action it records,
    /// so the event exists exactly when the action does.
    public func appendAudit(_ event: AuditEvent) throws {
        try run(
            """
            INSERT INTO audit_events (id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip,
                                      server_request_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(event.id), .integer(event.at.millisecondsSinceEpoch), event.actorID.sqliteValue, .text(event.action.rawValue),
                event.targetType.sqliteValue, event.targetID.sqliteValue, .text(event.outcome.rawValue), event.reason.sqliteValue,
                event.requestID.sqliteValue, event.ip.sqliteValue, event.serverRequestID.sqliteValue,
            ])
    }

    /// Newest first, keyset-paged on the insertion sequence so concurrent appends never shift a page.
    public func auditEvents(_ filter: AuditFilter, page: PageRequest) throws -> Page<AuditEvent> {
        let where_ = "(?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR outcome = ?3)"
        let arguments: [SQLiteValue] = [filter.actorID.sqliteValue, (filter.action?.rawValue).sqliteValue, (filter.outcome?.rawValue).sqliteValue]
        let total = try scalarInt("SELECT count(*) FROM audit_events WHERE \(where_)", arguments)
        let rows = try query(
            """
            SELECT seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id FROM audit_events
            WHERE \(where_) AND (?4 IS NULL OR seq < (SELECT seq FROM audit_events WHERE id = ?4)) ORDER BY seq DESC LIMIT ?5 OFFSET ?6
            """,
            arguments + [page.after.sqliteValue, .integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], AuditEvent.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
