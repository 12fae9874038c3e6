import CofferCore
import CofferStore

/// Deposits, withdrawals and transfers: ownership checks (404) first, from the process's
/// `AccountOwnershipCache` or the worker's own connection, then the ledger inside the write
/// transaction, which also holds the Idempotency-Key record and the audit row.
///
/// The checks may run before the transaction because what they read never changes: an account
/// keeps its id, owner and currency for life and is never deleted. The ledger engine loads both
/// accounts again for update, so every rule about their state (status, balance, limits) is
/// decided under the lock. Keeping the checks out of the transaction keeps them off SQLite's
/// single committer thread.
public struct PaymentService {
    let store: any Store
    let settings: MoneySettings
    let ownerships: AccountOwnershipCache
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, ownerships: AccountOwnershipCache, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.ownerships = ownerships
        self.clock = clock
    }

    public enum CashMovement: String, Sendable { case deposit, withdrawal }

    /// An account the caller may deposit to or withdraw from: their own (an admin's: any).
    public struct CashAccount: Sendable {
        let id: String
        let ownerUserID: String
    }

    /// Money moves from an account the caller controls to any existing account.
    public struct TransferParties: Sendable {
        let from: AccountOwnership
        let to: AccountOwnership
    }

    public func cashAccount(_ accountID: String, by principal: Principal) throws -> CashAccount {
        guard let account = try ownership(of: accountID), account.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        return CashAccount(id: account.id, ownerUserID: account.ownerUserID)
    }

    public func transferParties(from fromID: String, to toID: String, by principal: Principal) throws -> TransferParties {
        try TransferParties.check(from: try ownership(of: fromID), fromID, to: try ownership(of: toID), toID, by: principal)
    }

    private func ownership(of accountID: String) throws -> AccountOwnership? {
        try ownerships.ownership(of: accountID) { try store.readOnce { try $0.account(id: accountID)?.ownership } }
    }

    public func moveCash(
        in tx: WriteTransaction, _ kind: CashMovement, account: CashAccount, amount: Int64, currency: Currency?,
        description: String?, metadata: Metadata = .empty, by principal: Principal, origin: RequestOrigin
    ) throws -> LedgerTransaction {
        let db = tx.db
        let now = clock.now()
        let ledgerKind: LedgerPosting.Kind = kind == .deposit ? .deposit(accountID: account.id) : .withdrawal(accountID: account.id)
        let receipt = try LedgerEngine(db: db, plans: settings.plans, maxBalance: settings.maxBalance)
            .post(LedgerPosting(ledgerKind, amount: amount, requestedCurrency: currency, description: description, metadata: metadata, at: now))
        guard let transaction = receipt.transactions.first else { preconditionFailure("a cash movement records one transaction") }
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .transactionCreate, actor: principal.userID,
            target: ("transaction", transaction.id))
        try EventRecorder(clock: clock).record(db, .transactionCreated, ResourceJSON.transaction(transaction), users: [account.ownerUserID])
        return transaction
    }

    /// Refusals that would tell something about the destination account: its status, its
    /// currency, or that its balance is near the maximum.
    static func describesDestination(_ error: AppError, _ destinationID: String) -> Bool {
        switch error.code {
        case .accountNotActive, .balanceLimitExceeded: error.details["account_id"] == .string(destinationID)
        case .currencyMismatch: error.details["to_currency"] != nil
        default: false
        }
    }

    public func transfer(
        in tx: WriteTransaction, _ parties: TransferParties, amount: Int64, currency: Currency?, description: String?,
        metadata: Metadata = .empty, by principal: Principal, origin: RequestOrigin
    ) throws -> Transfer {
        let db = tx.db
        let (from, to) = (parties.from, parties.to)
        let receipt: LedgerReceipt
        do {
            receipt = try LedgerEngine(db: db, plans: settings.plans, maxBalance: settings.maxBalance)
                .post(
                    LedgerPosting(
                        .transfer(fromAccountID: from.id, toAccountID: to.id), amount: amount, requestedCurrency: currency,
                        description: description, metadata: metadata, at: clock.now()))
        } catch let error as AppError where !to.isVisible(to: principal) && Self.describesDestination(error, to.id) {
            // Someone else's account: one answer for every reason it cannot receive, so the code
            // tells neither its status, nor its currency, nor how full it is (SECURITY.md).
            throw AppError(.accountNotActive, "The destination account cannot receive this transfer.")
        }
        guard let transfer = receipt.transfer else { preconditionFailure("a transfer posting records a transfer") }
        try AuditRecorder(origin: origin, clock: clock).record(db, .transferCreate, actor: principal.userID, target: ("transfer", transfer.id))
        try EventRecorder(clock: clock).record(db, .transferCreated, ResourceJSON.transfer(transfer), users: [from.ownerUserID, to.ownerUserID])
        return transfer
    }
}
