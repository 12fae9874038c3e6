import CofferCore

/// The seam between the services and a database (DESIGN.md, "the write path"). A store is one
/// worker's way in: SQLite (one reading connection per worker, writes through the group
/// committer) or PostgreSQL (a pooled connection). Services hold a store, never a connection,
/// and speak only in the typed records below; no SQL, no C handle and no HTTP crosses it.
///
/// Failures are `StoreError`s; `busy` and `unavailable` are temporary (503 with Retry-After).
public protocol Store: AnyObject {
    /// Runs `body` against one consistent snapshot.
    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T

    /// Runs `body` in a write transaction and returns once it is durable: all of `body`'s changes
    /// or none of them. A `body` that throws leaves nothing behind. `body` may run more than once
    /// (SQLite's committer runs a batch again when one of its jobs threw after changing rows), each
    /// earlier run's changes undone: whatever it does besides its statements must bear repeating.
    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T

    /// Runs `body` outside any transaction, for a body that makes one query (a single statement
    /// is consistent on its own): the hot read paths skip a BEGIN/COMMIT round trip.
    func readOnce<T>(_ body: (any StoreReader) throws -> T) throws -> T

    /// Whether the database answers, as the health check defines it.
    func ping() -> Bool
}

/// Every query the services make, as typed records.
public protocol StoreReader {
    func user(email: String) throws -> StoredUser?
    func user(id: String) throws -> StoredUser?
    func users(role: Role?, status: UserStatus?, page: PageRequest) throws -> Page<User>
    /// The email's attempts at or after `since`, oldest first.
    func loginAttempts(email: String, since: Timestamp) throws -> [LoginAttempt]
    /// The token checks of every authenticated request, in one query.
    func tokenStanding(jti: String, familyID: String, userID: String) throws -> TokenStanding
    func refreshToken(hash: [UInt8]) throws -> StoredRefreshToken?

    func accountHolder(id: String) throws -> AccountHolder?
    func accountHolder(userID: String) throws -> AccountHolder?
    func accountHolders(userID: String?, page: PageRequest) throws -> Page<AccountHolder>

    /// A customer account (the bank's cash accounts are never returned).
    func account(id: String) throws -> Account?
    /// The account as its owner sees it: with what its pending holds reserve at `time`, read in
    /// the same query, so that one statement answers `GET /v1/accounts/{id}`.
    func account(id: String, pendingHoldsAt time: Timestamp) throws -> Account?
    /// `metadata`: only accounts carrying every one of these entries (API.md "Metadata").
    /// `pendingHoldsAt`: each account also carries what its pending holds reserve at that time,
    /// read in the page's query.
    func accounts(holderID: String?, metadata: [String: String], page: PageRequest, pendingHoldsAt time: Timestamp?) throws -> Page<Account>

    func hold(id: String) throws -> Hold?
    func holds(_ filter: HoldFilter, page: PageRequest) throws -> Page<Hold>
    /// What the account's holds reserve at `now`: the sum of those pending and not yet expired.
    func pendingHoldTotal(accountID: String, at now: Timestamp) throws -> Int64
    /// How many of the account's holds are pending and not yet expired at `now`.
    func pendingHoldCount(accountID: String, at now: Timestamp) throws -> Int

    func card(id: String) throws -> Card?
    func liveCardCount(accountID: String) throws -> Int
    func cards(accountID: String?, holderID: String?, page: PageRequest) throws -> Page<Card>

    func transaction(id: String) throws -> LedgerTransaction?
    func transactions(_ filter: TransactionFilter, page: PageRequest) throws -> Page<LedgerTransaction>
    func transfer(id: String) throws -> Transfer?
    func transfers(accountID: String?, holderID: String?, metadata: [String: String], page: PageRequest) throws -> Page<Transfer>
    /// The account's balance after every posting at or before `time` (0 before its first), read
    /// from the one posting that ends that history: O(log n) in the journal's size.
    func balance(accountID: String, asOf time: Timestamp) throws -> Int64
    /// When the account's history begins (seed data and imports may predate the account row).
    func firstPostingTime(accountID: String) throws -> Timestamp?
    /// Nil when the period's sums do not fit in 64 bits.
    func statementTotals(accountID: String, from: Timestamp, until: Timestamp) throws -> StatementTotals?
    func statementLines(accountID: String, from: Timestamp, until: Timestamp, page: PageRequest) throws -> Page<LedgerTransaction>

    /// The live (unexpired) record of this user's Idempotency-Key, if any.
    func idempotencyRecord(userID: String, key: String, now: Timestamp) throws -> IdempotencyRecord?

    func auditEvents(_ filter: AuditFilter, page: PageRequest) throws -> Page<AuditEvent>
    /// The outbox, oldest first after `page.after`.
    func events(_ filter: EventFilter, page: PageRequest) throws -> Page<Event>
    /// Up to `limit` events after `after` (all from the start when nil), oldest first, without
    /// counting the rest or reading their data: the relay's read, every second.
    func outboxEntries(after: String?, limit: Int) throws -> [OutboxEntry]
    func stats(dayStart: Timestamp) throws -> ServiceStats

    func ledgerSize() throws -> LedgerSize

    /// A webhook that has not been deleted.
    func webhook(id: String) throws -> Webhook?
    /// Oldest first; every user's when `userID` is nil.
    func webhooks(userID: String?, page: PageRequest) throws -> Page<Webhook>
    /// The enabled webhooks of this user.
    func webhooksListening(userID: String) throws -> [Webhook]
    func delivery(id: String) throws -> WebhookDelivery?
    /// Newest first.
    func deliveries(webhookID: String, page: PageRequest) throws -> Page<WebhookDelivery>
    func event(id: String) throws -> Event?

    func scheduledTransfer(id: String) throws -> ScheduledTransfer?
    /// Oldest first; every user's when `userID` is nil. `metadata`: only schedules carrying every
    /// one of these entries (API.md "Metadata"), read from the schedule's own metadata: a user has
    /// few standing orders, so they need no index.
    func scheduledTransfers(userID: String?, metadata: [String: String], page: PageRequest) throws -> Page<ScheduledTransfer>
    /// Newest first.
    func scheduledRuns(scheduleID: String, page: PageRequest) throws -> Page<ScheduledRun>

    func export(id: String) throws -> Export?
    /// Ids of succeeded exports whose file has outlived `time`.
    func expiredExports(at time: Timestamp) throws -> [String]

    func job(id: String) throws -> Job?
    /// Newest first.
    func jobs(_ filter: JobFilter, page: PageRequest) throws -> Page<Job>
    /// The jobs table by kind and status; finished jobs are purged after a while, so it stays small.
    func jobCounts() throws -> [JobCount]

    /// Recomputes the ledger from the journal and lists every place it disagrees with itself
    /// (`coffer verify`); empty when the books are sound. `progress` hears after each check.
    func ledgerDiscrepancies(progress: @escaping (_ done: Int, _ total: Int) -> Void) throws -> [String]
}

extension StoreWriter {
    /// One move of `moveBalances`.
    public func moveBalance(accountID: String, from expected: Int64, to balance: Int64, at time: Timestamp) throws -> Int64? {
        let moved = try moveBalances([BalanceMove(accountID: accountID, from: expected, to: balance)], at: time)
        precondition(moved.count == 1, "moveBalances answers each move")
        return moved[0]
    }

    /// Due jobs of every kind.
    public func claimJobs(runner: String, now: Timestamp, until: Timestamp, limit: Int) throws -> [Job] {
        try claimJobs(runner: runner, now: now, until: until, limit: limit, excluding: nil)
    }
}

extension StoreReader {
    public func ledgerDiscrepancies() throws -> [String] {
        try ledgerDiscrepancies { _, _ in }
    }
}

extension StoreReader {
    public func accounts(holderID: String?, page: PageRequest) throws -> Page<Account> {
        try accounts(holderID: holderID, metadata: [:], page: page, pendingHoldsAt: nil)
    }

    public func transfers(accountID: String?, holderID: String?, page: PageRequest) throws -> Page<Transfer> {
        try transfers(accountID: accountID, holderID: holderID, metadata: [:], page: page)
    }
}

/// Everything a write transaction may change. Only a `Store.write` body ever holds one, so
/// nothing here can run outside a transaction.
public protocol StoreWriter: StoreReader {
    /// Runs `body` inside a nested savepoint: if it throws, only its own changes are undone and
    /// the transaction goes on.
    func savepoint<T>(_ body: (any StoreWriter) throws -> T) throws -> T

    func insertUser(_ user: User, passwordHash: String) throws
    func updatePassword(userID: String, hash: String, changedAt: Timestamp?) throws
    func updateUser(id: String, role: Role, status: UserStatus) throws
    func updateUserPlan(id: String, to plan: Plan) throws
    /// Holds a (normalised) email, and so its user, for the rest of this transaction, for every
    /// connection and process: a signup's "is it taken?" and its insert, a login's count of
    /// attempts and its own, a session started against a password change or a suspension, must
    /// not interleave with another doing the same (two signups would both see it free, concurrent
    /// guesses would all count the same four, a login could outlive a password change).
    func lockEmail(_ email: String) throws
    /// A pending attempt at `time`, before its password is checked.
    func reserveLoginAttempt(email: String, at time: Timestamp) throws
    /// The pending attempt made at `time` failed: it now counts towards the lockout.
    func settleLoginAttempt(email: String, at time: Timestamp) throws
    /// A right password: the email's failures and this attempt go (others still in flight stay),
    /// and so does every attempt older than `before`.
    func clearLoginFailures(email: String, attemptAt time: Timestamp, before: Timestamp) throws

    func insertRefreshToken(id: String, hash: [UInt8], familyID: String, userID: String, issuedAt: Timestamp, expiresAt: Timestamp) throws
    /// Marks the token used; false when it already was (a reuse).
    func markRefreshTokenRotated(id: String, at time: Timestamp) throws -> Bool
    func revokeRefreshFamily(_ familyID: String, at time: Timestamp) throws
    func revokeRefreshTokens(userID: String, at time: Timestamp) throws
    func denyAccessToken(jti: String, until expiresAt: Timestamp) throws
    func purgeExpiredTokens(before time: Timestamp) throws
    /// Up to `limit` refresh tokens that expired before `time`; answers how many went.
    func purgeExpiredRefreshTokens(before time: Timestamp, limit: Int) throws -> Int

    func insertAccountHolder(_ holder: AccountHolder) throws
    func insertAccount(_ account: Account) throws
    func updateAccountStatus(id: String, to status: AccountStatus) throws
    func updateAccountMetadata(id: String, to metadata: Metadata) throws
    func insertCard(_ card: Card) throws
    func updateCardStatus(id: String, to status: CardStatus) throws
    /// Cancels the account's cards that are not cancelled yet, and returns them as they now are.
    func cancelCards(accountID: String) throws -> [Card]

    /// Claims a user's Idempotency-Key for the rest of this transaction, for every process that
    /// shares the database; false while another transaction holds it. The claim ends with the
    /// transaction (commit, rollback, or a connection lost with its process), so a crashed node
    /// never leaves a key stuck.
    func claimIdempotencyKey(userID: String, key: String) throws -> Bool
    /// Keeps the key's record, replacing an expired one.
    func storeIdempotencyRecord(_ record: IdempotencyRecord, userID: String, key: String, at now: Timestamp, expiresAt: Timestamp) throws
    @discardableResult
    func purgeExpiredIdempotencyKeys(now: Timestamp) throws -> Int

    /// Appends to the audit trail, in the transaction of the action it records.
    func appendAudit(_ event: AuditEvent) throws
    /// Appends to the outbox, in the transaction of the change it tells of.
    func appendEvent(_ event: Event) throws

    func insertWebhook(_ webhook: Webhook) throws
    /// Saves url, events and status.
    /// The webhook (not deleted), locked against other writers until the transaction ends: its
    /// changes read what they keep (a PATCH keeps the fields it does not name).
    func webhookForUpdate(id: String) throws -> Webhook?
    func updateWebhook(_ webhook: Webhook) throws
    /// `secret` signs from now on; `retired` replaces the list of replaced secrets still signing.
    func rotateWebhookSecret(id: String, to secret: String, retired: [RetiredSecret]) throws
    func deleteWebhook(id: String, at time: Timestamp) throws
    /// False (and nothing added) when this webhook already has a delivery of this event.
    func insertDelivery(id: String, webhookID: String, event: OutboxEntry, jobID: String, at time: Timestamp) throws -> Bool
    /// The outbox relay named `name`: the last event it handed on (nil: none yet), locked
    /// against other relays until the transaction ends.
    func outboxCursorForUpdate(name: String) throws -> String?
    func setOutboxCursor(name: String, eventID: String) throws
    func recordDeliveryAttempt(id: String, statusCode: Int?, error: String?) throws

    func insertScheduledTransfer(_ schedule: ScheduledTransfer) throws
    /// The schedule, locked against other writers until the transaction ends.
    func scheduledTransferForUpdate(id: String) throws -> ScheduledTransfer?
    func updateScheduledTransfer(id: String, status: ScheduledTransfer.Status, nextRunOn: CivilDate?) throws
    /// Records a run; false (and nothing recorded) when this schedule already ran on that date.
    func insertScheduledRun(_ run: ScheduledRun) throws -> Bool

    func insertExport(_ export: Export) throws
    /// False (and nothing changed) once the export succeeded: a second run of its job (a lease
    /// that ran out under a long export) must not take a finished file back.
    @discardableResult
    func updateExport(id: String, status: Export.Status, progress: Int, rows: Int, error: String?, expiresAt: Timestamp?) throws -> Bool

    // MARK: Jobs, for the job runner

    /// Adds a job; false (and nothing added) when its `runKey` is already taken.
    func enqueueJob(_ job: Job) throws -> Bool
    /// Leases up to `limit` due jobs (and jobs whose lease ran out) to `runner` until `until`,
    /// counting an attempt on each; no other runner gets them meanwhile. Jobs of kind `excluding`
    /// are left for another claim.
    func claimJobs(runner: String, now: Timestamp, until: Timestamp, limit: Int, excluding: JobKind?) throws -> [Job]
    /// Ends `runner`'s lease with an outcome; false when the lease was lost (it ran out and another
    /// runner claimed the job), in which case nothing changes.
    func finishJob(id: String, runner: String, status: JobStatus, runAt: Timestamp?, error: String?, at now: Timestamp) throws -> Bool
    /// Extends `runner`'s lease on a job it is still running to `until`; false when the lease was
    /// lost (another runner claimed the job) or the job has finished, in which case nothing changes.
    func renewJobLease(id: String, runner: String, until: Timestamp, at now: Timestamp) throws -> Bool
    /// Queues a dead or failed job again with fresh attempts; false for any other.
    func retryJob(id: String, at now: Timestamp) throws -> Bool
    /// Queues the job of `runKey` again, due at `runAt`, whatever its status (work that must
    /// happen once checks for itself that it has not); false when there is none.
    func requeueJob(runKey: String, runAt: Timestamp, at now: Timestamp) throws -> Bool
    func purgeFinishedJobs(before time: Timestamp) throws
    /// Records as expired up to `limit` pending holds past their expiry, and returns them.
    func expireDueHolds(at now: Timestamp, limit: Int) throws -> [Hold]

    // MARK: Ledger primitives, for the ledger engine only (and `accountsForUpdate` for a service
    // that must read an account, or count its cards, under its lock)

    /// The customer accounts among `ids`, locked against other writers until the transaction
    /// ends, in ascending id order (so two transactions that lock the same accounts never wait on
    /// each other in a circle); an id with no customer account is left out.
    func accountsForUpdate(ids: [String]) throws -> [LockedAccount]
    /// The bank's cash account that takes the other side of `accountID`'s deposits and
    /// withdrawals in `currency`, created on first use and locked like `accountForUpdate`. A store
    /// may split the bank's cash into several accounts per currency (so that deposits to
    /// different accounts do not queue on one lock); the same customer account always gets the
    /// same one.
    func bankCashAccount(currency: Currency, for accountID: String, at time: Timestamp) throws -> BankCashAccount
    /// What left the account on `day` and what its pending holds reserve at `time`, in one query:
    /// an outflow's checks read both under the account's lock, and each query made under a lock
    /// lengthens the queue behind it.
    func outflowFigures(accountID: String, day: CivilDate, at time: Timestamp) throws -> OutflowFigures
    func insertTransfer(_ transfer: Transfer) throws
    /// Appends one leg to the journal, which is append-only.
    func appendPosting(_ posting: JournalPosting) throws
    /// Compare-and-set, for each move in turn: moves the cached balance from `expected` to
    /// `balance`, counts the posting that moved it (each posting moves its account's balance
    /// exactly once) and keeps the latest posting time (`at`, unless a later one is already kept).
    /// Returns, per move, the balance now stored, read back after the change; nil when the balance
    /// was not `expected` (which under the account's lock is a bug). All of an entry's moves go
    /// in one call, so a store may send them in one round trip.
    func moveBalances(_ moves: [BalanceMove], at time: Timestamp) throws -> [Int64?]
    /// The cached balance of any account, customer or bank, as this transaction sees it.
    func balance(accountID: String) throws -> Int64?
    func recordOutflow(accountID: String, day: CivilDate, amount: Int64) throws
    /// Keeps `at` as the account's latest time (unless a later one is kept), for a change that
    /// judges holds at that time without posting (placing, voiding a hold).
    func markAccountTime(accountID: String, at time: Timestamp) throws

    func insertHold(_ hold: Hold) throws
    /// The hold, locked against other writers (the expiry sweep) until the transaction ends.
    func holdForUpdate(id: String) throws -> Hold?
    /// Compare-and-set: moves a pending hold to `status`; false when it was no longer pending. A
    /// capture names the journal line that took the money from the hold's account.
    func settleHold(id: String, to status: HoldStatus, capturedAmount: Int64, capturePostingID: String?, at time: Timestamp) throws -> Bool
    /// Records as expired the account's pending holds whose expiry has passed at `now`, and
    /// returns them as they now are.
    func expireHolds(accountID: String, at now: Timestamp) throws -> [Hold]
}
