/// One account's statement over a period: balances at both ends and the sums between.
public struct StatementTotals: Sendable, Equatable {
    public let opening: Int64
    public let credits: Int64
    public let debits: Int64
    public let closing: Int64
    public let count: Int

    public init(opening: Int64, credits: Int64, debits: Int64, closing: Int64, count: Int) {
        self.opening = opening
        self.credits = credits
        self.debits = debits
        self.closing = closing
        self.count = count
    }
}
