public enum AccountType: String, Sendable, CaseIterable { case checking, savings }

public enum AccountStatus: String, Sendable, CaseIterable { case active, frozen, closed }

public struct Account: Sendable, Equatable {
    public let id: String
    public let holderID: String
    public let ownerUserID: String
    public let type: AccountType
    public let currency: Currency
    public let balance: Int64
    public let status: AccountStatus
    public let createdAt: Timestamp
    public let metadata: Metadata
    /// The sum of the account's pending holds, when the reader asked for it (API.md "Holds").
    public let pendingHolds: Int64

    public init(
        id: String, holderID: String, ownerUserID: String, type: AccountType, currency: Currency, balance: Int64,
        status: AccountStatus, createdAt: Timestamp, metadata: Metadata = .empty, pendingHolds: Int64 = 0
    ) {
        precondition(pendingHolds >= 0, "holds reserve positive amounts")
        self.id = id
        self.holderID = holderID
        self.ownerUserID = ownerUserID
        self.type = type
        self.currency = currency
        self.balance = balance
        self.status = status
        self.createdAt = createdAt
        self.metadata = metadata
        self.pendingHolds = pendingHolds
    }

    /// What outflows may still take: the balance less what pending holds reserve. Never negative:
    /// every outflow and every new hold is checked against it under the account's lock.
    public var availableBalance: Int64 { balance - pendingHolds }

    /// The same account with a status, metadata or pending-holds total changed.
    public func with(status: AccountStatus? = nil, metadata: Metadata? = nil, pendingHolds: Int64? = nil) -> Account {
        Account(
            id: id, holderID: holderID, ownerUserID: ownerUserID, type: type, currency: currency, balance: balance,
            status: status ?? self.status, createdAt: createdAt, metadata: metadata ?? self.metadata,
            pendingHolds: pendingHolds ?? self.pendingHolds)
    }

    public var ownership: AccountOwnership { AccountOwnership(id: id, ownerUserID: ownerUserID, currency: currency) }

    /// Whether `principal` may read this account: its owner, or staff.
    public func isVisible(to principal: Principal) -> Bool { ownership.isVisible(to: principal) }

    /// Whether `principal` may move money out of it or change it as an owner: its owner, or an admin.
    public func isControlled(by principal: Principal) -> Bool { ownership.isControlled(by: principal) }
}

/// What an account is given when it opens and keeps for life: its id, its owner and its currency.
/// Accounts are never deleted and never change hands, so these facts, once read, stay true.
public struct AccountOwnership: Sendable, Equatable {
    public let id: String
    public let ownerUserID: String
    public let currency: Currency

    public init(id: String, ownerUserID: String, currency: Currency) {
        self.id = id
        self.ownerUserID = ownerUserID
        self.currency = currency
    }

    public func isVisible(to principal: Principal) -> Bool {
        principal.role.seesEverything || ownerUserID == principal.userID
    }

    public func isControlled(by principal: Principal) -> Bool {
        principal.role == .admin || ownerUserID == principal.userID
    }
}

public enum TransactionType: String, Sendable, CaseIterable {
    case deposit, withdrawal
    case transferIn = "transfer_in"
    case transferOut = "transfer_out"

    /// Credits raise the customer's balance.
    public var isCredit: Bool { self == .deposit || self == .transferIn }
}

/// One customer-side line of the journal, as the API shows it (`amount` always positive).
public struct LedgerTransaction: Sendable, Equatable {
    public let id: String
    public let accountID: String
    public let type: TransactionType
    public let amount: Int64
    public let currency: Currency
    public let balanceAfter: Int64
    public let description: String?
    public let transferID: String?
    public let createdAt: Timestamp
    public let metadata: Metadata
    /// The transaction this one compensates (API.md "Reversals").
    public let reversesID: String?
    /// The transaction that compensates this one, if any: found by its `reversesID`, since the
    /// journal is never updated.
    public let reversedBy: String?

    public init(
        id: String, accountID: String, type: TransactionType, amount: Int64, currency: Currency, balanceAfter: Int64,
        description: String?, transferID: String?, createdAt: Timestamp, metadata: Metadata = .empty, reversesID: String? = nil,
        reversedBy: String? = nil
    ) {
        self.metadata = metadata
        self.reversesID = reversesID
        self.reversedBy = reversedBy
        self.id = id
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

public struct Transfer: Sendable, Equatable {
    public let id: String
    public let fromAccountID: String
    public let toAccountID: String
    public let amount: Int64
    public let currency: Currency
    public let description: String?
    public let createdAt: Timestamp
    public let metadata: Metadata
    /// The transfer this one compensates (API.md "Reversals").
    public let reversesID: String?
    /// The transfer that compensates this one, found by its `reversesID`.
    public let reversedBy: String?

    public init(
        id: String, fromAccountID: String, toAccountID: String, amount: Int64, currency: Currency, description: String?,
        createdAt: Timestamp, metadata: Metadata = .empty, reversesID: String? = nil, reversedBy: String? = nil
    ) {
        self.metadata = metadata
        self.reversesID = reversesID
        self.reversedBy = reversedBy
        self.id = id
        self.fromAccountID = fromAccountID
        self.toAccountID = toAccountID
        self.amount = amount
        self.currency = currency
        self.description = description
        self.createdAt = createdAt
    }
}

public enum CardType: String, Sendable, CaseIterable { case debit, virtual }

public enum CardStatus: String, Sendable, CaseIterable { case active, frozen, cancelled }

public struct Card: Sendable, Equatable {
    public let id: String
    public let accountID: String
    public let type: CardType
    public let last4: String
    public let expiryMonth: Int
    public let expiryYear: Int
    public let status: CardStatus
    public let createdAt: Timestamp

    public init(
        id: String, accountID: String, type: CardType, last4: String, expiryMonth: Int, expiryYear: Int,
        status: CardStatus, createdAt: Timestamp
    ) {
        self.id = id
        self.accountID = accountID
        self.type = type
        self.last4 = last4
        self.expiryMonth = expiryMonth
        self.expiryYear = expiryYear
        self.status = status
        self.createdAt = createdAt
    }
}
