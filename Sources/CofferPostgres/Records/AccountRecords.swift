import CofferCore

extension PostgresSession {
    static let accountFrom = "FROM accounts a JOIN account_holders h ON h.id = a.holder_id"
    static let accountSelect = "SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.seq \(accountFrom)"
    /// The same columns and the latest posting time, as `LockedAccount(row:)` reads them.
    static let lockedAccountSelect = """
        SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.seq, a.last_posted_at \(accountFrom)
        """

    public func insertAccount(_ account: Account) throws {
        try run(
            """
            INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at)
            VALUES ($1, $2, 'customer', $3, $4, 0, $5, $6)
            """,
            [
                .text(account.id), .text(account.holderID), .text(account.type.rawValue), .text(account.currency.code),
                .text(account.status.rawValue), .integer(account.createdAt.millisecondsSinceEpoch),
            ])
    }

    /// A customer account (bank cash accounts are never returned here).
    public func account(id: String) throws -> Account? {
        try queryFirst("\(Self.accountSelect) WHERE a.id = $1 AND a.kind = 'customer'", [.text(id)], Account.init(row:))
    }

    public func accounts(holderID: String?, page: PageRequest) throws -> Page<Account> {
        let filter = "a.kind = 'customer' AND ($1::text IS NULL OR a.holder_id = $1)"
        let total = try scalarInt("SELECT count(*) FROM accounts a WHERE \(filter)", [holderID.postgresValue])
        let items = try query(
            "\(Self.accountSelect) WHERE \(filter) ORDER BY a.seq LIMIT $2 OFFSET $3",
            [holderID.postgresValue, .integer(Int64(page.limit)), .integer(Int64(page.offset))], Account.init(row:))
        return Page(items: items, total: Int(total), nextAfter: nil)
    }

    public func updateAccountStatus(id: String, to status: AccountStatus) throws {
        try run("UPDATE accounts SET status = $1 WHERE id = $2 AND kind = 'customer'", [.text(status.rawValue), .text(id)])
    }
}
