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

    public init(
        id: String, holderID: String, ownerUserID: String, type: AccountType, currency: Currency, balance: Int64,
        status: AccountStatus, createdAt: Timestamp
    ) {
        self.id = id
        self.holderID = holderID
        self.ownerUserID = ownerUserID
        self.type = type
        self.currency = currency
        self.balance = balance
        self.status = status
        self.createdAt = createdAt
    }

    /// Whether `principal` may read this account: its owner, or staff.
    public func isVisible(to principal: Principal) -> Bool {
        principal.role.seesEverything || ownerUserID == principal.userID
    }

    /// Whether `principal` may move money out of it or change it as an owner: its owner, or an admin.
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

    public init(
        id: String, accountID: String, type: TransactionType, amount: Int64, currency: Currency, balanceAfter: Int64,
        description: String?, transferID: String?, createdAt: Timestamp
    ) {
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

    public init(
        id: String, fromAccountID: String, toAccountID: String, amount: Int64, currency: Currency, description: String?,
        createdAt: Timestamp
    ) {
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
