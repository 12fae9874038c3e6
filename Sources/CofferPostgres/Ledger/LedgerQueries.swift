import CofferCore
import CofferStore

extension PostgresSession {
    static let transactionSelect = """
        SELECT p.seq, p.id, p.account_id, p.type, p.amount, p.currency, p.balance_after, p.description, p.transfer_id, p.created_at,
            p.metadata, p.reverses_id, (SELECT r.id FROM postings r WHERE r.reverses_id = p.id)
        FROM postings p JOIN accounts a ON a.id = p.account_id
        """

    public func transaction(id: String) throws -> LedgerTransaction? {
        try queryFirst("\(Self.transactionSelect) WHERE p.id = $1 AND a.kind = 'customer'", [.text(id)]) { LedgerTransaction(row: $0) }
    }

    /// Newest first, keyset-paged (the cursor carries a posting id). An account's or a holder's
    /// pages go in time order (the sequence breaking ties), which walks each account's range of
    /// the (account_id, created_at, seq) index newest first and stops at the page's end; in
    /// sequence order a customer's every page read and sorted their whole history. Staff's lists
    /// of every account follow the sequence, newest first.
    public func transactions(_ filter: TransactionFilter, page: PageRequest) throws -> Page<LedgerTransaction> {
        var conditions = PostgresConditions("a.kind = 'customer'")
        if let accountID = filter.accountID { conditions.add("p.account_id = ?", .text(accountID)) }
        if let holderID = filter.holderID { conditions.add("a.holder_id = ?", .text(holderID)) }
        if let type = filter.type { conditions.add("p.type = ?", .text(type.rawValue)) }
        if let from = filter.from { conditions.add("p.created_at >= ?", .integer(from.millisecondsSinceEpoch)) }
        if let until = filter.until { conditions.add("p.created_at < ?", .integer(until.millisecondsSinceEpoch)) }
        conditions.metadata(filter.metadata, owner: .transaction, id: "p.id")
        let total = try transactionCount(filter, conditions)
        let inTimeOrder = filter.accountID != nil || filter.holderID != nil
        if let after = page.after {
            conditions.add(
                inTimeOrder ? "(p.created_at, p.seq) < (SELECT created_at, seq FROM postings WHERE id = ?)" : "p.seq < (SELECT seq FROM postings WHERE id = ?)",
                .text(after))
        }
        let limit = conditions.placeholder(.integer(Int64(page.limit + 1)))
        let offset = conditions.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "\(Self.transactionSelect) WHERE \(conditions.sql) ORDER BY \(inTimeOrder ? "p.created_at DESC, p.seq DESC" : "p.seq DESC") LIMIT \(limit) OFFSET \(offset)",
            conditions.arguments, LedgerTransaction.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    /// The list's `total`: the accounts' cached posting counts when only the account or holder
    /// narrows it (no history walked), else a count over the filtered range.
    private func transactionCount(_ filter: TransactionFilter, _ conditions: PostgresConditions) throws -> Int64 {
        guard filter.type == nil, filter.from == nil, filter.until == nil, filter.metadata.isEmpty else {
            return try scalarInt(
                "SELECT count(*) FROM postings p JOIN accounts a ON a.id = p.account_id WHERE \(conditions.sql)", conditions.arguments)
        }
        var accounts = PostgresConditions("kind = 'customer'")
        if let accountID = filter.accountID { accounts.add("id = ?", .text(accountID)) }
        if let holderID = filter.holderID { accounts.add("holder_id = ?", .text(holderID)) }
        return try scalarInt("SELECT COALESCE(SUM(posting_count), 0) FROM accounts WHERE \(accounts.sql)", accounts.arguments)
    }

    // MARK: Transfers

    static let transferSelect = """
        SELECT seq, id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id,
            (SELECT r.id FROM transfers r WHERE r.reverses_id = transfers.id)
        FROM transfers
        """

    public func transfer(id: String) throws -> Transfer? {
        try queryFirst("\(Self.transferSelect) WHERE id = $1", [.text(id)]) { Transfer(row: $0) }
    }

    /// Newest first; either side may match the account or the holder. A customer's page is taken
    /// from each of their accounts' two indexes (`transfers_from`, `transfers_to`), each read newest
    /// first and no deeper than the page: the OR of the two indexes read and sorted the account's
    /// whole history on every page. Staff's list of every transfer follows the sequence.
    public func transfers(accountID: String?, holderID: String?, metadata: [String: String], page: PageRequest) throws -> Page<Transfer> {
        var conditions = PostgresConditions()
        if let accountID { conditions.add("(from_account_id = ? OR to_account_id = ?)", .text(accountID), .text(accountID)) }
        if let holderID {
            conditions.add(
                "(from_account_id IN (SELECT id FROM accounts WHERE holder_id = ?) OR to_account_id IN (SELECT id FROM accounts WHERE holder_id = ?))",
                .text(holderID), .text(holderID))
        }
        conditions.metadata(metadata, owner: .transfer, id: "id")
        let total = try scalarInt("SELECT count(*) FROM transfers WHERE \(conditions.sql)", conditions.arguments)
        guard accountID != nil || holderID != nil else {
            if let after = page.after { conditions.add("seq < (SELECT seq FROM transfers WHERE id = ?)", .text(after)) }
            let limit = conditions.placeholder(.integer(Int64(page.limit + 1)))
            let offset = conditions.placeholder(.integer(Int64(page.offset)))
            let rows = try query(
                "\(Self.transferSelect) WHERE \(conditions.sql) ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)", conditions.arguments,
                Transfer.init(row:))
            return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
        }
        var accounts = accountID.map { [$0] } ?? []
        if let holderID {
            let own = try query("SELECT id FROM accounts WHERE holder_id = $1", [.text(holderID)]) { $0.text(0) }
            accounts = accountID == nil ? own : accounts.filter(own.contains)
        }
        guard !accounts.isEmpty else { return Page.keyset([], id: \.id, limit: page.limit, total: Int(total)) }
        // One numbering of the placeholders for the whole statement, side after side.
        var statement = PostgresConditions()
        let depth = PostgresValue.integer(Int64(page.limit + 1 + page.offset))
        var sides: [String] = []
        for account in accounts {
            for column in ["from_account_id", "to_account_id"] {
                var side = "\(column) = \(statement.placeholder(.text(account)))"
                for clause in statement.metadataClauses(metadata, owner: .transfer, id: "id") { side += " AND \(clause)" }
                if let after = page.after { side += " AND seq < (SELECT seq FROM transfers WHERE id = \(statement.placeholder(.text(after))))" }
                sides.append("(SELECT seq FROM transfers WHERE \(side) ORDER BY seq DESC LIMIT \(statement.placeholder(depth)))")
            }
        }
        let limit = statement.placeholder(.integer(Int64(page.limit + 1)))
        let offset = statement.placeholder(.integer(Int64(page.offset)))
        let rows = try query(
            "\(Self.transferSelect) WHERE seq IN (\(sides.joined(separator: " UNION ALL "))) ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)",
            statement.arguments, Transfer.init(row:))
        return Page.keyset(rows, id: \.id, limit: page.limit, total: Int(total))
    }

    // MARK: Statements

    /// The account's journal is in time order along its sequence (the engine never dates a posting
    /// before its account's latest), so the last posting by (time, sequence) at or before `time`
    /// carries the balance then; the (account_id, created_at, seq) index finds it.
    public func balance(accountID: String, asOf time: Timestamp) throws -> Int64 {
        try scalarInt(
            """
            SELECT balance_after FROM postings WHERE account_id = $1 AND created_at <= $2
            ORDER BY created_at DESC, seq DESC LIMIT 1
            """, [.text(accountID), .integer(time.millisecondsSinceEpoch)])
    }

    /// When the account's history begins (seed data and imports may predate the account row).
    public func firstPostingTime(accountID: String) throws -> Timestamp? {
        try queryFirst("SELECT MIN(created_at) FROM postings WHERE account_id = $1", [.text(accountID)]) {
            $0.optionalInt64(0).map(Timestamp.init(millisecondsSinceEpoch:))
        } ?? nil
    }

    /// Balances and totals over `[from, until)`. PostgreSQL sums bigints as numeric, which does
    /// not overflow; each sum is still split into the parts above and below 10^9 (as on SQLite)
    /// so that every value read back fits 64 bits, and joined with checked arithmetic: a period
    /// whose totals do not fit in 64 bits answers nil.
    public func statementTotals(accountID: String, from: Timestamp, until: Timestamp) throws -> StatementTotals? {
        let totals = try queryFirst(
            """
            SELECT COALESCE(SUM(amount / 1000000000) FILTER (WHERE created_at < $2), 0),
                   COALESCE(SUM(amount % 1000000000) FILTER (WHERE created_at < $2), 0),
                   COALESCE(SUM(amount / 1000000000) FILTER (WHERE created_at >= $2 AND amount > 0), 0),
                   COALESCE(SUM(amount % 1000000000) FILTER (WHERE created_at >= $2 AND amount > 0), 0),
                   COALESCE(SUM(-amount / 1000000000) FILTER (WHERE created_at >= $2 AND amount < 0), 0),
                   COALESCE(SUM(-amount % 1000000000) FILTER (WHERE created_at >= $2 AND amount < 0), 0),
                   count(*) FILTER (WHERE created_at >= $2)
            FROM postings WHERE account_id = $1 AND created_at < $3
            """, [.text(accountID), .integer(from.millisecondsSinceEpoch), .integer(until.millisecondsSinceEpoch)]
        ) { row in
            (
                opening: ExactSum.join(high: row.int64(0), low: row.int64(1)),
                credits: ExactSum.join(high: row.int64(2), low: row.int64(3)),
                debits: ExactSum.join(high: row.int64(4), low: row.int64(5)), count: Int(row.int64(6))
            )
        }
        guard let totals else { preconditionFailure("an aggregate query always answers one row") }
        guard let opening = totals.opening, let credits = totals.credits, let debits = totals.debits,
            let closing = opening.addingChecked(credits)?.subtractingChecked(debits)
        else { return nil }
        return StatementTotals(opening: opening, credits: credits, debits: debits, closing: closing, count: totals.count)
    }

    /// One text with one lower bound, the cursor's place or the period's start: given both, and
    /// `$4 IS NULL OR seq > …` besides, every page after the first read the period from its start.
    static let statementLinesFrom = """
        \(transactionSelect) WHERE p.account_id = $1 AND (p.created_at, p.seq) > ($2, $3) AND p.created_at < $4
        ORDER BY p.created_at, p.seq LIMIT $5 OFFSET $6
        """

    /// Statement lines oldest first, continuing after the posting `page.after`. The journal's time
    /// order is its sequence's for one account (the engine never dates a posting earlier).
    public func statementLines(accountID: String, from: Timestamp, until: Timestamp, page: PageRequest) throws -> Page<LedgerTransaction> {
        // Sequences start at 1, so (from, 0) comes before every posting of the period's first millisecond.
        var start = (time: from.millisecondsSinceEpoch, seq: Int64(0))
        if let after = page.after {
            guard let cursor = try queryFirst("SELECT created_at, seq FROM postings WHERE id = $1", [.text(after)], { (time: $0.int64(0), seq: $0.int64(1)) })
            else { return Page(items: [], total: 0, nextAfter: nil) }
            if cursor.time >= start.time { start = cursor }
        }
        let rows = try query(
            Self.statementLinesFrom,
            [
                .text(accountID), .integer(start.time), .integer(start.seq), .integer(until.millisecondsSinceEpoch),
                .integer(Int64(page.limit + 1)), .integer(Int64(page.offset)),
            ], LedgerTransaction.init(row:))
        // The caller knows the period's count from the totals; this page only carries the lines.
        return Page.keyset(rows, id: \.id, limit: page.limit, total: min(rows.count, page.limit))
    }
}
