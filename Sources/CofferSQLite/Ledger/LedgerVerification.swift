import CofferCore
import CofferStore

extension Database {
    public func ledgerSize() throws -> LedgerSize {
        LedgerSize(
            customerAccounts: Int(try scalarInt("SELECT count(*) FROM accounts WHERE kind = 'customer'")),
            postings: Int(try scalarInt("SELECT count(*) FROM postings")), transfers: Int(try scalarInt("SELECT count(*) FROM transfers")))
    }

    /// Recomputes the ledger from the journal and reports every place it disagrees with itself.
    /// Run it inside a read transaction, so every check sees the same snapshot.
    public func ledgerDiscrepancies(progress: @escaping (_ done: Int, _ total: Int) -> Void) throws -> [String] {
        var found: [String] = []
        let portable = LedgerChecks.portable(now: .now())
        var checks = LedgerCheckProgress(ownChecks: 6, portableChecks: portable.count, report: progress)
        try forEachRow(
            """
            SELECT a.id, a.balance, COALESCE(j.total, 0), a.posting_count, COALESCE(j.count, 0)
            FROM accounts a
            LEFT JOIN (SELECT account_id, SUM(amount) AS total, count(*) AS count FROM postings GROUP BY account_id) j
                ON j.account_id = a.id
            ORDER BY a.seq
            """
        ) { row in
            if row.int64(1) != row.int64(2) {
                found.append("account \(row.text(0)): balance \(row.int64(1)) but its postings sum to \(row.int64(2))")
            }
            if row.int64(3) != row.int64(4) {
                found.append("account \(row.text(0)): counts \(row.int64(3)) postings but has \(row.int64(4))")
            }
        }
        checks.advance()
        try forEachRow("SELECT currency, SUM(amount) FROM postings GROUP BY currency HAVING SUM(amount) != 0") { row in
            found.append("currency \(row.text(0)): postings sum to \(row.int64(1)), not 0")
        }
        checks.advance()
        try forEachRow("SELECT entry_id, SUM(amount), count(*) FROM postings GROUP BY entry_id HAVING SUM(amount) != 0 OR count(*) != 2") { row in
            found.append("entry \(row.text(0)): \(row.int64(2)) postings summing to \(row.int64(1))")
        }
        checks.advance()
        try forEachRow(
            """
            SELECT t.id FROM transfers t
            WHERE (SELECT count(*) FROM postings p WHERE p.transfer_id = t.id) != 2
               OR NOT EXISTS (SELECT 1 FROM postings p WHERE p.transfer_id = t.id AND p.account_id = t.from_account_id
                              AND p.type = 'transfer_out' AND p.amount = -t.amount)
               OR NOT EXISTS (SELECT 1 FROM postings p WHERE p.transfer_id = t.id AND p.account_id = t.to_account_id
                              AND p.type = 'transfer_in' AND p.amount = t.amount)
            """
        ) { row in
            found.append("transfer \(row.text(0)): does not have exactly its two sides")
        }
        checks.advance()
        try forEachRow(
            """
            SELECT id, account_id FROM (
                SELECT id, account_id, balance_after, SUM(amount) OVER (PARTITION BY account_id ORDER BY seq) AS running FROM postings
            ) WHERE balance_after != running LIMIT 10
            """
        ) { row in
            found.append("transaction \(row.text(0)) on account \(row.text(1)): balance_after disagrees with the running sum")
        }
        checks.advance()
        try forEachRow("SELECT id, balance FROM accounts WHERE kind = 'customer' AND balance < 0") { row in
            found.append("account \(row.text(0)): negative balance \(row.int64(1))")
        }
        checks.advance()
        for check in portable {
            try forEachRow(check) { found.append($0.text(0)) }
            checks.advance()
        }
        return found
    }
}
