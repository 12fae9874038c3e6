/// The numbers behind `GET /v1/admin/stats`.
public struct ServiceStats: Sendable {
    public let users: (total: Int, active: Int, suspended: Int)
    public let accounts: (total: Int, active: Int, frozen: Int, closed: Int)
    /// Exact totals: the sum of many balances may leave 64 bits, and stats must never fail on it.
    public let balances: [(currency: String, total: Int128)]
    public let transfersToday: Int

    public init(
        users: (total: Int, active: Int, suspended: Int), accounts: (total: Int, active: Int, frozen: Int, closed: Int),
        balances: [(currency: String, total: Int128)], transfersToday: Int
    ) {
        self.users = users
        self.accounts = accounts
        self.balances = balances
        self.transfersToday = transfersToday
    }
}
