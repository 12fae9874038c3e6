import CofferCore

/// The checks of `coffer verify` that read the same in SQLite's and PostgreSQL's SQL: each
/// query answers one text column, a sentence per discrepancy, and no rows when the books agree.
/// Both stores run them in their read snapshot after their own checks.
public enum LedgerChecks {
    /// - Parameter now: the instant pending holds are judged at (or an account's latest time,
    ///   when a node's clock ahead has already judged them later); an integer the caller owns,
    ///   so writing it into the text is safe.
    public static func portable(now: Timestamp) -> [String] {
        let now = String(now.millisecondsSinceEpoch)
        return [
            // Daily outflow totals: ordinary withdrawals and transfers out, and holds on the day
            // they were placed; a capture was counted as its hold, and a correction never counts.
            """
            WITH journal AS (
                SELECT account_id, day, SUM(total) AS total FROM (
                    SELECT p.account_id, p.created_at / 86400000 AS day, -p.amount AS total
                    FROM postings p LEFT JOIN transfers t ON t.id = p.transfer_id
                    WHERE p.type IN ('withdrawal', 'transfer_out') AND p.amount < 0 AND p.reverses_id IS NULL AND t.reverses_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.capture_posting_id = p.id)
                    UNION ALL
                    SELECT account_id, created_at / 86400000 AS day, amount AS total FROM holds
                ) o GROUP BY account_id, day
            )
            SELECT 'account ' || x.account_id || ': daily outflow total for day ' || x.day || ' disagrees with the journal' FROM (
                SELECT j.account_id, j.day FROM journal j LEFT JOIN daily_outflows d ON d.account_id = j.account_id AND d.day = j.day
                WHERE d.total IS DISTINCT FROM j.total
                UNION ALL
                SELECT d.account_id, d.day FROM daily_outflows d LEFT JOIN journal j ON j.account_id = d.account_id AND j.day = d.day
                WHERE j.total IS NULL
            ) x LIMIT 10
            """,
            """
            SELECT 'hold ' || h.id || ': pending on closed account ' || h.account_id
            FROM holds h JOIN accounts a ON a.id = h.account_id WHERE h.status = 'pending' AND a.status = 'closed'
            """,
            """
            SELECT 'hold ' || h.id || ': captured ' || h.captured_amount || ' but its capture line is missing or moved another amount'
            FROM holds h LEFT JOIN postings p ON p.id = h.capture_posting_id
            WHERE h.status = 'captured' AND (p.id IS NULL OR p.account_id <> h.account_id OR p.amount <> -h.captured_amount)
            """,
            """
            SELECT 'account ' || a.id || ': pending holds reserve ' || SUM(h.amount) || ', more than its balance ' || a.balance
            FROM accounts a JOIN holds h ON h.account_id = a.id
            WHERE h.status = 'pending'
              AND h.expires_at > CASE WHEN a.last_posted_at > \(now) THEN a.last_posted_at ELSE \(now) END
            GROUP BY a.id, a.balance HAVING SUM(h.amount) > a.balance
            """,
            """
            SELECT 'transaction ' || r.id || ': reverses ' || r.reverses_id || ' but does not mirror it'
            FROM postings r LEFT JOIN postings o ON o.id = r.reverses_id
            WHERE r.reverses_id IS NOT NULL
              AND (o.id IS NULL OR o.reverses_id IS NOT NULL OR o.account_id <> r.account_id OR o.amount <> -r.amount
                   OR o.transfer_id IS NOT NULL OR r.transfer_id IS NOT NULL)
            """,
            """
            SELECT 'transfer ' || r.id || ': reverses ' || r.reverses_id || ' but does not mirror it'
            FROM transfers r LEFT JOIN transfers o ON o.id = r.reverses_id
            WHERE r.reverses_id IS NOT NULL
              AND (o.id IS NULL OR o.reverses_id IS NOT NULL OR o.from_account_id <> r.to_account_id
                   OR o.to_account_id <> r.from_account_id OR o.amount <> r.amount)
            """,
        ]
    }
}

/// Counts `coffer verify`'s checks as a store runs them: its own checks, then the portable ones.
public struct LedgerCheckProgress {
    private let total: Int
    private var done = 0
    private let report: (_ done: Int, _ total: Int) -> Void

    public init(ownChecks: Int, portableChecks: Int, report: @escaping (_ done: Int, _ total: Int) -> Void) {
        total = ownChecks + portableChecks
        self.report = report
    }

    public mutating func advance() {
        done += 1
        report(done, total)
    }
}
