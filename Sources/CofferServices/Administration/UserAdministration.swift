import CofferCore
import CofferCrypto
import CofferStore

/// The admin side of identity: listing users, changing roles and status, reading the audit
/// trail, and creating admins from the command line.
public struct UserAdministration {
    let store: any Store
    let clock: Clock

    public init(store: any Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func users(role: Role?, status: UserStatus?, page: PageRequest) throws -> Page<User> {
        try store.read { db in try db.users(role: role, status: status, page: page) }
    }

    /// Changes a user's role and/or status. Suspension also revokes their refresh tokens; their
    /// access tokens stop working at once because every request re-reads the status.
    public func update(userID: String, role: Role?, status: UserStatus?, by admin: Principal, origin: RequestOrigin) throws -> User {
        precondition(admin.role == .admin, "only admins reach user updates")
        guard userID != admin.userID else {
            throw AppError(.forbidden, "Admins cannot change their own role or status.")
        }
        let audit = AuditRecorder(origin: origin, clock: clock)
        return try store.write { db in
            guard let seen = try db.user(id: userID)?.user else { throw AppError(.notFound, "There is no user with this id.") }
            // Read again under the email's lock (logins and other admins' changes take it too): on
            // PostgreSQL a concurrent change would otherwise be written over with what was read.
            try db.lockEmail(seen.email)
            guard let current = try db.user(id: userID)?.user else { throw AppError(.notFound, "There is no user with this id.") }
            let newRole = role ?? current.role
            let newStatus = status ?? current.status
            try db.updateUser(id: userID, role: newRole, status: newStatus)
            if newStatus == .suspended { try db.revokeRefreshTokens(userID: userID, at: clock.now()) }
            try audit.record(
                db, .userUpdate, actor: admin.userID, target: ("user", userID),
                reason: "role=\(newRole.rawValue),status=\(newStatus.rawValue)")
            return current.with(role: newRole, status: newStatus)
        }
    }

    /// Puts a user on `plan` (`standard` revokes a grant). The limits apply from the user's next
    /// request: every check reads the owner's plan inside its own transaction. An admin may
    /// change their own plan; it grants no power over anyone else.
    public func setPlan(userID: String, to plan: Plan, reason: String?, by admin: Principal, origin: RequestOrigin) throws -> User {
        precondition(admin.role == .admin, "only admins reach plan changes")
        let audit = AuditRecorder(origin: origin, clock: clock)
        return try store.write { db in
            guard let current = try db.user(id: userID)?.user else { throw AppError(.notFound, "There is no user with this id.") }
            try db.updateUserPlan(id: userID, to: plan)
            let change = "plan=\(current.plan.rawValue)->\(plan.rawValue)"
            try audit.record(
                db, .planChange, actor: admin.userID, target: ("user", userID), reason: reason.map { "\(change): \($0)" } ?? change)
            return current.with(plan: plan)
        }
    }

    /// Counts and totals for `/v1/admin/stats`; "today" is the current UTC day.
    public func stats() throws -> ServiceStats {
        try store.read { try $0.stats(dayStart: clock.now().date.startOfDay) }
    }

    public func auditEvents(_ filter: AuditFilter, page: PageRequest) throws -> Page<AuditEvent> {
        try store.read { db in try db.auditEvents(filter, page: page) }
    }

    /// Creates an admin, or promotes an existing user and sets their password (revoking their
    /// sessions). Used by `coffer create-admin`, where the operator already holds the database.
    public func createAdmin(email rawEmail: String, password: String, hashing: PasswordHasher.Parameters) throws -> (User, created: Bool) {
        let email = IdentityRules.normalizedEmail(rawEmail)
        var problems: [FieldError] = []
        if let problem = IdentityRules.emailProblem(email) { problems.append(FieldError("email", problem)) }
        if let problem = IdentityRules.passwordProblem(password, minimum: IdentityRules.adminPasswordLengthMin) {
            problems.append(FieldError("password", problem))
        }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        let hash = try PasswordHasher(parameters: hashing).hash(password)
        let audit = AuditRecorder(origin: .commandLine, clock: clock)
        return try store.write { db in
            try db.lockEmail(email)
            let now = clock.now()
            if let existing = try db.user(email: email)?.user {
                try db.updateUser(id: existing.id, role: .admin, status: .active)
                try db.updatePassword(userID: existing.id, hash: hash, changedAt: now)
                try db.revokeRefreshTokens(userID: existing.id, at: now)
                try audit.record(db, .userUpdate, actor: nil, target: ("user", existing.id), reason: "role=admin,status=active")
                return (existing.with(role: .admin, status: .active), false)
            }
            let user = User(id: Identifier.make(at: now), email: email, role: .admin, status: .active, createdAt: now)
            try db.insertUser(user, passwordHash: hash)
            try audit.record(db, .userUpdate, actor: nil, target: ("user", user.id), reason: "created admin")
            return (user, true)
        }
    }
}
