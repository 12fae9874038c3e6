import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/admin/users` and `/v1/admin/audit-events`: support may read, only admin may change.
struct AdminHandlers {
    let administration: UserAdministration
    let authenticator: Authenticator

    func register(in router: inout Router) {
        router.add(.get, "/v1/admin/users") { context in
            _ = try authenticator.principal(&context, roles: [.support, .admin])
            let query = try ListQuery(context.request, filters: ["role", "status"])
            let page = try administration.users(
                role: try query.choice("role", as: Role.self),
                status: try query.choice("status", as: UserStatus.self), page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.user))
        }
        router.add(.patch, "/v1/admin/users/{id}") { context in
            let admin = try authenticator.principal(&context, roles: [.admin])
            var fields = try RequestBody.fields(of: context.request)
            let role = fields.choice("role", of: Role.allCases.map(\.rawValue), required: false).flatMap(Role.init(rawValue:))
            let status = fields.choice("status", of: UserStatus.allCases.map(\.rawValue), required: false).flatMap(UserStatus.init(rawValue:))
            if role == nil && status == nil && fields.errors.isEmpty { fields.fail("role", "or status is required") }
            try fields.finish()
            let user = try administration.update(userID: context.parameter("id"), role: role, status: status, by: admin, origin: context.origin)
            return .json(Representation.user(user))
        }
        router.add(.put, "/v1/admin/users/{id}/plan") { context in
            let admin = try authenticator.principal(&context, roles: [.admin])
            var fields = try RequestBody.fields(of: context.request)
            let plan = fields.choice("plan", of: Plan.allCases.map(\.rawValue)).flatMap(Plan.init(rawValue:))
            // An empty reason is no reason: the audit row says only what changed.
            let reason = fields.string("reason", required: false, maxLength: MoneyRules.descriptionLengthMax).flatMap { $0.isEmpty ? nil : $0 }
            try fields.finish()
            guard let plan else { preconditionFailure("finish() throws when a required field is missing") }
            let user = try administration.setPlan(
                userID: context.parameter("id"), to: plan, reason: reason, by: admin, origin: context.origin)
            return .json(Representation.user(user))
        }
        router.add(.delete, "/v1/admin/users/{id}/plan") { context in
            let admin = try authenticator.principal(&context, roles: [.admin])
            try RequestBody.emptyOrObject(context.request)
            let user = try administration.setPlan(
                userID: context.parameter("id"), to: .standard, reason: nil, by: admin, origin: context.origin)
            return .json(Representation.user(user))
        }
        router.add(.get, "/v1/admin/stats") { context in
            _ = try authenticator.principal(&context, roles: [.support, .admin])
            _ = try ListQuery(context.request, filters: [])
            let stats = try administration.stats()
            return .json([
                "users": ["total": .int(stats.users.total), "active": .int(stats.users.active), "suspended": .int(stats.users.suspended)],
                "accounts": [
                    "total": .int(stats.accounts.total), "active": .int(stats.accounts.active),
                    "frozen": .int(stats.accounts.frozen), "closed": .int(stats.accounts.closed),
                ],
                "balances": .array(stats.balances.map { ["currency": .string($0.currency), "total": .int($0.total)] }),
                "transfers_today": .int(stats.transfersToday),
            ])
        }
        router.add(.get, "/v1/admin/audit-events") { context in
            _ = try authenticator.principal(&context, roles: [.support, .admin])
            let query = try ListQuery(context.request, filters: ["actor_id", "action", "outcome"], keyset: "audit-events")
            let filter = AuditFilter(
                actorID: query.value("actor_id"), action: try query.choice("action", as: AuditEvent.Action.self),
                outcome: try query.choice("outcome", as: AuditEvent.Outcome.self))
            let page = try administration.auditEvents(filter, page: query.page)
            return .json(Representation.list(page, request: query.page, Representation.auditEvent))
        }
    }
}
