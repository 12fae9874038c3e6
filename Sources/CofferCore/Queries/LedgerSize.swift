/// How much a ledger holds, for `coffer verify`'s report and `coffer copy`'s comparison.
public struct LedgerSize: Sendable, Equatable {
    public let customerAccounts: Int
    public let postings: Int
    public let transfers: Int

    public init(customerAccounts: Int, postings: Int, transfers: Int) {
        self.customerAccounts = customerAccounts
        self.postings = postings
        self.transfers = transfers
    }
}
