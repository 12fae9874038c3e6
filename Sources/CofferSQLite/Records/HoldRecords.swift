import CofferCore
import CofferStore

extension Database {
    static let holdColumns = """
        id, account_id, card_id, amount, captured_amount, currency, status, description, metadata, expires_at, created_at, updated_at
        """

    public func insertHold(_ hold: Hold) throws {
        try run(
            """
            INSERT INTO holds (id, account_id, card_id, amount, captured_amount, currency, status, description, metadata, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(hold.id), .text(hold.accountID), hold.cardID.sqliteValue, .integer(hold.amount), .integer(hold.capturedAmount),
                .text(hold.currency.code), .text(hold.storedStatus.rawValue), hold.description.sqliteValue, hold.metadata.storedText.sqliteValue,
                .integer(hold.expiresAt.millisecondsSinceEpoch), .integer(hold.createdAt.millisecondsSinceEpoch),
                .integer(hold.updatedAt.millisecondsSinceEpoch),
            ])
        try indexMetadata(hold.metadata, owner: .hold, id: hold.id)
    }

    public func hold(id: String) throws -> Hold? {
        try queryFirst("SELECT \(Self.holdColumns) FROM holds WHERE id = ?", [.text(id)], Hold.init(row:))
    }

    /// The batch's `BEGIN IMMEDIATE` already holds the one write lock.
    public func holdForUpdate(id: String) throws -> Hold? {
        try hold(id: id)
    }

    /// Newest first, keyset-paged on the holds' sequence.
    public func holds(_ filter: HoldFilter, page: PageRequest) throws -> Page<Hold> {
        var conditions = SQLConditions()
        if let accountID = filter.accountID { conditions.add("account_id = ?", .text(accountID)) }
        if let holderID = filter.holderID { conditions.add("account_id IN (SELECT id FROM accounts WHERE holder_id = ?)", .text(holderID)) }
        conditions.metadata(filter.metadata, owner: .hold, id: "id")
        let now = SQLiteValue.integer(filter.now.millisecondsSinceEpoch)
        switch filter.status {
        case nil: break
        case .pending?: conditions.add("status = 'pending' AND expires_at > ?", now)
        case .expired?: conditions.add("(status = 'expired' OR (status = 'pending' AND expires_at <= ?))", now)
        case let status?: conditions.add("status = ?", .text(status.rawValue))
        }
        let total = try scalarInt("SELECT count(*) FROM holds WHERE \(conditions.sql)", conditions.arguments)
        if let after = page.after { conditions.add("seq < (SELECT seq FROM holds WHERE id = ?)", .text(after)) }
        let rows = try query(
            "SELECT \(Self.holdColumns) FROM holds WHERE \(conditions.sql) ORDER BY seq DESC LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit + 1)), .integer(Int64(page.offset))], Hold.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    /// What the holds of the account in SQL `account` reserve at SQL `time`: those pending and not
    /// yet expired, summed in a scalar subquery. The one definition, for every query that needs it.
    static func pendingHoldsSum(account: String, at time: String) -> String {
        "(SELECT COALESCE(SUM(amount), 0) FROM holds WHERE account_id = \(account) AND status = 'pending' AND expires_at > \(time))"
    }

    private static let pendingHoldTotalSQL = "SELECT \(pendingHoldsSum(account: "?", at: "?"))"

    public func pendingHoldTotal(accountID: String, at now: Timestamp) throws -> Int64 {
        try scalarInt(Self.pendingHoldTotalSQL, [.text(accountID), .integer(now.millisecondsSinceEpoch)])
    }

    public func pendingHoldCount(accountID: String, at now: Timestamp) throws -> Int {
        Int(
            try scalarInt(
                "SELECT count(*) FROM holds WHERE account_id = ? AND status = 'pending' AND expires_at > ?",
                [.text(accountID), .integer(now.millisecondsSinceEpoch)]))
    }

    public func settleHold(id: String, to status: HoldStatus, capturedAmount: Int64, capturePostingID: String?, at time: Timestamp) throws -> Bool {
        try run(
            """
            UPDATE holds SET status = ?, captured_amount = ?, capture_posting_id = ?, updated_at = ?
            WHERE id = ? AND status = 'pending'
            """,
            [.text(status.rawValue), .integer(capturedAmount), capturePostingID.sqliteValue, .integer(time.millisecondsSinceEpoch), .text(id)]) == 1
    }

    public func expireHolds(accountID: String, at now: Timestamp) throws -> [Hold] {
        try query(
            """
            UPDATE holds SET status = 'expired', updated_at = ?1 WHERE account_id = ?2 AND status = 'pending' AND expires_at <= ?1
            RETURNING \(Self.holdColumns)
            """, [.integer(now.millisecondsSinceEpoch), .text(accountID)], Hold.init(row:)
        ).sorted { $0.id < $1.id }
    }
}
