import CofferCore
import CofferStore

/// Holds as the API offers them: placing, capturing and voiding (through the ledger engine, in
/// the caller's write transaction), and reading, with the ownership rules of withdrawals: only
/// the account's owner (or an admin) acts on its holds; staff may read them.
public struct HoldService {
    let store: any Store
    let settings: MoneySettings
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    public struct Placement: Sendable {
        public let accountID: String
        public let amount: Int64
        public let currency: Currency?
        public let cardID: String?
        public let description: String?
        public let metadata: Metadata
        public let lifetimeSeconds: Int64

        public init(
            accountID: String, amount: Int64, currency: Currency?, cardID: String?, description: String?, metadata: Metadata,
            lifetimeSeconds: Int64
        ) {
            self.accountID = accountID
            self.amount = amount
            self.currency = currency
            self.cardID = cardID
            self.description = description
            self.metadata = metadata
            self.lifetimeSeconds = lifetimeSeconds
        }
    }

    /// What a capture moved: a withdrawal, or a transfer to another account.
    public struct Capture: Sendable {
        public let hold: Hold
        public let transaction: LedgerTransaction?
        public let transfer: Transfer?
    }

    private var engine: (any StoreWriter) -> LedgerEngine {
        { LedgerEngine(db: $0, plans: settings.plans, maxBalance: settings.maxBalance) }
    }

    public func place(in tx: WriteTransaction, _ placement: Placement, by principal: Principal, origin: RequestOrigin) throws -> Hold {
        let db = tx.db
        guard let account = try db.account(id: placement.accountID), account.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        let hold = try engine(db).placeHold(
            LedgerEngine.HoldRequest(
                accountID: account.id, amount: placement.amount, requestedCurrency: placement.currency, cardID: placement.cardID,
                description: placement.description, metadata: placement.metadata, lifetimeSeconds: placement.lifetimeSeconds,
                at: clock.now()))
        try AuditRecorder(origin: origin, clock: clock).record(db, .holdCreate, actor: principal.userID, target: ("hold", hold.id))
        try EventRecorder(clock: clock).record(db, .holdCreated, ResourceJSON.hold(hold, at: hold.createdAt), users: [account.ownerUserID])
        return hold
    }

    public func capture(
        in tx: WriteTransaction, _ holdID: String, amount: Int64?, to toAccountID: String?, description: String?, by principal: Principal,
        origin: RequestOrigin
    ) throws -> Capture {
        let db = tx.db
        let (_, account) = try controlledHold(holdID, principal, in: db)
        var destination: Account?
        if let toAccountID {
            guard let found = try db.account(id: toAccountID) else {
                throw AppError(.notFound, "There is no account with id \(toAccountID).", details: ["field": "to_account_id"])
            }
            destination = found
        }
        let (hold, receipt): (Hold, LedgerReceipt)
        do {
            (hold, receipt) = try engine(db).capture(holdID, amount: amount, to: toAccountID, description: description, at: clock.now())
        } catch let error as AppError where Self.masks(error, destination, principal) {
            throw AppError(.accountNotActive, "The destination account cannot receive this transfer.")
        }
        try AuditRecorder(origin: origin, clock: clock).record(db, .holdCapture, actor: principal.userID, target: ("hold", hold.id))
        let events = EventRecorder(clock: clock)
        try events.record(db, .holdCaptured, ResourceJSON.hold(hold, at: hold.updatedAt), users: [account.ownerUserID])
        if let transfer = receipt.transfer, let destination {
            try events.record(db, .transferCreated, ResourceJSON.transfer(transfer), users: [account.ownerUserID, destination.ownerUserID])
        } else if let transaction = receipt.transactions.first {
            try events.record(db, .transactionCreated, ResourceJSON.transaction(transaction), users: [account.ownerUserID])
        }
        return Capture(hold: hold, transaction: receipt.transfer == nil ? receipt.transactions.first : nil, transfer: receipt.transfer)
    }

    /// A refusal that would tell something about someone else's destination account.
    private static func masks(_ error: AppError, _ destination: Account?, _ principal: Principal) -> Bool {
        guard let destination else { return false }
        return !destination.isVisible(to: principal) && PaymentService.describesDestination(error, destination.id)
    }

    public func void(in tx: WriteTransaction, _ holdID: String, by principal: Principal, origin: RequestOrigin) throws -> Hold {
        let db = tx.db
        let (_, account) = try controlledHold(holdID, principal, in: db)
        let hold = try engine(db).void(holdID, at: clock.now())
        try AuditRecorder(origin: origin, clock: clock).record(db, .holdVoid, actor: principal.userID, target: ("hold", hold.id))
        try EventRecorder(clock: clock).record(db, .holdVoided, ResourceJSON.hold(hold, at: hold.updatedAt), users: [account.ownerUserID])
        return hold
    }

    /// The hold, if `principal` may act on it: the owner of its account, or an admin. Staff who
    /// may only read get "not found" here too, as for any write they may not make.
    private func controlledHold(_ id: String, _ principal: Principal, in db: any StoreReader) throws -> (Hold, Account) {
        guard let hold = try db.hold(id: id), let account = try db.account(id: hold.accountID), account.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no hold with this id.")
        }
        return (hold, account)
    }

    public func hold(_ id: String, for principal: Principal) throws -> Hold {
        try store.read { db in
            guard let hold = try db.hold(id: id), let account = try db.account(id: hold.accountID), account.isVisible(to: principal) else {
                throw AppError(.notFound, "There is no hold with this id.")
            }
            return hold
        }
    }

    public func list(
        accountID: String?, status: HoldStatus?, metadata: [String: String] = [:], for principal: Principal, page: PageRequest
    ) throws -> Page<Hold> {
        try store.read { db in
            var filter = HoldFilter(accountID: accountID, status: status, now: clock.now())
            filter.metadata = metadata
            if let accountID {
                guard let account = try db.account(id: accountID), account.isVisible(to: principal) else {
                    throw AppError(.notFound, "There is no account with this id.")
                }
            } else if !principal.role.seesEverything {
                guard let own = try db.accountHolder(userID: principal.userID) else { return Page(items: [], total: 0, nextAfter: nil) }
                filter.holderID = own.id
            }
            return try db.holds(filter, page: page)
        }
    }

    /// Now, for rendering a hold's status as of this answer.
    public var now: Timestamp { clock.now() }
}
