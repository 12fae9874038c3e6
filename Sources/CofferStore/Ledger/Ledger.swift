import CofferCore

/// The single entry point through which money moves. Every deposit, withdrawal and transfer goes
/// through `post`, inside the caller's write transaction: it re-reads the accounts under the write
/// lock, applies the rules in API.md's order, writes balanced postings and updates the cached
/// balances. Batching many requests into one commit later changes only who opens the transaction.
public struct Ledger {
    let db: Database
    let dailyOutflowLimit: Int64
    let maxBalance: Int64

    public init(db: Database, dailyOutflowLimit: Int64, maxBalance: Int64) {
        precondition(dailyOutflowLimit > 0 && maxBalance > 0)
        self.db = db
        self.dailyOutflowLimit = dailyOutflowLimit
        self.maxBalance = maxBalance
    }

    public func post(_ posting: LedgerPosting) throws -> LedgerReceipt {
        precondition(db.isInWriteTransaction, "Ledger.post runs inside a write transaction")
        switch posting.kind {
        case let .deposit(accountID):
            let account = try load(accountID)
            try LedgerRules.requireActive(account)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: account)
            let balance = try LedgerRules.credited(account, by: posting.amount, maxBalance: maxBalance)
            return try postAgainstBankCash(account, newBalance: balance, type: .deposit, posting)
        case let .withdrawal(accountID):
            let account = try load(accountID)
            try LedgerRules.requireActive(account)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: account)
            try LedgerRules.requireOutflowAllowed(posting.amount, outflow(account, at: posting.at))
            return try postAgainstBankCash(account, newBalance: account.balance - posting.amount, type: .withdrawal, posting)
        case let .transfer(fromID, toID):
            let from = try load(fromID)
            let to = try load(toID)
            try LedgerRules.requireActive(from, to)
            try LedgerRules.requireCurrency(posting.requestedCurrency, matches: from)
            try LedgerRules.requireSameCurrency(from: from, to: to)
            try LedgerRules.requireDistinct(from: from, to: to)
            try LedgerRules.requireOutflowAllowed(posting.amount, outflow(from, at: posting.at))
            let toBalance = try LedgerRules.credited(to, by: posting.amount, maxBalance: maxBalance)
            return try postTransfer(from: from, to: to, toBalance: toBalance, posting)
        }
    }

    /// Callers check existence and ownership first (404); here a vanished account is a bug.
    private func load(_ id: String) throws -> Account {
        guard let account = try db.account(id: id) else { throw AppError(.notFound, "There is no account with this id.") }
        return account
    }

    private func outflow(_ account: Account, at time: Timestamp) throws -> LedgerRules.Outflow {
        let used = try db.scalarInt(
            "SELECT COALESCE(SUM(total), 0) FROM daily_outflows WHERE account_id = ? AND day = ?",
            [.text(account.id), .integer(time.date.daysSinceEpoch)])
        return LedgerRules.Outflow(available: account.balance, usedToday: used, dailyLimit: dailyOutflowLimit)
    }

    // MARK: Writing

    private struct Leg {
        let accountID: String
        let type: TransactionType
        /// Signed: positive raises the account's balance.
        let amount: Int64
        let balanceBefore: Int64
        let balanceAfter: Int64
    }

    private func postAgainstBankCash(_ account: Account, newBalance: Int64, type: TransactionType, _ posting: LedgerPosting) throws -> LedgerReceipt {
        let bank = try bankCash(account.currency, at: posting.at)
        let customerDelta = type == .deposit ? posting.amount : -posting.amount
        guard let bankAfter = bank.balance.addingChecked(-customerDelta) else {
            // The bank's side is the negated sum of every customer balance in the currency; with
            // enough accounts near the maximum it could leave 64 bits, and must be refused, not wrap.
            throw AppError(.balanceLimitExceeded, "The bank's \(account.currency.code) cash account cannot absorb this amount.")
        }
        let legs = [
            Leg(accountID: account.id, type: type, amount: customerDelta, balanceBefore: account.balance, balanceAfter: newBalance),
            Leg(accountID: bank.id, type: type, amount: -customerDelta, balanceBefore: bank.balance, balanceAfter: bankAfter),
        ]
        let written = try write(legs, currency: account.currency, transferID: nil, posting)
        return LedgerReceipt(transactions: [written[0]], transfer: nil)
    }

    private func postTransfer(from: Account, to: Account, toBalance: Int64, _ posting: LedgerPosting) throws -> LedgerReceipt {
        let transfer = Transfer(
            id: Identifier.make(at: posting.at), fromAccountID: from.id, toAccountID: to.id, amount: posting.amount,
            currency: from.currency, description: posting.description, createdAt: posting.at)
        try db.run(
            """
            INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, description, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(transfer.id), .text(from.id), .text(to.id), .integer(posting.amount), .text(from.currency.code),
                posting.description.sqliteValue, .integer(posting.at.millisecondsSinceEpoch),
            ])
        let legs = [
            Leg(
                accountID: from.id, type: .transferOut, amount: -posting.amount, balanceBefore: from.balance,
                balanceAfter: from.balance - posting.amount),
            Leg(accountID: to.id, type: .transferIn, amount: posting.amount, balanceBefore: to.balance, balanceAfter: toBalance),
        ]
        let written = try write(legs, currency: from.currency, transferID: transfer.id, posting)
        return LedgerReceipt(transactions: written, transfer: transfer)
    }

    /// Appends the legs of one entry and moves the cached balances, asserting the invariants in
    /// pairs: the legs sum to zero before the write, and each balance reads back as computed.
    private func write(_ legs: [Leg], currency: Currency, transferID: String?, _ posting: LedgerPosting) throws -> [LedgerTransaction] {
        precondition(legs.reduce(0) { $0 + $1.amount } == 0, "an entry's postings must sum to zero")
        let entryID = Identifier.make(at: posting.at)
        var transactions: [LedgerTransaction] = []
        for leg in legs {
            precondition(leg.balanceBefore.addingChecked(leg.amount) == leg.balanceAfter, "balance arithmetic")
            let id = Identifier.make(at: posting.at)
            try db.run(
                """
                INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(id), .text(entryID), .text(leg.accountID), .text(leg.type.rawValue), .integer(leg.amount), .text(currency.code),
                    .integer(leg.balanceAfter), posting.description.sqliteValue, transferID.sqliteValue,
                    .integer(posting.at.millisecondsSinceEpoch),
                ])
            let changed = try db.run(
                "UPDATE accounts SET balance = ? WHERE id = ? AND balance = ?",
                [.integer(leg.balanceAfter), .text(leg.accountID), .integer(leg.balanceBefore)])
            precondition(changed == 1, "account \(leg.accountID) changed under the write lock")
            if leg.type == .withdrawal || leg.type == .transferOut, leg.amount < 0 {
                try db.run(
                    """
                    INSERT INTO daily_outflows (account_id, day, total) VALUES (?, ?, ?)
                    ON CONFLICT (account_id, day) DO UPDATE SET total = total + excluded.total
                    """, [.text(leg.accountID), .integer(posting.at.date.daysSinceEpoch), .integer(-leg.amount)])
            }
            let readBack = try db.scalarInt("SELECT balance FROM accounts WHERE id = ?", [.text(leg.accountID)])
            precondition(readBack == leg.balanceAfter, "balance of \(leg.accountID) reads back \(readBack), expected \(leg.balanceAfter)")
            transactions.append(
                LedgerTransaction(
                    id: id, accountID: leg.accountID, type: leg.type, amount: abs(leg.amount),
                    currency: currency, balanceAfter: leg.balanceAfter, description: posting.description,
                    transferID: transferID, createdAt: posting.at))
        }
        return transactions
    }

    private struct BankCash {
        let id: String
        let balance: Int64
    }

    /// The bank's cash account for a currency, created on first use.
    private func bankCash(_ currency: Currency, at time: Timestamp) throws -> BankCash {
        try db.run(
            """
            INSERT OR IGNORE INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at)
            VALUES (?, NULL, 'bank_cash', NULL, ?, 0, 'active', ?)
            """, [.text(Identifier.make(at: time)), .text(currency.code), .integer(time.millisecondsSinceEpoch)])
        guard
            let cash = try db.queryFirst(
                "SELECT id, balance FROM accounts WHERE kind = 'bank_cash' AND currency = ?",
                [.text(currency.code)], { BankCash(id: $0.text(0), balance: $0.int64(1)) })
        else {
            preconditionFailure("bank cash account for \(currency.code) missing right after it was ensured")
        }
        return cash
    }
}
