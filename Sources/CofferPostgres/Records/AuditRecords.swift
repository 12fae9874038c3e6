import CofferCore

extension PostgresSession {
    /// Appends to the audit trail, inside the write transaction of the action it records.
    public func appendAudit(_ event: AuditEvent) throws {
        try deferredWrite(
            """
            INSERT INTO audit_events (id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip,
                                      server_request_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                .text(event.id), .integer(event.at.millisecondsSinceEpoch), event.actorID.postgresValue, .text(event.action.rawValue),
                event.targetType.postgresValue, event.targetID.postgresValue, .text(event.outcome.rawValue), event.reason.postgresValue,
                event.requestID.postgresValue, event.ip.postgresValue, event.serverRequestID.postgresValue,
            ])
    }

    /// Newest first, keyset-paged on the insertion sequence so concurrent appends never shift a page.
    public func auditEvents(_ filter: AuditFilter, page: PageRequest) throws -> Page<AuditEvent> {
        let where_ = "($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR outcome = $3)"
        let arguments: [PostgresValue] = [
            filter.actorID.postgresValue, (filter.action?.rawValue).postgresValue, (filter.outcome?.rawValue).postgresValue,
        ]
        let total = try scalarInt("SELECT count(*) FROM audit_events WHERE \(where_)", arguments)
        let rows = try query(
            """
            SELECT seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id FROM audit_events
            WHERE \(where_) AND ($4::text IS NULL OR seq < (SELECT seq FROM audit_events WHERE id = $4))
            ORDER BY seq DESC LIMIT $5 OFFSET $6
            """,
            arguments + [page.after.postgresValue, .integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], AuditEvent.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
