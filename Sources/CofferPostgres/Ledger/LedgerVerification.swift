import CofferCore
import CofferStore

extension PostgresSession {
    public func ledgerSize() throws -> LedgerSize {
        LedgerSize(
            customerAccounts: Int(try scalarInt("SELECT count(*) FROM accounts WHERE kind = 'customer'")),
            postings: Int(try scalarInt("SELECT count(*) FROM postings")), transfers: Int(try scalarInt("SELECT count(*) FROM transfers")))
    }

    /// Recomputes the ledger from the journal and reports every place it disagrees with itself.
    /// Run it inside a read transaction, so every check sees the same snapshot. Sums are numeric
    /// on PostgreSQL, so they are compared in SQL and printed as text.
    public func ledgerDiscrepancies(progress: @escaping (_ done: Int, _ total: Int) -> Void) throws -> [String] {
        var found: [String] = []
        let portable = LedgerChecks.portable(now: .now())
        var checks = LedgerCheckProgress(ownChecks: 6, portableChecks: portable.count, report: progress)
        for row in try send(
            """
            SELECT a.id, a.balance::text, COALESCE(j.total, 0)::text, a.posting_count::text, COALESCE(j.count, 0)::text,
                   a.balance <> COALESCE(j.total, 0), a.posting_count <> COALESCE(j.count, 0)
            FROM accounts a
            LEFT JOIN (SELECT account_id, SUM(amount) AS total, count(*) AS count FROM postings GROUP BY account_id) j
                ON j.account_id = a.id
            WHERE a.balance <> COALESCE(j.total, 0) OR a.posting_count <> COALESCE(j.count, 0)
            ORDER BY a.seq
            """
        ).rows {
            if row.bool(5) { found.append("account \(row.text(0)): balance \(row.text(1)) but its postings sum to \(row.text(2))") }
            if row.bool(6) { found.append("account \(row.text(0)): counts \(row.text(3)) postings but has \(row.text(4))") }
        }
        checks.advance()
        for row in try send("SELECT currency, SUM(amount)::text FROM postings GROUP BY currency HAVING SUM(amount) <> 0").rows {
            found.append("currency \(row.text(0)): postings sum to \(row.text(1)), not 0")
        }
        checks.advance()
        for row in try send(
            "SELECT entry_id, SUM(amount)::text, count(*) FROM postings GROUP BY entry_id HAVING SUM(amount) <> 0 OR count(*) <> 2"
        ).rows {
            found.append("entry \(row.text(0)): \(row.text(2)) postings summing to \(row.text(1))")
        }
        checks.advance()
        for row in try send(
            """
            SELECT t.id FROM transfers t
            WHERE (SELECT count(*) FROM postings p WHERE p.transfer_id = t.id) <> 2
               OR NOT EXISTS (SELECT 1 FROM postings p WHERE p.transfer_id = t.id AND p.account_id = t.from_account_id
                              AND p.type = 'transfer_out' AND p.amount = -t.amount)
               OR NOT EXISTS (SELECT 1 FROM postings p WHERE p.transfer_id = t.id AND p.account_id = t.to_account_id
                              AND p.type = 'transfer_in' AND p.amount = t.amount)
            """
        ).rows {
            found.append("transfer \(row.text(0)): does not have exactly its two sides")
        }
        checks.advance()
        for row in try send(
            """
            SELECT id, account_id FROM (
                SELECT id, account_id, balance_after, SUM(amount) OVER (PARTITION BY account_id ORDER BY seq) AS running FROM postings
            ) j WHERE balance_after <> running LIMIT 10
            """
        ).rows {
            found.append("transaction \(row.text(0)) on account \(row.text(1)): balance_after disagrees with the running sum")
        }
        checks.advance()
        for row in try send("SELECT id, balance FROM accounts WHERE kind = 'customer' AND balance < 0").rows {
            found.append("account \(row.text(0)): negative balance \(row.int64(1))")
        }
        checks.advance()
        for check in portable {
            for row in try send(check).rows { found.append(row.text(0)) }
            checks.advance()
        }
        return found
    }
}
