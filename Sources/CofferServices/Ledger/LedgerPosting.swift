import CofferCore

/// One movement of money to be written to the journal: what to move, between which accounts.
public struct LedgerPosting: Sendable {
    public enum Kind: Sendable {
        case deposit(accountID: String)
        case withdrawal(accountID: String)
        case transfer(fromAccountID: String, toAccountID: String)
    }

    public let kind: Kind
    public let amount: Int64
    /// The currency the caller named, if any; it must be the account's.
    public let requestedCurrency: Currency?
    public let description: String?
    public let at: Timestamp

    public init(_ kind: Kind, amount: Int64, requestedCurrency: Currency?, description: String?, at: Timestamp) {
        precondition(MoneyRules.amountRange.contains(amount), "amounts are validated before they reach the ledger")
        self.kind = kind
        self.amount = amount
        self.requestedCurrency = requestedCurrency
        self.description = description
        self.at = at
    }

    /// The same movement at another time.
    func dated(_ time: Timestamp) -> LedgerPosting {
        LedgerPosting(kind, amount: amount, requestedCurrency: requestedCurrency, description: description, at: time)
    }
}

/// What the journal recorded: the customer-side transactions, and the transfer if there was one.
public struct LedgerReceipt: Sendable {
    public let transactions: [LedgerTransaction]
    public let transfer: Transfer?
}
