import CofferCore
import CofferSQLite
import CofferStore
import CofferTestSupport
import Foundation
import XCTest

/// What every `Store` must do, written against the protocol only: transactions are all or
/// nothing, savepoints undo only their own work, failures come as `StoreError` kinds, and the
/// ledger primitives behave as the engine relies on. A second store runs this same code by
/// overriding `makeStore`.
class StoreContractTests: XCTestCase {
    private(set) var directory: URL!
    private var store: (any Store)!
    private let now = Timestamp(millisecondsSinceEpoch: 1_780_000_000_000)
    private struct Abort: Error {}

    /// The store under test, empty and migrated.
    func makeStore() throws -> any Store {
        let database = try Database(path: directory.appendingPathComponent("contract.db").path)
        try Migrator().migrate(database)
        return SQLiteStore(database: database)
    }

    /// Another store (another connection) on the same database as `makeStore`'s.
    func makeSecondStore() throws -> any Store {
        SQLiteStore(database: try Database(path: directory.appendingPathComponent("contract.db").path))
    }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make()
        store = try makeStore()
    }

    override func tearDown() {
        store = nil
        try? FileManager.default.removeItem(at: directory)
    }

    private func user(_ email: String) -> User {
        User(id: Identifier.make(at: now), email: email, role: .user, status: .active, createdAt: now)
    }

    /// A user, their holder and one active EUR account with `balance` 0.
    private func openAccount(_ email: String) throws -> Account {
        try store.write { db in
            let owner = user(email)
            try db.insertUser(owner, passwordHash: "not-a-real-hash")
            let holder = AccountHolder(
                id: Identifier.make(at: now), userID: owner.id, firstName: "A", lastName: "B",
                dateOfBirth: CivilDate(daysSinceEpoch: 5000), createdAt: now)
            try db.insertAccountHolder(holder)
            let account = Account(
                id: Identifier.make(at: now), holderID: holder.id, ownerUserID: owner.id, type: .checking,
                currency: Currency(code: "EUR")!, balance: 0, status: .active, createdAt: now)
            try db.insertAccount(account)
            return account
        }
    }

    /// A second run of an export's job (its lease ran out under a long export) must not take a
    /// finished export back to running or failed: the update is refused once it succeeded.
    func testASucceededExportIsNeverTakenBack() throws {
        let account = try openAccount("exports@example.com")
        let export = Export(
            id: Identifier.make(at: now), userID: account.ownerUserID, accountID: account.id, from: now.date, to: now.date, groupBy: .none,
            format: .csv, status: .queued, progress: 0, rows: 0, error: nil, expiresAt: nil, createdAt: now)
        try store.write { try $0.insertExport(export) }
        XCTAssertTrue(try store.write { try $0.updateExport(id: export.id, status: .running, progress: 0, rows: 0, error: nil, expiresAt: nil) })
        let expiry = now.adding(seconds: 60)
        XCTAssertTrue(try store.write { try $0.updateExport(id: export.id, status: .succeeded, progress: 100, rows: 3, error: nil, expiresAt: expiry) })
        XCTAssertFalse(try store.write { try $0.updateExport(id: export.id, status: .running, progress: 10, rows: 0, error: nil, expiresAt: nil) })
        XCTAssertFalse(try store.write { try $0.updateExport(id: export.id, status: .failed, progress: 0, rows: 0, error: "x", expiresAt: nil) })
        let kept = try XCTUnwrap(try store.read { try $0.export(id: export.id) })
        XCTAssertEqual(kept.status, .succeeded)
        XCTAssertEqual(kept.rows, 3)
    }

    func testAWriteThatThrowsLeavesNothingBehind() throws {
        XCTAssertThrowsError(
            try store.write { db in
                try db.insertUser(user("gone@example.com"), passwordHash: "h")
                throw Abort()
            })
        XCTAssertNil(try store.readOnce { try $0.user(email: "gone@example.com") })
        try store.write { try $0.insertUser(user("kept@example.com"), passwordHash: "h") }
        XCTAssertNotNil(try store.read { try $0.user(email: "kept@example.com") })
    }

    /// Every query of one `read` sees the same snapshot, whatever commits meanwhile.
    func testAReadSeesOneSnapshot() throws {
        let other = try makeSecondStore()
        let everyone = PageRequest(limit: 100, offset: 0)
        try store.write { try $0.insertUser(user("first@example.com"), passwordHash: "h") }
        try store.read { db in
            XCTAssertEqual(try db.users(role: nil, status: nil, page: everyone).total, 1)
            try other.write { try $0.insertUser(user("meanwhile@example.com"), passwordHash: "h") }
            XCTAssertEqual(try db.users(role: nil, status: nil, page: everyone).total, 1, "not the write committed meanwhile")
            XCTAssertNil(try db.user(email: "meanwhile@example.com"))
        }
        XCTAssertEqual(try store.read { try $0.users(role: nil, status: nil, page: everyone) }.total, 2)
    }

    func testASavepointUndoesOnlyItsOwnWork() throws {
        try store.write { db in
            try db.insertUser(user("outer@example.com"), passwordHash: "h")
            XCTAssertThrowsError(
                try db.savepoint { inner in
                    try inner.insertUser(user("inner@example.com"), passwordHash: "h")
                    throw Abort()
                })
            XCTAssertNil(try db.user(email: "inner@example.com"))
        }
        XCTAssertNotNil(try store.readOnce { try $0.user(email: "outer@example.com") })
        XCTAssertNil(try store.readOnce { try $0.user(email: "inner@example.com") })
    }

    func testAConstraintViolationIsAConstraintError() throws {
        try store.write { try $0.insertUser(user("twice@example.com"), passwordHash: "h") }
        XCTAssertThrowsError(try store.write { try $0.insertUser(user("twice@example.com"), passwordHash: "h") }) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .constraint, "\(error)")
            XCTAssertFalse((error as? StoreError)?.isTemporary ?? true)
        }
    }

    /// A store may send a write later than the call that made it (PostgreSQL queues journal lines
    /// until the next statement that needs an answer); its failure still fails its transaction or
    /// its savepoint, and leaves nothing behind.
    func testAJournalLineThatBreaksAConstraintFailsItsTransactionOrSavepoint() throws {
        let orphan = JournalPosting(
            id: Identifier.make(at: now), entryID: Identifier.make(at: now), accountID: "no-such-account", type: .deposit, amount: 5,
            currency: Currency(code: "EUR")!, balanceAfter: 5, description: nil, transferID: nil, createdAt: now)
        XCTAssertThrowsError(
            try store.write { db in
                try db.insertUser(user("lost@example.com"), passwordHash: "h")
                try db.appendPosting(orphan)
            }
        ) { error in XCTAssertEqual((error as? StoreError)?.kind, .constraint, "\(error)") }
        XCTAssertNil(try store.readOnce { try $0.user(email: "lost@example.com") })
        try store.write { db in
            try db.insertUser(user("kept@example.com"), passwordHash: "h")
            XCTAssertThrowsError(try db.savepoint { try $0.appendPosting(orphan) })
            try db.insertUser(user("after@example.com"), passwordHash: "h")
        }
        XCTAssertNotNil(try store.readOnce { try $0.user(email: "kept@example.com") })
        XCTAssertNotNil(try store.readOnce { try $0.user(email: "after@example.com") })
        XCTAssertEqual(try store.read { try $0.ledgerSize() }.postings, 0)
    }

    func testMoveBalanceIsACompareAndSet() throws {
        let account = try openAccount("cas@example.com")
        try store.write { db in
            XCTAssertNil(try db.moveBalance(accountID: account.id, from: 5, to: 10, at: now), "the balance is 0, not 5")
            XCTAssertEqual(try db.balance(accountID: account.id), 0)
            XCTAssertEqual(try db.moveBalance(accountID: account.id, from: 0, to: 10, at: now), 10)
            XCTAssertEqual(try db.balance(accountID: account.id), 10)
            XCTAssertEqual(try db.accountsForUpdate(ids: [account.id]).first?.account.balance, 10)
            XCTAssertEqual(try db.accountsForUpdate(ids: [account.id]).first?.lastPostingAt, now)
            XCTAssertEqual(try db.moveBalance(accountID: account.id, from: 10, to: 11, at: now.adding(seconds: -60)), 11)
            XCTAssertEqual(try db.accountsForUpdate(ids: [account.id]).first?.lastPostingAt, now, "an earlier time never replaces a later one")
        }
        XCTAssertEqual(try store.readOnce { try $0.account(id: account.id)?.balance }, 11)
    }

    /// An entry's moves go in one call; each is its own compare-and-set, answered in order.
    func testMovingSeveralBalancesAnswersEachMoveInOrder() throws {
        let first = try openAccount("moves1@example.com")
        let second = try openAccount("moves2@example.com")
        let answers = try store.write { db in
            try db.moveBalances(
                [
                    BalanceMove(accountID: first.id, from: 0, to: 40), BalanceMove(accountID: second.id, from: 7, to: 9),
                    BalanceMove(accountID: first.id, from: 40, to: 30),
                ], at: now)
        }
        XCTAssertEqual(answers, [40, nil, 30], "the second account's balance is 0, not 7")
        XCTAssertEqual(try store.readOnce { try $0.account(id: first.id)?.balance }, 30)
        XCTAssertEqual(try store.readOnce { try $0.account(id: second.id)?.balance }, 0)
        XCTAssertEqual(try store.write { try $0.moveBalances([], at: now) }, [])
    }

    func testAccountsForUpdateComeInIdOrderWithoutTheMissingOnes() throws {
        let accounts = try (0..<3).map { try openAccount("order\($0)@example.com") }
        let ids = accounts.map(\.id)
        let locked = try store.write { try $0.accountsForUpdate(ids: [ids[2], "no-such-account", ids[0], ids[1], ids[0]]) }
        XCTAssertEqual(locked.map(\.account.id), ids.sorted())
        XCTAssertEqual(try store.write { try $0.accountsForUpdate(ids: [#"a"b\c"#]) }.count, 0, "quotes and backslashes are only text")
    }

    func testTheBankCashAccountFollowsTheAccountAndIsNeverACustomerAccount() throws {
        let account = try openAccount("cash@example.com")
        let (eur, again, usd) = try store.write { db in
            (
                try db.bankCashAccount(currency: Currency(code: "EUR")!, for: account.id, at: now),
                try db.bankCashAccount(currency: Currency(code: "EUR")!, for: account.id, at: now.adding(seconds: 1)),
                try db.bankCashAccount(currency: Currency(code: "USD")!, for: account.id, at: now)
            )
        }
        XCTAssertEqual(eur.id, again.id, "the same account always meets the same cash account")
        XCTAssertNotEqual(eur.id, usd.id)
        XCTAssertEqual(eur.balance, 0)
        XCTAssertNil(try store.readOnce { try $0.account(id: eur.id) }, "bank accounts are not customer accounts")
        XCTAssertEqual(try store.write { try $0.accountsForUpdate(ids: [eur.id]) }.count, 0)
        XCTAssertEqual(try store.readOnce { try $0.accounts(holderID: nil, page: PageRequest(limit: 10, offset: 0)) }.total, 1)
    }

    func testOutflowsAccumulatePerAccountAndDay() throws {
        let account = try openAccount("outflow@example.com")
        let day = now.date
        let nextDay = CivilDate(daysSinceEpoch: day.daysSinceEpoch + 1)
        try store.write { db in
            try db.recordOutflow(accountID: account.id, day: day, amount: 300)
            try db.recordOutflow(accountID: account.id, day: day, amount: 200)
            try db.recordOutflow(accountID: account.id, day: nextDay, amount: 7)
        }
        try store.write { db in
            XCTAssertEqual(try db.outflowFigures(accountID: account.id, day: day, at: now).usedToday, 500)
            XCTAssertEqual(try db.outflowFigures(accountID: account.id, day: nextDay, at: now).usedToday, 7)
            XCTAssertEqual(try db.outflowFigures(accountID: account.id, day: CivilDate(daysSinceEpoch: day.daysSinceEpoch - 1), at: now).usedToday, 0)
        }
    }

    /// The held figure counts the account's holds that are pending and unexpired at the time
    /// asked about, and no one else's.
    func testOutflowFiguresCountOnlyTheHoldsPendingAtTheTime() throws {
        let account = try openAccount("figures@example.com")
        let other = try openAccount("figures-other@example.com")
        func hold(_ accountID: String, _ amount: Int64, expiresAt: Timestamp) -> Hold {
            Hold(
                id: Identifier.make(at: now), accountID: accountID, cardID: nil, amount: amount, capturedAmount: 0,
                currency: Currency(code: "EUR")!, storedStatus: .pending, description: nil, metadata: .empty, expiresAt: expiresAt,
                createdAt: now, updatedAt: now)
        }
        let voided = hold(account.id, 1000, expiresAt: now.adding(seconds: 3600))
        try store.write { db in
            try db.insertHold(hold(account.id, 30, expiresAt: now.adding(seconds: 60)))
            try db.insertHold(hold(account.id, 5, expiresAt: now.adding(seconds: 3600)))
            try db.insertHold(hold(other.id, 700, expiresAt: now.adding(seconds: 3600)))
            try db.insertHold(voided)
            XCTAssertTrue(try db.settleHold(id: voided.id, to: .voided, capturedAmount: 0, capturePostingID: nil, at: now))
            try db.recordOutflow(accountID: account.id, day: now.date, amount: 12)
        }
        try store.write { db in
            XCTAssertEqual(try db.outflowFigures(accountID: account.id, day: now.date, at: now), OutflowFigures(usedToday: 12, held: 35))
            XCTAssertEqual(
                try db.outflowFigures(accountID: account.id, day: now.date, at: now.adding(seconds: 60)), OutflowFigures(usedToday: 12, held: 5),
                "a hold has expired at its expiry")
            XCTAssertEqual(
                try db.outflowFigures(accountID: account.id, day: CivilDate(daysSinceEpoch: now.date.daysSinceEpoch + 1), at: now.adding(seconds: 3600)),
                OutflowFigures(usedToday: 0, held: 0))
        }
    }

    /// An account read with its holds carries the sum of those pending at the time, alone and in
    /// a page (filtered by holder and metadata, so the time's placeholder sits among others).
    func testAccountsReadWithTheirHoldsCarryThosePendingAtTheTime() throws {
        let account = try openAccount("shown@example.com")
        let other = try openAccount("shown-other@example.com")
        try store.write { db in
            try db.updateAccountMetadata(id: account.id, to: Metadata(checked: ["tier": "gold"]))
            for (amount, seconds) in [(Int64(40), Int64(60)), (Int64(2), Int64(3600))] {
                try db.insertHold(
                    Hold(
                        id: Identifier.make(at: now), accountID: account.id, cardID: nil, amount: amount, capturedAmount: 0,
                        currency: Currency(code: "EUR")!, storedStatus: .pending, description: nil, metadata: .empty,
                        expiresAt: now.adding(seconds: seconds), createdAt: now, updatedAt: now))
            }
        }
        XCTAssertEqual(try store.readOnce { try $0.account(id: account.id, pendingHoldsAt: now) }?.pendingHolds, 42)
        XCTAssertEqual(try store.readOnce { try $0.account(id: account.id, pendingHoldsAt: now.adding(seconds: 60)) }?.availableBalance, -2)
        XCTAssertEqual(try store.readOnce { try $0.account(id: other.id, pendingHoldsAt: now) }?.pendingHolds, 0)
        XCTAssertNil(try store.readOnce { try $0.account(id: "no-such-account", pendingHoldsAt: now) })
        let holder = try XCTUnwrap(try store.readOnce { try $0.account(id: account.id) }).holderID
        let page = try store.read {
            try $0.accounts(holderID: holder, metadata: ["tier": "gold"], page: PageRequest(limit: 10, offset: 0), pendingHoldsAt: now)
        }
        XCTAssertEqual(page.items.map(\.id), [account.id])
        XCTAssertEqual(page.items.map(\.pendingHolds), [42])
        XCTAssertEqual(page.total, 1)
        let everyone = try store.read { try $0.accounts(holderID: nil, metadata: [:], page: PageRequest(limit: 10, offset: 0), pendingHoldsAt: now) }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: everyone.items.map { ($0.id, $0.pendingHolds) }), [account.id: 42, other.id: 0])
        XCTAssertEqual(try store.read { try $0.accounts(holderID: nil, page: PageRequest(limit: 10, offset: 0)) }.items.map(\.pendingHolds), [0, 0])
    }

    /// A journal entry written through the primitives, with both balances moved, is what
    /// `ledgerDiscrepancies` calls sound; a balance moved without its posting is reported.
    func testTheVerificationSeesABalanceWithoutItsPosting() throws {
        let account = try openAccount("journal@example.com")
        let eur = Currency(code: "EUR")!
        try store.write { db in
            let bank = try db.bankCashAccount(currency: eur, for: account.id, at: now)
            let entry = Identifier.make(at: now)
            for (accountID, amount, before) in [(account.id, Int64(250), Int64(0)), (bank.id, -250, bank.balance)] {
                try db.appendPosting(
                    JournalPosting(
                        id: Identifier.make(at: now), entryID: entry, accountID: accountID, type: .deposit, amount: amount,
                        currency: eur, balanceAfter: before + amount, description: nil, transferID: nil, createdAt: now))
                XCTAssertEqual(try db.moveBalance(accountID: accountID, from: before, to: before + amount, at: now), before + amount)
            }
        }
        XCTAssertEqual(try store.read { try $0.ledgerDiscrepancies() }, [])
        XCTAssertEqual(
            try store.read { try $0.transactions(TransactionFilter(accountID: account.id), page: PageRequest(limit: 10, offset: 0)) }.items.map(\.amount), [250]
        )
        try store.write { db in _ = try db.moveBalance(accountID: account.id, from: 250, to: 251, at: now) }
        let found = try store.read { try $0.ledgerDiscrepancies() }
        XCTAssertTrue(found.contains { $0.contains(account.id) }, "\(found)")
    }

    /// Holds and reversal links that break their rules are reported: a hold reserving more than
    /// the balance, a pending hold on a closed account, a capture whose journal line moved
    /// another amount, a reversal that does not mirror what it names.
    func testTheVerificationSeesBrokenHoldsAndReversals() throws {
        let account = try openAccount("holds@example.com")
        let eur = Currency(code: "EUR")!
        let deposit = Identifier.make(at: now)
        try store.write { db in
            let bank = try db.bankCashAccount(currency: eur, for: account.id, at: now)
            let entry = Identifier.make(at: now)
            for (id, accountID, amount, before) in [(deposit, account.id, Int64(250), Int64(0)), (Identifier.make(at: now), bank.id, -250, bank.balance)] {
                try db.appendPosting(
                    JournalPosting(
                        id: id, entryID: entry, accountID: accountID, type: .deposit, amount: amount, currency: eur, balanceAfter: before + amount,
                        description: nil, transferID: nil, createdAt: now))
                _ = try db.moveBalance(accountID: accountID, from: before, to: before + amount, at: now)
            }
        }
        XCTAssertEqual(try store.read { try $0.ledgerDiscrepancies() }, [])
        func hold(_ amount: Int64) -> Hold {
            Hold(
                id: Identifier.make(at: now), accountID: account.id, cardID: nil, amount: amount, capturedAmount: 0, currency: eur,
                storedStatus: .pending, description: nil, metadata: .empty, expiresAt: Timestamp.now().adding(seconds: 3600), createdAt: now,
                updatedAt: now)
        }
        let tooLarge = hold(300)
        let captured = hold(100)
        try store.write { db in
            try db.insertHold(tooLarge)
            try db.insertHold(captured)
            try db.recordOutflow(accountID: account.id, day: now.date, amount: 400)
            XCTAssertTrue(try db.settleHold(id: captured.id, to: .captured, capturedAmount: 100, capturePostingID: deposit, at: now))
            XCTAssertFalse(try db.settleHold(id: captured.id, to: .voided, capturedAmount: 0, capturePostingID: nil, at: now), "a compare-and-set")
            try db.appendPosting(
                JournalPosting(
                    id: Identifier.make(at: now), entryID: Identifier.make(at: now), accountID: account.id, type: .deposit, amount: 5,
                    currency: eur, balanceAfter: 255, description: nil, transferID: nil, createdAt: now, reversesID: deposit))
            try db.updateAccountStatus(id: account.id, to: .closed)
        }
        let found = try store.read { try $0.ledgerDiscrepancies() }.joined(separator: "\n")
        XCTAssertTrue(found.contains("pending holds reserve 300, more than its balance 250"), found)
        XCTAssertTrue(found.contains("hold \(tooLarge.id): pending on closed account"), found)
        XCTAssertTrue(found.contains("hold \(captured.id): captured 100 but its capture line is missing or moved another amount"), found)
        XCTAssertTrue(found.contains("reverses \(deposit) but does not mirror it"), found)
    }

    /// Two runners claiming at once never get the same job; a lease that runs out lets another
    /// runner claim the job, and the first runner's late outcome is then refused.
    func testJobClaimsAreExclusiveAndALostLeaseCannotFinish() throws {
        let due = now
        for index in 0..<40 {
            XCTAssertTrue(try store.write { try $0.enqueueJob(.queued(kind: .purge, runKey: "k\(index)", maxAttempts: 3, runAt: due, now: due)) })
        }
        XCTAssertFalse(try store.write { try $0.enqueueJob(.queued(kind: .purge, runKey: "k0", maxAttempts: 3, runAt: due, now: due)) })
        let other = try makeSecondStore()
        let claimed = Collected<String>()
        let group = DispatchGroup()
        for (runner, runnerStore) in [("a", store!), ("b", other)] {
            group.enter()
            let box = UncheckedStore(store: runnerStore)
            Thread {
                defer { group.leave() }
                while let jobs = try? box.store.write({ try $0.claimJobs(runner: runner, now: due, until: due.adding(seconds: 60), limit: 3) }),
                    !jobs.isEmpty
                {
                    for job in jobs { claimed.add(job.id) }
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(claimed.all.count, 40)
        XCTAssertEqual(Set(claimed.all).count, 40, "no job claimed twice")

        let job = try XCTUnwrap(claimed.all.first)
        let later = due.adding(seconds: 61)
        let reclaimed = try store.write { try $0.claimJobs(runner: "c", now: later, until: later.adding(seconds: 60), limit: 100) }
        XCTAssertEqual(reclaimed.count, 40, "every lease ran out")
        XCTAssertTrue(reclaimed.allSatisfy { $0.attempts == 2 })
        XCTAssertFalse(try store.write { try $0.finishJob(id: job, runner: "a", status: .succeeded, runAt: nil, error: nil, at: later) })
        XCTAssertTrue(try store.write { try $0.finishJob(id: job, runner: "c", status: .succeeded, runAt: nil, error: nil, at: later) })
        XCTAssertEqual(try store.read { try $0.job(id: job) }?.status, .succeeded)
        XCTAssertFalse(try store.write { try $0.retryJob(id: job, at: later) }, "only a dead or failed job is retried")
    }

    /// A claim that leaves a kind out takes the next due job of another kind, and leaves the kind
    /// out of lapsed leases too; a claim of every kind takes it.
    func testAClaimCanLeaveOneKindForOtherClaims() throws {
        let earlier = now.adding(seconds: -10)
        XCTAssertTrue(try store.write { try $0.enqueueJob(.queued(kind: .webhookDelivery, runKey: "hook", maxAttempts: 3, runAt: earlier, now: earlier)) })
        XCTAssertTrue(try store.write { try $0.enqueueJob(.queued(kind: .scheduledTransfer, runKey: "order", maxAttempts: 3, runAt: now, now: now)) })
        let lane = try store.write { try $0.claimJobs(runner: "a", now: now, until: now.adding(seconds: 60), limit: 5, excluding: .webhookDelivery) }
        XCTAssertEqual(lane.map(\.kind), [.scheduledTransfer])
        let any = try store.write { try $0.claimJobs(runner: "b", now: now, until: now.adding(seconds: 60), limit: 5) }
        XCTAssertEqual(any.map(\.kind), [.webhookDelivery])

        let lapsed = now.adding(seconds: 61)
        let relane = try store.write { try $0.claimJobs(runner: "c", now: lapsed, until: lapsed.adding(seconds: 60), limit: 5, excluding: .webhookDelivery) }
        XCTAssertEqual(relane.map(\.kind), [.scheduledTransfer], "a lapsed lease of the kind left out stays left out")
        let reclaimed = try store.write { try $0.claimJobs(runner: "d", now: lapsed, until: lapsed.adding(seconds: 60), limit: 5, excluding: .export) }
        XCTAssertEqual(reclaimed.map(\.kind), [.webhookDelivery])
    }

    /// Only the runner holding a running job renews its lease; a renewed lease keeps other runners
    /// off past the first one's end, and once the job is finished, or claimed by another runner
    /// after a lapse, nothing renews it.
    func testOnlyTheHolderRenewsALeaseAndARenewedLeaseHolds() throws {
        XCTAssertTrue(try store.write { try $0.enqueueJob(.queued(kind: .export, runKey: "long", maxAttempts: 3, runAt: now, now: now)) })
        let job = try XCTUnwrap(try store.write { try $0.claimJobs(runner: "a", now: now, until: now.adding(seconds: 60), limit: 5) }.first)
        let halfway = now.adding(seconds: 30)
        XCTAssertFalse(try store.write { try $0.renewJobLease(id: job.id, runner: "b", until: halfway.adding(seconds: 60), at: halfway) })
        XCTAssertTrue(try store.write { try $0.renewJobLease(id: job.id, runner: "a", until: halfway.adding(seconds: 60), at: halfway) })
        let pastFirstLease = now.adding(seconds: 61)
        XCTAssertEqual(try store.write { try $0.claimJobs(runner: "b", now: pastFirstLease, until: pastFirstLease.adding(seconds: 60), limit: 5) }.count, 0)

        let lapsed = halfway.adding(seconds: 61)
        let reclaimed = try store.write { try $0.claimJobs(runner: "b", now: lapsed, until: lapsed.adding(seconds: 60), limit: 5) }
        XCTAssertEqual(reclaimed.map(\.id), [job.id], "a lease not renewed runs out")
        XCTAssertFalse(try store.write { try $0.renewJobLease(id: job.id, runner: "a", until: lapsed.adding(seconds: 60), at: lapsed) }, "lost")
        XCTAssertTrue(try store.write { try $0.finishJob(id: job.id, runner: "b", status: .succeeded, runAt: nil, error: nil, at: lapsed) })
        XCTAssertFalse(try store.write { try $0.renewJobLease(id: job.id, runner: "b", until: lapsed.adding(seconds: 60), at: lapsed) }, "finished")
        XCTAssertEqual(try store.read { try $0.job(id: job.id) }?.status, .succeeded)
    }

    /// A job whose runner died during its last attempt is dead when its lease runs out, never
    /// handed to another runner (whom it might take down too).
    func testALapsedLeaseOnTheLastAttemptIsDead() throws {
        XCTAssertTrue(try store.write { try $0.enqueueJob(.queued(kind: .export, runKey: "last", maxAttempts: 1, runAt: now, now: now)) })
        XCTAssertEqual(try store.write { try $0.claimJobs(runner: "a", now: now, until: now.adding(seconds: 60), limit: 5) }.count, 1)
        let later = now.adding(seconds: 61)
        XCTAssertEqual(try store.write { try $0.claimJobs(runner: "b", now: later, until: later.adding(seconds: 60), limit: 5) }.count, 0)
        let job = try XCTUnwrap(try store.read { try $0.jobs(JobFilter(), page: PageRequest(limit: 5, offset: 0)) }.items.first)
        XCTAssertEqual(job.status, .dead)
        XCTAssertEqual(job.lastError, "its runner stopped during the last attempt")
    }

    func testAnIdempotencyRecordLivesUntilItExpiresAndIsThenReplaced() throws {
        let owner = user("keys@example.com")
        try store.write { try $0.insertUser(owner, passwordHash: "h") }
        let first = IdempotencyRecord(fingerprint: [1, 2, 3], response: StoredResponse(status: 201, headers: "Location: /a", body: Array("{}".utf8)))
        try store.write { try $0.storeIdempotencyRecord(first, userID: owner.id, key: "k", at: now, expiresAt: now.adding(seconds: 60)) }
        let kept = try store.readOnce { try $0.idempotencyRecord(userID: owner.id, key: "k", now: now.adding(seconds: 59)) }
        XCTAssertEqual(kept?.fingerprint, [1, 2, 3])
        XCTAssertEqual(kept?.response.status, 201)
        XCTAssertEqual(kept?.response.headers, "Location: /a")
        XCTAssertEqual(kept?.response.body, Array("{}".utf8))
        XCTAssertNil(try store.readOnce { try $0.idempotencyRecord(userID: owner.id, key: "k", now: now.adding(seconds: 60)) })
        XCTAssertNil(try store.readOnce { try $0.idempotencyRecord(userID: "someone-else", key: "k", now: now) }, "keys are per user")

        let later = now.adding(seconds: 61)
        let second = IdempotencyRecord(fingerprint: [9], response: StoredResponse(status: 422, headers: "", body: []))
        try store.write { try $0.storeIdempotencyRecord(second, userID: owner.id, key: "k", at: later, expiresAt: later.adding(seconds: 60)) }
        XCTAssertEqual(try store.readOnce { try $0.idempotencyRecord(userID: owner.id, key: "k", now: later) }?.fingerprint, [9])
        XCTAssertEqual(try store.write { try $0.purgeExpiredIdempotencyKeys(now: later.adding(seconds: 60)) }, 1)
    }

    /// The refresh-token purge takes only tokens expired before its bound, at most `limit` a call,
    /// so the first purge of a long backlog runs in short transactions.
    func testTheRefreshTokenPurgeTakesExpiredOnesAFewAtATime() throws {
        let owner = user("purge@example.com")
        try store.write { db in
            try db.insertUser(owner, passwordHash: "h")
            for (index, expiry) in [10, 20, 30, 40].enumerated() {
                try db.insertRefreshToken(
                    id: "r\(index)", hash: [UInt8(index)], familyID: "f", userID: owner.id, issuedAt: now,
                    expiresAt: now.adding(seconds: Int64(expiry)))
            }
        }
        let bound = now.adding(seconds: 40)
        XCTAssertEqual(try store.write { try $0.purgeExpiredRefreshTokens(before: bound, limit: 2) }, 2)
        XCTAssertEqual(try store.write { try $0.purgeExpiredRefreshTokens(before: bound, limit: 2) }, 1)
        XCTAssertEqual(try store.write { try $0.purgeExpiredRefreshTokens(before: bound, limit: 2) }, 0)
        XCTAssertNotNil(try store.write { try $0.refreshToken(hash: [3]) }, "expiring at the bound: kept")
    }

    /// The relay's read, from the start and from a cursor: oldest first, each event once, and
    /// nothing past the last one.
    func testEventsAfterACursorComeOldestFirst() throws {
        let ids = (0..<7).map { _ in Identifier.make(at: now) }
        try store.write { db in
            for id in ids { try db.appendEvent(Event(id: id, type: .transactionCreated, createdAt: now, data: [:], userIDs: ["u"])) }
        }
        XCTAssertEqual(try store.read { try $0.outboxEntries(after: nil, limit: 3) }.map(\.id), Array(ids.prefix(3)))
        XCTAssertEqual(try store.read { try $0.outboxEntries(after: ids[2], limit: 3) }.map(\.id), Array(ids[3..<6]))
        XCTAssertEqual(try store.read { try $0.outboxEntries(after: ids[5], limit: 3) }.map(\.id), [ids[6]])
        XCTAssertEqual(try store.read { try $0.outboxEntries(after: ids[6], limit: 3) }.map(\.id), [])
    }
}

/// A store handed to a thread that is the only one to use it.
private struct UncheckedStore: @unchecked Sendable {
    let store: any Store
}
