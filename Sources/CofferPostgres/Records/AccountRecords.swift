import CofferCore
import CofferStore

extension PostgresSession {
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
            VALUES ($1, $2, 'customer', $3, $4, 0, $5, $6, $7)
            """,
            [
                .text(account.id), .text(account.holderID), .text(account.type.rawValue), .text(account.currency.code),
                .text(account.status.rawValue), .integer(account.createdAt.millisecondsSinceEpoch), account.metadata.storedText.postgresValue,
            ])
        try indexMetadata(account.metadata, owner: .account, id: account.id)
    }

    /// A customer account (bank cash accounts are never returned here).
    public func account(id: String) throws -> Account? {
        try queryFirst("\(Self.accountSelect) WHERE a.id = $1 AND a.kind = 'customer'", [.text(id)], Account.init(row:))
    }

    public func account(id: String, pendingHoldsAt time: Timestamp) throws -> Account? {
        try queryFirst(
            "\(Self.accountWithHoldsSelect("$2")) WHERE a.id = $1 AND a.kind = 'customer'", [.text(id), .integer(time.millisecondsSinceEpoch)],
            Account.init(rowWithPendingHolds:))
    }

    /// `accountSelect` and the sum of the account's holds pending at the time in `placeholder`.
    private static func accountWithHoldsSelect(_ placeholder: String) -> String {
        """
        SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata,
            \(pendingHoldsSum(account: "a.id", at: placeholder))::bigint
        \(accountFrom)
        """
    }

    public func accounts(holderID: String?, metadata: [String: String], page: PageRequest, pendingHoldsAt time: Timestamp?) throws -> Page<Account> {
        var conditions = PostgresConditions("a.kind = 'customer'")
        if let holderID { conditions.add("a.holder_id = ?", .text(holderID)) }
        conditions.metadata(metadata, owner: .account, id: "a.id")
        let total = try scalarInt("SELECT count(*) FROM accounts a WHERE \(conditions.sql)", conditions.arguments)
        // After the count, whose statement must not carry parameters it never reads.
        let select = time.map { Self.accountWithHoldsSelect(conditions.placeholder(.integer($0.millisecondsSinceEpoch))) } ?? Self.accountSelect
        let limit = conditions.placeholder(.integer(Int64(page.limit)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let items = try query(
            "\(select) WHERE \(conditions.sql) ORDER BY a.seq LIMIT \(limit) OFFSET \(offset)", conditions.arguments,
            time == nil ? Account.init(row:) : Account.init(rowWithPendingHolds:))
        return Page(items: items, total: Int(total), nextAfter: nil)
    }

    public func updateAccountStatus(id: String, to status: AccountStatus) throws {
        try run("UPDATE accounts SET status = $1 WHERE id = $2 AND kind = 'customer'", [.text(status.rawValue), .text(id)])
    }

    /// Replaces the account's metadata.
    public func updateAccountMetadata(id: String, to metadata: Metadata) throws {
        try run("UPDATE accounts SET metadata = $1 WHERE id = $2 AND kind = 'customer'", [metadata.storedText.postgresValue, .text(id)])
        try indexMetadata(metadata, owner: .account, id: id, replacing: true)
    }
}
