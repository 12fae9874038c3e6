import CofferCore
import CofferStore

extension Database {
    static let accountFrom = "FROM accounts a JOIN account_holders h ON h.id = a.holder_id"
    static let accountSelect = "SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata \(accountFrom)"
    /// The same columns, the latest posting time and the owner's plan, as `LockedAccount(row:)`
    /// reads them.
    static let lockedAccountSelect = """
        SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata, a.last_posted_at, u.plan
        \(accountFrom) JOIN users u ON u.id = h.user_id
        """

    public func insertAccount(_ account: Account) throws {
        try run(
            """
            INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at, metadata)
            VALUES (?, ?, 'customer', ?, ?, 0, ?, ?, ?)
            """,
            [
                .text(account.id), .text(account.holderID), .text(account.type.rawValue), .text(account.currency.code),
                .text(account.status.rawValue), .integer(account.createdAt.millisecondsSinceEpoch), account.metadata.storedText.sqliteValue,
            ])
        try indexMetadata(account.metadata, owner: .account, id: account.id)
    }

    /// A customer account (bank cash accounts are never returned here).
    public func account(id: String) throws -> Account? {
        try queryFirst("\(Self.accountSelect) WHERE a.id = ? AND a.kind = 'customer'", [.text(id)], Account.init(row:))
    }

    public func account(id: String, pendingHoldsAt time: Timestamp) throws -> Account? {
        try queryFirst(
            "\(Self.accountWithHoldsSelect) WHERE a.id = ?2 AND a.kind = 'customer'", [.integer(time.millisecondsSinceEpoch), .text(id)],
            Account.init(rowWithPendingHolds:))
    }

    /// `accountSelect` and the sum of the account's holds pending at `?1`.
    private static let accountWithHoldsSelect = """
        SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata,
            \(pendingHoldsSum(account: "a.id", at: "?1"))
        \(accountFrom)
        """

    public func accounts(holderID: String?, metadata: [String: String], page: PageRequest, pendingHoldsAt time: Timestamp?) throws -> Page<Account> {
        var conditions = SQLConditions("a.kind = 'customer'")
        if let holderID { conditions.add("a.holder_id = ?", .text(holderID)) }
        conditions.metadata(metadata, owner: .account, id: "a.id")
        let total = try scalarInt("SELECT count(*) FROM accounts a WHERE \(conditions.sql)", conditions.arguments)
        let paging: [SQLiteValue] = [.integer(Int64(page.limit)), .integer(Int64(page.offset))]
        let items: [Account]
        if let time {
            // ?1 is the time; the conditions' own `?` count on from there.
            items = try query(
                "\(Self.accountWithHoldsSelect) WHERE \(conditions.sql) ORDER BY a.seq LIMIT ? OFFSET ?",
                [.integer(time.millisecondsSinceEpoch)] + conditions.arguments + paging, Account.init(rowWithPendingHolds:))
        } else {
            items = try query(
                "\(Self.accountSelect) WHERE \(conditions.sql) ORDER BY a.seq LIMIT ? OFFSET ?", conditions.arguments + paging,
                Account.init(row:))
        }
        return Page(items: items, total: Int(total), nextAfter: nil)
    }

    public func updateAccountStatus(id: String, to status: AccountStatus) throws {
        try run("UPDATE accounts SET status = ? WHERE id = ? AND kind = 'customer'", [.text(status.rawValue), .text(id)])
    }

    /// Replaces the account's metadata.
    public func updateAccountMetadata(id: String, to metadata: Metadata) throws {
        try run("UPDATE accounts SET metadata = ? WHERE id = ? AND kind = 'customer'", [metadata.storedText.sqliteValue, .text(id)])
        try indexMetadata(metadata, owner: .account, id: id, replacing: true)
    }
}
