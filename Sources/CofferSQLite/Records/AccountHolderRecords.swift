import CofferCore

extension Database {
    static let holderColumns = "id, user_id, first_name, last_name, dob, created_at"

    public func insertAccountHolder(_ holder: AccountHolder) throws {
        try run(
            "INSERT INTO account_holders (id, user_id, first_name, last_name, dob, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(holder.id), .text(holder.userID), .text(holder.firstName), .text(holder.lastName),
                .text(holder.dateOfBirth.iso8601), .integer(holder.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func accountHolder(id: String) throws -> AccountHolder? {
        try queryFirst("SELECT \(Self.holderColumns) FROM account_holders WHERE id = ?", [.text(id)], AccountHolder.init(row:))
    }

    public func accountHolder(userID: String) throws -> AccountHolder? {
        try queryFirst("SELECT \(Self.holderColumns) FROM account_holders WHERE user_id = ?", [.text(userID)], AccountHolder.init(row:))
    }

    /// Holders oldest first; only `userID`'s when given (found by its unique index, not a scan).
    public func accountHolders(userID: String?, page: PageRequest) throws -> Page<AccountHolder> {
        var conditions = SQLConditions()
        if let userID { conditions.add("user_id = ?", .text(userID)) }
        let total = try scalarInt("SELECT count(*) FROM account_holders WHERE \(conditions.sql)", conditions.arguments)
        let items = try query(
            "SELECT \(Self.holderColumns) FROM account_holders WHERE \(conditions.sql) ORDER BY created_at, id LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))], AccountHolder.init(row:))
        return Page(items: items, total: Int(total), nextAfter: nil)
    }
}
