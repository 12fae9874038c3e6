import CofferCore
import CofferStore

extension Database {
    static let userColumns = "id, email, role, status, created_at, password_hash, plan"

    public func insertUser(_ user: User, passwordHash: String) throws {
        try run(
            "INSERT INTO users (id, email, password_hash, role, status, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(user.id), .text(user.email), .text(passwordHash), .text(user.role.rawValue), .text(user.status.rawValue),
                .integer(user.createdAt.millisecondsSinceEpoch), .integer(user.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func user(email: String) throws -> StoredUser? {
        try queryFirst("SELECT \(Self.userColumns) FROM users WHERE email = ?", [.text(email)], StoredUser.init(row:))
    }

    public func user(id: String) throws -> StoredUser? {
        try queryFirst("SELECT \(Self.userColumns) FROM users WHERE id = ?", [.text(id)], StoredUser.init(row:))
    }

    public func updatePassword(userID: String, hash: String, changedAt: Timestamp?) throws {
        if let changedAt {
            try run(
                "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                [.text(hash), .integer(changedAt.millisecondsSinceEpoch), .text(userID)])
        } else {
            try run("UPDATE users SET password_hash = ? WHERE id = ?", [.text(hash), .text(userID)])
        }
    }

    public func updateUser(id: String, role: Role, status: UserStatus) throws {
        try run("UPDATE users SET role = ?, status = ? WHERE id = ?", [.text(role.rawValue), .text(status.rawValue), .text(id)])
    }

    public func updateUserPlan(id: String, to plan: Plan) throws {
        try run("UPDATE users SET plan = ? WHERE id = ?", [.text(plan.rawValue), .text(id)])
    }

    /// Users oldest first, optionally filtered by role and status.
    public func users(role: Role?, status: UserStatus?, page: PageRequest) throws -> Page<User> {
        let filter = "(?1 IS NULL OR role = ?1) AND (?2 IS NULL OR status = ?2)"
        let arguments: [SQLiteValue] = [role.map { .text($0.rawValue) } ?? .null, status.map { .text($0.rawValue) } ?? .null]
        let total = try scalarInt("SELECT count(*) FROM users WHERE \(filter)", arguments)
        let items = try query(
            "SELECT \(Self.userColumns) FROM users WHERE \(filter) ORDER BY created_at, id LIMIT ?3 OFFSET ?4",
            arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))]
        ) { StoredUser(row: $0).user }
        return Page(items: items, total: Int(total), nextAfter: nil)
    }
}
