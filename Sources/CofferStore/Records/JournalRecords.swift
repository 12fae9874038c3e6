import CofferCore

/// One leg of a journal entry as the ledger engine appends it. `amount` is signed (positive
/// raises the account's balance); the legs of one entry sum to zero.
public struct JournalPosting: Sendable {
    public let id: String
    public let entryID: String
    public let accountID: String
    public let type: TransactionType
    public let amount: Int64
    public let currency: Currency
    public let balanceAfter: Int64
    public let description: String?
    public let transferID: String?
    public let createdAt: Timestamp
    public let metadata: Metadata
    /// The customer posting this one compensates (a reversed deposit or withdrawal).
    public let reversesID: String?

    public init(
        id: String, entryID: String, accountID: String, type: TransactionType, amount: Int64, currency: Currency,
        balanceAfter: Int64, description: String?, transferID: String?, createdAt: Timestamp, metadata: Metadata = .empty,
        reversesID: String? = nil
    ) {
        self.metadata = metadata
        self.reversesID = reversesID
        self.id = id
        self.entryID = entryID
        self.accountID = accountID
        self.type = type
        self.amount = amount
        self.currency = currency
        self.balanceAfter = balanceAfter
        self.description = description
        self.transferID = transferID
        self.createdAt = createdAt
    }
}

/// What limits an outflow from an account besides its balance: what already left it on one day
/// (withdrawals and outgoing transfers), and what its pending holds reserve at one time.
public struct OutflowFigures: Sendable, Equatable {
    public let usedToday: Int64
    public let held: Int64

    public init(usedToday: Int64, held: Int64) {
        self.usedToday = usedToday
        self.held = held
    }
}

/// One cached balance to move, as a compare-and-set: from `expected` to `balance`.
public struct BalanceMove: Sendable {
    public let accountID: String
    public let expected: Int64
    public let balance: Int64

    public init(accountID: String, from expected: Int64, to balance: Int64) {
        self.accountID = accountID
        self.expected = expected
        self.balance = balance
    }
}

/// The bank's side of deposits and withdrawals in one currency: its balance is the negated sum
/// of every customer balance in that currency.
public struct BankCashAccount: Sendable {
    public let id: String
    public let balance: Int64

    public init(id: String, balance: Int64) {
        self.id = id
        self.balance = balance
    }
}

/// A customer account as the ledger engine loads it: locked for the rest of the transaction,
/// with the time of its latest posting.
public struct LockedAccount: Sendable {
    public let account: Account
    public let lastPostingAt: Timestamp
    /// The owner's plan as of this transaction, which sets the account's limits.
    public let ownerPlan: Plan

    public init(account: Account, lastPostingAt: Timestamp, ownerPlan: Plan) {
        self.account = account
        self.lastPostingAt = lastPostingAt
        self.ownerPlan = ownerPlan
    }

    /// Columns: those of `Account(row:)`, then last_posted_at and the owner's plan.
    public init(row: some RecordRow) {
        guard let plan = Plan(rawValue: row.text(10)) else { preconditionFailure("users row with an unknown plan") }
        self.init(account: Account(row: row), lastPostingAt: row.timestamp(9), ownerPlan: plan)
    }
}
