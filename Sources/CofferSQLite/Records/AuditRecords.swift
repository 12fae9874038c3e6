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
        var conditions = Self.auditConditions(filter)
        let total = try scalarInt("SELECT count(*) FROM audit_events WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq < (SELECT seq FROM audit_events WHERE id = ?)", .text(after)) }
        let rows = try query(
            Self.auditPage(conditions), conditions.arguments + [.integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], AuditEvent.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    static func auditPage(_ conditions: SQLConditions) -> String {
        """
        SELECT seq, id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id FROM audit_events
        WHERE \(conditions.sql) ORDER BY seq DESC LIMIT ? OFFSET ?
        """
    }

    /// Only the filters given, so an actor's or an action's page is read from its index
    /// (`audit_events_actor`, `audit_events_action`) instead of the whole trail.
    static func auditConditions(_ filter: AuditFilter) -> SQLConditions {
        var conditions = SQLConditions()
        if let actorID = filter.actorID { conditions.add("actor_id = ?", .text(actorID)) }
        if let action = filter.action { conditions.add("action = ?", .text(action.rawValue)) }
        if let outcome = filter.outcome { conditions.add("outcome = ?", .text(outcome.rawValue)) }
        return conditions
    }
}
