import ArgumentParser
import CofferCore
import CofferPostgres
import CofferSQLite
import CofferStore

/// `coffer copy`: moves a whole installation from the embedded SQLite file to PostgreSQL, the way
/// out when one machine is no longer enough (DESIGN.md, "Scale-out").
struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a whole installation from SQLite to an empty PostgreSQL database.",
        discussion: """
            Copies users (with their password hashes), account holders, refresh tokens, the access-token
            denylist, login failures, the audit trail, accounts, the journal, transfers, daily outflows,
            cards and stored Idempotency-Key answers, keeping every id, time and sequence. The target must
            be empty (it is migrated first); the copy is one transaction, so it lands whole or not at all.
            Afterwards both sides are verified and every balance is compared. Stop cofferd first: writes
            made during the copy are not in it.
            """
    )

    @Option(name: .long, help: "The source, sqlite:///path/to/coffer.db.")
    var from: String

    @Option(name: .long, help: "The target, postgres://user:password@host:port/database.")
    var to: String

    func run() throws {
        guard case let .sqlite(path) = try DatabaseLocation.resolve(from) else {
            throw ValidationError("--from must be a sqlite:// URL (copying out of PostgreSQL is pg_dump's job)")
        }
        guard case let .postgres(url) = try DatabaseLocation.resolve(to) else {
            throw ValidationError("--to must be a postgres:// or postgresql:// URL")
        }
        let source = try DatabaseLocation.open(from)
        let target = try DatabaseLocation.open(to)
        let reader = try Database(path: path)
        let sourceVersions = try Migrator().appliedVersions(reader)
        let pool = PostgresPool(url: url, size: 1)
        let targetVersions = try PostgresMigrator().appliedVersions(pool)
        guard sourceVersions.last == targetVersions.last else {
            throw CommandFailure("schema versions differ: source \(sourceVersions.last ?? 0), target \(targetVersions.last ?? 0)")
        }
        guard try target.readOnce({ try $0.ledgerSize() }) == LedgerSize(customerAccounts: 0, postings: 0, transfers: 0),
            try target.readOnce({ try $0.users(role: nil, status: nil, page: PageRequest(limit: 1, offset: 0)) }).total == 0
        else {
            throw CommandFailure("the target already holds users or accounts; copy only into an empty database")
        }

        var rowsBar: ProgressBar?
        let counts = try reader.read { reader in
            try pool.withConnection { connection in
                var copy = InstallationCopy(source: reader, target: connection)
                copy.progress = { done, total in
                    if rowsBar == nil { rowsBar = ProgressBar("copy", total: total) }
                    rowsBar?.update(done)
                }
                return try copy.run()
            }
        }
        rowsBar?.finish()
        for (table, count) in counts { print("copied \(count) rows of \(table)") }

        try compare(source, target)
        print("copy verified: the ledger verifies on both sides and every balance is the same")
    }

    /// Both sides verify, hold the same ledger, and agree on every account's balance.
    private func compare(_ source: any Store, _ target: any Store) throws {
        for (name, store) in [("source", source), ("target", target)] {
            if let problem = try store.read({ try $0.ledgerDiscrepancies() }).first {
                throw CommandFailure("the \(name) does not verify: \(problem)")
            }
        }
        let (sourceSize, targetSize) = (try source.read { try $0.ledgerSize() }, try target.read { try $0.ledgerSize() })
        guard sourceSize == targetSize else { throw CommandFailure("sizes differ: source \(sourceSize), target \(targetSize)") }
        let page = PageRequest(limit: Int.max / 2, offset: 0)
        let sourceBalances = try source.read { try $0.accounts(holderID: nil, page: page) }.items.map { [$0.id: $0.balance] }
        let targetBalances = try target.read { try $0.accounts(holderID: nil, page: page) }.items.map { [$0.id: $0.balance] }
        guard sourceBalances == targetBalances else { throw CommandFailure("balances differ between source and target") }
    }
}
