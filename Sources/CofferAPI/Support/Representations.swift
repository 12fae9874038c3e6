import CofferCore
import CofferServices

/// The JSON shapes of API.md's resources, in one place so every endpoint answers the same shape.
enum Representation {
    static func user(_ user: User) -> JSONValue {
        [
            "id": .string(user.id), "email": .string(user.email), "role": .string(user.role.rawValue),
            "status": .string(user.status.rawValue), "plan": .string(user.plan.rawValue), "created_at": .string(user.createdAt.rfc3339),
        ]
    }

    static func accountHolder(_ holder: AccountHolder?) -> JSONValue {
        guard let holder else { return .null }
        return [
            "id": .string(holder.id), "user_id": .string(holder.userID), "first_name": .string(holder.firstName),
            "last_name": .string(holder.lastName), "dob": .string(holder.dateOfBirth.iso8601),
            "created_at": .string(holder.createdAt.rfc3339),
        ]
    }

    static func session(_ session: Session) -> JSONValue {
        [
            "access_token": .string(session.accessToken), "token_type": "Bearer", "expires_in": .int(session.accessExpiresInSeconds),
            "refresh_token": .string(session.refreshToken), "refresh_expires_in": .int(session.refreshExpiresInSeconds),
            "user": user(session.user),
        ]
    }

    static func auditEvent(_ event: AuditEvent) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "id": .string(event.id), "at": .string(event.at.rfc3339), "actor_id": optional(event.actorID),
            "action": .string(event.action.rawValue), "target_type": optional(event.targetType),
            "target_id": optional(event.targetID), "outcome": .string(event.outcome.rawValue),
            "reason": optional(event.reason), "request_id": optional(event.requestID),
            "server_request_id": optional(event.serverRequestID), "ip": optional(event.ip),
        ]
    }

    static func job(_ job: Job) -> JSONValue {
        [
            "id": .string(job.id), "kind": .string(job.kind.rawValue), "status": .string(job.status.rawValue),
            "attempts": .int(job.attempts), "max_attempts": .int(job.maxAttempts), "run_at": .string(job.runAt.rfc3339),
            "last_error": job.lastError.map(JSONValue.string) ?? .null, "created_at": .string(job.createdAt.rfc3339),
        ]
    }

    /// `{"data": [...], "pagination": {...}}`, the envelope of every list.
    static func list<Item>(_ page: Page<Item>, request: PageRequest, _ render: (Item) -> JSONValue) -> JSONValue {
        [
            "data": .array(page.items.map(render)),
            "pagination": [
                "limit": .int(request.limit), "offset": .int(request.offset), "total": .int(page.total),
                "next_cursor": page.nextAfter.map { .string(ListQuery.cursor(after: $0, scope: request.scope ?? "")) } ?? .null,
            ],
        ]
    }
}
