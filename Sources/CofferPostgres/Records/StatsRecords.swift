import CofferCore

extension PostgresSession {
    /// Several queries: call it inside a read transaction, so they agree with each other.
    public func stats(dayStart: Timestamp) throws -> ServiceStats {
        let users =
            try queryFirst(
                """
                SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'suspended') FROM users
                """
            ) { (Int($0.int64(0)), Int($0.int64(1)), Int($0.int64(2))) } ?? (0, 0, 0)
        let accounts =
            try queryFirst(
                """
                SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'frozen'),
                       count(*) FILTER (WHERE status = 'closed')
                FROM accounts WHERE kind = 'customer'
                """
            ) { (Int($0.int64(0)), Int($0.int64(1)), Int($0.int64(2)), Int($0.int64(3))) } ?? (0, 0, 0, 0)
        // PostgreSQL sums bigints as numeric and cannot overflow, but the stats answer the same
        // two parts as on SQLite, each of which fits 64 bits.
        let balances = try query(
            """
            SELECT currency, SUM(balance / 1000000000), SUM(balance % 1000000000) FROM accounts WHERE kind = 'customer'
            GROUP BY currency ORDER BY currency
            """
        ) { (currency: $0.text(0), total: ExactSum.wide(high: $0.int64(1), low: $0.int64(2))) }
        let transfers = try scalarInt("SELECT count(*) FROM transfers WHERE created_at >= $1", [.integer(dayStart.millisecondsSinceEpoch)])
        return ServiceStats(users: users, accounts: accounts, balances: balances, transfersToday: Int(transfers))
    }
}
