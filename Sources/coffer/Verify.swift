import ArgumentParser
import CofferCore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute every balance from the journal and check the ledger's invariants.",
        discussion: """
            Checks that each account's balance equals the sum of its postings, each currency's postings sum
            to zero, each entry balances, every transfer has both sides and each balance_after matches the
            running sum. Exits 0 when all hold; otherwise prints the first discrepancy and exits 1.
            """
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    func run() throws {
        let store = try DatabaseLocation.open(databaseURL)
        var bar: ProgressBar?
        let (problems, size) = try store.read { db in
            let problems = try db.ledgerDiscrepancies { done, total in
                if bar == nil { bar = ProgressBar("verify", total: total) }
                bar?.update(done)
            }
            return (problems, try db.ledgerSize())
        }
        bar?.finish()
        guard let first = problems.first else {
            print(
                "ledger verified: \(size.customerAccounts) accounts, \(size.postings) postings, \(size.transfers) transfers; every balance matches the journal")
            return
        }
        throw CommandFailure("ledger discrepancy: \(first)" + (problems.count > 1 ? " (and \(problems.count - 1) more)" : ""))
    }
}
