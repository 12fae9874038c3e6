import CofferCore
import CofferStore

/// Opening, listing and changing accounts, with API.md's ownership and role rules.
public struct AccountService {
    let store: any Store
    let settings: MoneySettings
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// Inside the caller's write transaction (the idempotency layer opens it).
    public func open(
        in tx: WriteTransaction, type: AccountType, currency: Currency, holderID requested: String?, metadata: Metadata = .empty,
        by principal: Principal, origin: RequestOrigin
    ) throws -> Account {
        let db = tx.db
        let holder: AccountHolder
        if let requested {
            // Only an admin may open an account for another holder; for anyone else it does not exist.
            guard let found = try db.accountHolder(id: requested), principal.role == .admin || found.userID == principal.userID else {
                throw AppError(.notFound, "There is no account holder with this id.")
            }
            holder = found
        } else {
            guard let own = try db.accountHolder(userID: principal.userID) else {
                throw AppError.validation([FieldError("holder_id", "is required: you have no account holder of your own")])
            }
            holder = own
        }
        let now = clock.now()
        let account = Account(
            id: Identifier.make(at: now), holderID: holder.id, ownerUserID: holder.userID, type: type,
            currency: currency, balance: 0, status: .active, createdAt: now, metadata: metadata)
        try db.insertAccount(account)
        try AuditRecorder(origin: origin, clock: clock).record(db, .accountCreate, actor: principal.userID, target: ("account", account.id))
        return account
    }

    /// An account's balance at a point in time (API.md "Balance at a point in time").
    public struct BalanceAt: Sendable {
        public let account: Account
        public let at: Timestamp
        public let balance: Int64
        /// Only for now: the balance less pending holds.
        public let available: Int64?
    }

    /// The balance after every posting at or before `requested`, or now when it is nil.
    public func balance(_ id: String, at requested: Timestamp?, to principal: Principal) throws -> BalanceAt {
        let now = clock.now()
        if let requested, requested > now { throw AppError.invalidParameter("at", "is in the future") }
        return try store.read { db in
            let account = try visibleAccount(id, to: principal, in: db)
            guard let requested else {
                return BalanceAt(account: account, at: now, balance: account.balance, available: account.availableBalance)
            }
            return BalanceAt(account: account, at: requested, balance: try db.balance(accountID: account.id, asOf: requested), available: nil)
        }
    }

    /// The account if `principal` may see it; otherwise "not found", never "forbidden". One
    /// statement, so it needs no transaction around it.
    public func visibleAccount(_ id: String, to principal: Principal) throws -> Account {
        try store.readOnce { db in try visibleAccount(id, to: principal, in: db) }
    }

    /// With what its pending holds reserve now, so it shows its available balance.
    private func visibleAccount(_ id: String, to principal: Principal, in db: any StoreReader) throws -> Account {
        guard let account = try db.account(id: id, pendingHoldsAt: clock.now()), account.isVisible(to: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        return account
    }

    public func list(for principal: Principal, holderID: String?, metadata: [String: String] = [:], page: PageRequest) throws -> Page<Account> {
        try store.read { db in try listed(for: principal, holderID: holderID, metadata: metadata, page: page, in: db) }
    }

    private func listed(
        for principal: Principal, holderID: String?, metadata: [String: String], page: PageRequest, in db: any StoreReader
    ) throws -> Page<Account> {
        let now = clock.now()
        if principal.role.seesEverything {
            return try db.accounts(holderID: holderID, metadata: metadata, page: page, pendingHoldsAt: now)
        }
        guard let own = try db.accountHolder(userID: principal.userID) else { return Page(items: [], total: 0, nextAfter: nil) }
        if let holderID, holderID != own.id { throw AppError(.notFound, "There is no account holder with this id.") }
        return try db.accounts(holderID: own.id, metadata: metadata, page: page, pendingHoldsAt: now)
    }

    /// `PATCH /v1/accounts/{id}`: a status change, new metadata, or both, in one transaction.
    /// Metadata is the owner's (or an admin's) to replace.
    public func update(
        _ id: String, status: AccountStatus?, metadata: Metadata?, by principal: Principal, origin: RequestOrigin
    ) throws -> Account {
        try store.write { db in
            var account = try visibleAccount(id, to: principal, in: db)
            if let metadata {
                guard account.isControlled(by: principal) else { throw AppError(.forbidden, "Only the owner or an admin can change metadata.") }
                try db.updateAccountMetadata(id: account.id, to: metadata)
                account = account.with(metadata: metadata)
            }
            if let status {
                // Read again under the account's lock: on PostgreSQL another change (a close) may
                // have committed since the first read, and a closed account must stay closed.
                _ = try db.accountsForUpdate(ids: [account.id])
                account = try visibleAccount(id, to: principal, in: db)
                account = try changeStatus(account, to: status, by: principal, origin: origin, in: db)
            }
            return account
        }
    }

    /// Admin: active ↔ frozen. Owner (or admin): active → closed, only without pending holds and
    /// at balance 0. Closed is final. `account` is read under its lock, with its pending holds.
    private func changeStatus(
        _ account: Account, to status: AccountStatus, by principal: Principal, origin: RequestOrigin, in db: any StoreWriter
    ) throws -> Account {
        guard account.status != status else { return account }
        switch (account.status, status) {
        case (.closed, _):
            throw AppError(.invalidTransition, "A closed account cannot be reopened or changed.")
        case (.active, .frozen), (.frozen, .active):
            guard principal.role == .admin else { throw AppError(.forbidden, "Only an admin can freeze or unfreeze an account.") }
        case (.active, .closed):
            guard account.isControlled(by: principal) else { throw AppError(.forbidden, "Only the owner can close an account.") }
            // `account` was read under its lock (update), so no hold or deposit lands between the
            // checks and the close.
            let now = clock.now()
            guard account.pendingHolds == 0 else {
                throw AppError(
                    .accountHasPendingHolds, "Pending holds reserve \(account.pendingHolds); capture or void them before closing the account.",
                    details: ["pending": .int(account.pendingHolds)])
            }
            guard account.balance == 0 else {
                throw AppError(
                    .accountHasBalance, "The balance is \(account.balance); move it out before closing the account.",
                    details: ["balance": .int(account.balance)])
            }
            // Holds that expired stop being pending in the books too: a closed account keeps none.
            // Both changes are told like any other (the expiry sweep never sees these holds again).
            let events = EventRecorder(clock: clock)
            for hold in try db.expireHolds(accountID: account.id, at: now) {
                try events.record(db, .holdExpired, ResourceJSON.hold(hold, at: hold.updatedAt), users: [account.ownerUserID])
            }
            for card in try db.cancelCards(accountID: account.id) {
                try events.record(db, .cardStatusChanged, ResourceJSON.card(card), users: [account.ownerUserID])
            }
        case (.frozen, .closed):
            throw AppError(.invalidTransition, "A frozen account cannot be closed; an admin must unfreeze it first.")
        default:
            throw AppError(.invalidTransition)
        }
        try db.updateAccountStatus(id: account.id, to: status)
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .accountStatusChange, actor: principal.userID,
            target: ("account", account.id),
            reason: "\(account.status.rawValue)->\(status.rawValue)")
        let changed = account.with(status: status)
        try EventRecorder(clock: clock).record(db, .accountStatusChanged, ResourceJSON.account(changed), users: [account.ownerUserID])
        return changed
    }
}
