import CofferCore

/// One movement of money to be written to the journal: what to move, between which accounts.
public struct LedgerPosting: Sendable {
    public enum Kind: Sendable {
        case deposit(accountID: String)
        case withdrawal(accountID: String)
        case transfer(fromAccountID: String, toAccountID: String)
    }

    /// What pays for the movement, which decides the rules it answers to (API.md "Holds",
    /// "Reversals").
    public enum Funding: Sendable {
        /// An ordinary movement: the source must be active, the amount within its available
        /// balance and within the daily limit, which it counts towards.
        case available
        /// The capture of this pending hold: the money was reserved, and counted towards the daily
        /// limit, when the hold was placed, so neither is checked again.
        case hold(Hold)
        /// The compensation of `reversing` (a transaction or transfer id): checked against the
        /// available balance but not the daily limit; a frozen account takes part, a closed one
        /// does not.
        case correction(reversing: String)
    }

    public let kind: Kind
    public let amount: Int64
    /// The currency the caller named, if any; it must be the account's.
    public let requestedCurrency: Currency?
    public let description: String?
    public let metadata: Metadata
    public let funding: Funding
    public let at: Timestamp

    public init(
        _ kind: Kind, amount: Int64, requestedCurrency: Currency?, description: String?, metadata: Metadata = .empty,
        funding: Funding = .available, at: Timestamp
    ) {
        precondition(MoneyRules.amountRange.contains(amount), "amounts are validated before they reach the ledger")
        self.kind = kind
        self.amount = amount
        self.requestedCurrency = requestedCurrency
        self.description = description
        self.metadata = metadata
        self.funding = funding
        self.at = at
    }

    /// The same movement at another time.
    func dated(_ time: Timestamp) -> LedgerPosting {
        LedgerPosting(
            kind, amount: amount, requestedCurrency: requestedCurrency, description: description, metadata: metadata, funding: funding,
            at: time)
    }

    /// The id this movement compensates, for a reversal.
    var reversesID: String? {
        if case let .correction(reversing) = funding { return reversing }
        return nil
    }
}

/// What the journal recorded: the customer-side transactions, and the transfer if there was one.
public struct LedgerReceipt: Sendable {
    public let transactions: [LedgerTransaction]
    public let transfer: Transfer?
}
