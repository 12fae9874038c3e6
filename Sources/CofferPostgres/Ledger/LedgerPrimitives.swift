import CofferCore
import CofferStore

/// The few writes the ledger engine composes. Accounts are locked with `FOR UPDATE`; the engine
/// takes customer accounts in id order and the bank's cash account last, so two transactions
/// never wait on each other in a circle.
extension PostgresSession {
    /// Slots of the bank's cash account per currency. Every deposit and withdrawal also moves the
    /// bank's side; with one row per currency, all of them would queue on that row's lock. The
    /// slot follows the customer account, whose own lock already orders its postings, so each
    /// slot only serialises the accounts that hash to it. `coffer verify` still sees each
    /// currency sum to zero over every slot.
    static let bankCashSlots = 16

    /// One statement for every account: PostgreSQL sorts the rows first and then locks them in
    /// that order, and every statement round trip made while a lock is held lengthens the queue
    /// behind it.
    public func accountsForUpdate(ids: [String]) throws -> [LockedAccount] {
        try query(
            "\(Self.lockedAccountSelect) WHERE a.id = ANY($1::text[]) AND a.kind = 'customer' ORDER BY a.id FOR UPDATE OF a",
            [.textArray(Array(Set(ids)))], LockedAccount.init(row:))
    }

    public func bankCashAccount(currency: Currency, for accountID: String, at time: Timestamp) throws -> BankCashAccount {
        let slot = Int64(Self.slot(of: accountID))
        let arguments: [PostgresValue] = [.text(currency.code), .integer(slot)]
        let select = "SELECT id, balance FROM accounts WHERE kind = 'bank_cash' AND currency = $1 AND cash_slot = $2 FOR UPDATE"
        if let cash = try queryFirst(select, arguments, { BankCashAccount(id: $0.text(0), balance: $0.int64(1)) }) { return cash }
        try run(
            """
            INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at, cash_slot)
            VALUES ($3, NULL, 'bank_cash', NULL, $1, 0, 'active', $4, $2)
            ON CONFLICT (currency, cash_slot) WHERE kind = 'bank_cash' DO NOTHING
            """, arguments + [.text(Identifier.make(at: time)), .integer(time.millisecondsSinceEpoch)])
        guard let cash = try queryFirst(select, arguments, { BankCashAccount(id: $0.text(0), balance: $0.int64(1)) }) else {
            preconditionFailure("bank cash account for \(currency.code) missing right after it was ensured")
        }
        return cash
    }

    /// FNV-1a over the id's bytes: the same slot on every node and after every restart.
    static func slot(of accountID: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in accountID.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(bankCashSlots))
    }

    /// Built once: the transfer path runs it on every outflow.
    private static let outflowFiguresSQL = """
        SELECT (SELECT COALESCE(SUM(total), 0) FROM daily_outflows WHERE account_id = $1 AND day = $2)::bigint,
               \(pendingHoldsSum(account: "$1", at: "$3"))::bigint
        """

    public func outflowFigures(accountID: String, day: CivilDate, at time: Timestamp) throws -> OutflowFigures {
        let figures = try queryFirst(
            Self.outflowFiguresSQL, [.text(accountID), .integer(day.daysSinceEpoch), .integer(time.millisecondsSinceEpoch)]
        ) { OutflowFigures(usedToday: $0.int64(0), held: $0.int64(1)) }
        guard let figures else { preconditionFailure("a SELECT without FROM answers one row") }
        return figures
    }

    public func insertTransfer(_ transfer: Transfer) throws {
        try deferredWrite(
            """
            INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                .text(transfer.id), .text(transfer.fromAccountID), .text(transfer.toAccountID), .integer(transfer.amount),
                .text(transfer.currency.code), transfer.description.postgresValue, .integer(transfer.createdAt.millisecondsSinceEpoch),
                transfer.metadata.storedText.postgresValue, transfer.reversesID.postgresValue,
            ])
        try indexMetadata(transfer.metadata, owner: .transfer, id: transfer.id)
    }

    public func appendPosting(_ posting: JournalPosting) throws {
        try deferredWrite(
            """
            INSERT INTO postings (
                id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            [
                .text(posting.id), .text(posting.entryID), .text(posting.accountID), .text(posting.type.rawValue),
                .integer(posting.amount), .text(posting.currency.code), .integer(posting.balanceAfter),
                posting.description.postgresValue, posting.transferID.postgresValue, .integer(posting.createdAt.millisecondsSinceEpoch),
                posting.metadata.storedText.postgresValue, posting.reversesID.postgresValue,
            ])
        try indexMetadata(posting.metadata, owner: .transaction, id: posting.id)
    }

    /// The read-back comes with each update (`RETURNING`), and every move goes in one round trip
    /// with the postings queued before it: round trips made while the accounts' locks are held
    /// lengthen the queue behind them.
    public func moveBalances(_ moves: [BalanceMove], at time: Timestamp) throws -> [Int64?] {
        let update = """
            UPDATE accounts SET balance = $1, posting_count = posting_count + 1, last_posted_at = GREATEST(last_posted_at, $4)
            WHERE id = $2 AND balance = $3 RETURNING balance
            """
        let results = try sendAll(
            moves.map { move in
                (update, [.integer(move.balance), .text(move.accountID), .integer(move.expected), .integer(time.millisecondsSinceEpoch)])
            })
        return results.map { $0.rowCount == 0 ? nil : $0.row(0).int64(0) }
    }

    public func balance(accountID: String) throws -> Int64? {
        try queryFirst("SELECT balance FROM accounts WHERE id = $1", [.text(accountID)]) { $0.int64(0) }
    }

    public func markAccountTime(accountID: String, at time: Timestamp) throws {
        try deferredWrite(
            "UPDATE accounts SET last_posted_at = GREATEST(last_posted_at, $1) WHERE id = $2", [.integer(time.millisecondsSinceEpoch), .text(accountID)])
    }

    public func recordOutflow(accountID: String, day: CivilDate, amount: Int64) throws {
        try deferredWrite(
            """
            INSERT INTO daily_outflows (account_id, day, total) VALUES ($1, $2, $3)
            ON CONFLICT (account_id, day) DO UPDATE SET total = daily_outflows.total + excluded.total
            """, [.text(accountID), .integer(day.daysSinceEpoch), .integer(amount)])
    }
}
