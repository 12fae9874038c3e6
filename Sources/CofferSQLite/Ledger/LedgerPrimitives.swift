import CofferCore
import CofferStore

/// The few writes the ledger engine composes. On SQLite the batch's `BEGIN IMMEDIATE` already
/// holds the one write lock, so "for update" needs no row lock of its own.
extension Database {
    /// One lookup per id: `IN (…)` would make SQLite build a temporary table per statement.
    public func accountsForUpdate(ids: [String]) throws -> [LockedAccount] {
        try Set(ids).sorted().compactMap { id in try queryFirst(Self.lockedCustomerAccountSQL, [.text(id)], LockedAccount.init(row:)) }
    }

    /// Built once: every transfer runs it twice, on the committer's thread.
    private static let lockedCustomerAccountSQL = "\(lockedAccountSelect) WHERE a.id = ? AND a.kind = 'customer'"

    /// One per currency: SQLite has one writer, so there is no lock to spread.
    public func bankCashAccount(currency: Currency, for accountID: String, at time: Timestamp) throws -> BankCashAccount {
        try run(
            """
            INSERT OR IGNORE INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at)
            VALUES (?, NULL, 'bank_cash', NULL, ?, 0, 'active', ?)
            """, [.text(Identifier.make(at: time)), .text(currency.code), .integer(time.millisecondsSinceEpoch)])
        guard
            let cash = try queryFirst(
                "SELECT id, balance FROM accounts WHERE kind = 'bank_cash' AND currency = ?",
                [.text(currency.code)], { BankCashAccount(id: $0.text(0), balance: $0.int64(1)) })
        else {
            preconditionFailure("bank cash account for \(currency.code) missing right after it was ensured")
        }
        return cash
    }

    /// Built once: the transfer path runs it on every outflow.
    private static let outflowFiguresSQL = """
        SELECT (SELECT COALESCE(SUM(total), 0) FROM daily_outflows WHERE account_id = ?1 AND day = ?2),
               \(pendingHoldsSum(account: "?1", at: "?3"))
        """

    public func outflowFigures(accountID: String, day: CivilDate, at time: Timestamp) throws -> OutflowFigures {
        let figures = try queryFirst(
            Self.outflowFiguresSQL, [.text(accountID), .integer(day.daysSinceEpoch), .integer(time.millisecondsSinceEpoch)]
        ) { OutflowFigures(usedToday: $0.int64(0), held: $0.int64(1)) }
        guard let figures else { preconditionFailure("a SELECT without FROM answers one row") }
        return figures
    }

    public func insertTransfer(_ transfer: Transfer) throws {
        try run(
            """
            INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(transfer.id), .text(transfer.fromAccountID), .text(transfer.toAccountID), .integer(transfer.amount),
                .text(transfer.currency.code), transfer.description.sqliteValue, .integer(transfer.createdAt.millisecondsSinceEpoch),
                transfer.metadata.storedText.sqliteValue, transfer.reversesID.sqliteValue,
            ])
        try indexMetadata(transfer.metadata, owner: .transfer, id: transfer.id)
    }

    public func appendPosting(_ posting: JournalPosting) throws {
        try run(
            """
            INSERT INTO postings (
                id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(posting.id), .text(posting.entryID), .text(posting.accountID), .text(posting.type.rawValue),
                .integer(posting.amount), .text(posting.currency.code), .integer(posting.balanceAfter),
                posting.description.sqliteValue, posting.transferID.sqliteValue, .integer(posting.createdAt.millisecondsSinceEpoch),
                posting.metadata.storedText.sqliteValue, posting.reversesID.sqliteValue,
            ])
        try indexMetadata(posting.metadata, owner: .transaction, id: posting.id)
    }

    /// The read-back is a second statement: `RETURNING` makes SQLite build a temporary table.
    public func moveBalances(_ moves: [BalanceMove], at time: Timestamp) throws -> [Int64?] {
        try moves.map { move in
            let moved = try run(
                """
                UPDATE accounts SET balance = ?, posting_count = posting_count + 1, last_posted_at = max(last_posted_at, ?)
                WHERE id = ? AND balance = ?
                """, [.integer(move.balance), .integer(time.millisecondsSinceEpoch), .text(move.accountID), .integer(move.expected)])
            return moved == 1 ? try self.balance(accountID: move.accountID) : nil
        }
    }

    public func balance(accountID: String) throws -> Int64? {
        try queryFirst("SELECT balance FROM accounts WHERE id = ?", [.text(accountID)]) { $0.int64(0) }
    }

    public func markAccountTime(accountID: String, at time: Timestamp) throws {
        try run("UPDATE accounts SET last_posted_at = max(last_posted_at, ?) WHERE id = ?", [.integer(time.millisecondsSinceEpoch), .text(accountID)])
    }

    public func recordOutflow(accountID: String, day: CivilDate, amount: Int64) throws {
        try run(
            """
            INSERT INTO daily_outflows (account_id, day, total) VALUES (?, ?, ?)
            ON CONFLICT (account_id, day) DO UPDATE SET total = total + excluded.total
            """, [.text(accountID), .integer(day.daysSinceEpoch), .integer(amount)])
    }
}
