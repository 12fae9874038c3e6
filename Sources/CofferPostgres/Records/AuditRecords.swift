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
    /// Only the filters given appear, so an actor's or an action's page comes from its index.
    public func auditEvents(_ filter: AuditFilter, page: PageRequest) throws -> Page<AuditEvent> {
        var conditions = PostgresConditions()
        if let actorID = filter.actorID { conditions.add("actor_id = ?", .text(actorID)) }
        if let action = filter.action { conditions.add("action = ?", .text(action.rawValue)) }
        if let outcome = filter.outcome { conditions.add("outcome = ?", .text(outcome.rawValue)) }
        let total = try scalarInt("SELECT count(*) FROM audit_events WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq < (SELECT seq FROM audit_events WHERE id = ?)", .text(after)) }
        let limit = conditions.placeholder(.integer(Int64(page.limit + 1)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            """
            SELECT seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id FROM audit_events
            WHERE \(conditions.sql) ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)
            """,
            conditions.arguments, AuditEvent.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }
}
