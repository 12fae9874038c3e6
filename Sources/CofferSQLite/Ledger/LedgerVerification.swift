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
        // One pass over the journal in its own order, a running sum per account: a window
        // partitioned by account sorted the whole journal (in memory, with temp_store=MEMORY) once
        // no index on (account_id, seq) served it any more.
        var running: [String: Int64] = [:]
        var disagreeing = 0
        try forEachRow("SELECT id, account_id, amount, balance_after FROM postings ORDER BY seq") { row in
            let account = row.text(1)
            let (sum, overflow) = running[account, default: 0].addingReportingOverflow(row.int64(2))
            running[account] = sum
            guard overflow || sum != row.int64(3), disagreeing < 10 else { return }
            disagreeing += 1
            found.append("transaction \(row.text(0)) on account \(account): balance_after disagrees with the running sum")
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
