public struct TransactionFilter: Sendable {
    public var accountID: String?
    /// Only accounts of this holder (a user's view without `account_id`).
    public var holderID: String?
    /// Only items carrying every one of these metadata entries.
    public var metadata: [String: String] = [:]
    public var type: TransactionType?
    public var from: Timestamp?
    /// Exclusive upper bound.
    public var until: Timestamp?

    public init(accountID: String? = nil, holderID: String? = nil, type: TransactionType? = nil, from: Timestamp? = nil, until: Timestamp? = nil) {
        self.accountID = accountID
        self.holderID = holderID
        self.type = type
        self.from = from
        self.until = until
    }
}
