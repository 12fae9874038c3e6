import CofferCore
import CofferStore

extension PostgresSession {
    static let userColumns = "id, email, role, status, created_at, password_hash, plan"

    public func insertUser(_ user: User, passwordHash: String) throws {
        try run(
            "INSERT INTO users (id, email, password_hash, role, status, password_changed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
            [
                .text(user.id), .text(user.email), .text(passwordHash), .text(user.role.rawValue), .text(user.status.rawValue),
                .integer(user.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func user(email: String) throws -> StoredUser? {
        try queryFirst("SELECT \(Self.userColumns) FROM users WHERE email = $1", [.text(email)], StoredUser.init(row:))
    }

    public func user(id: String) throws -> StoredUser? {
        try queryFirst("SELECT \(Self.userColumns) FROM users WHERE id = $1", [.text(id)], StoredUser.init(row:))
    }

    public func updatePassword(userID: String, hash: String, changedAt: Timestamp?) throws {
        if let changedAt {
            try run(
                "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
                [.text(hash), .integer(changedAt.millisecondsSinceEpoch), .text(userID)])
        } else {
            try run("UPDATE users SET password_hash = $1 WHERE id = $2", [.text(hash), .text(userID)])
        }
    }

    public func updateUser(id: String, role: Role, status: UserStatus) throws {
        try run("UPDATE users SET role = $1, status = $2 WHERE id = $3", [.text(role.rawValue), .text(status.rawValue), .text(id)])
    }

    public func updateUserPlan(id: String, to plan: Plan) throws {
        try run("UPDATE users SET plan = $1 WHERE id = $2", [.text(plan.rawValue), .text(id)])
    }

    /// Users oldest first, optionally filtered by role and status.
    public func users(role: Role?, status: UserStatus?, page: PageRequest) throws -> Page<User> {
        let filter = "($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR status = $2)"
        let arguments: [PostgresValue] = [(role?.rawValue).postgresValue, (status?.rawValue).postgresValue]
        let total = try scalarInt("SELECT count(*) FROM users WHERE \(filter)", arguments)
        let items = try query(
            "SELECT \(Self.userColumns) FROM users WHERE \(filter) ORDER BY created_at, id LIMIT $3 OFFSET $4",
            arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))]
        ) { StoredUser(row: $0).user }
        return Page(items: items, total: Int(total), nextAfter: nil)
    }
}
