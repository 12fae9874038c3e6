import CofferCore
import CofferStore

/// Deposits, withdrawals and transfers: ownership checks (404) and then the ledger, which
/// applies the business rules and writes the journal. Each runs inside the caller's write
/// transaction, which also holds the Idempotency-Key record and the audit row.
public struct PaymentService {
    let settings: MoneySettings
    let clock: Clock

    public init(settings: MoneySettings, clock: Clock = .system) {
        self.settings = settings
        self.clock = clock
    }

    public enum CashMovement: String, Sendable { case deposit, withdrawal }

    public func moveCash(
        in tx: WriteTransaction, _ kind: CashMovement, accountID: String, amount: Int64, currency: Currency?,
        description: String?, by principal: Principal, origin: RequestOrigin
    ) throws -> LedgerTransaction {
        let db = tx.db
        // Deposits and withdrawals act only on the caller's own accounts (an admin's on any).
        guard let account = try db.account(id: accountID), account.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with this id.")
        }
        let now = clock.now()
        let ledgerKind: LedgerPosting.Kind = kind == .deposit ? .deposit(accountID: account.id) : .withdrawal(accountID: account.id)
        let receipt = try LedgerEngine(db: db, dailyOutflowLimit: settings.dailyOutflowLimit, maxBalance: settings.maxBalance)
            .post(LedgerPosting(ledgerKind, amount: amount, requestedCurrency: currency, description: description, at: now))
        guard let transaction = receipt.transactions.first else { preconditionFailure("a cash movement records one transaction") }
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .transactionCreate, actor: principal.userID,
            target: ("transaction", transaction.id))
        return transaction
    }

    /// Refusals that would tell something about the destination account: its status, its
    /// currency, or that its balance is near the maximum.
    static func describesDestination(_ error: AppError, _ destination: Account) -> Bool {
        switch error.code {
        case .accountNotActive, .balanceLimitExceeded: error.details["account_id"] == .string(destination.id)
        case .currencyMismatch: error.details["to_currency"] != nil
        default: false
        }
    }

    /// Money may go to any account; it may only leave one the caller controls.
    public func transfer(
        in tx: WriteTransaction, from fromID: String, to toID: String, amount: Int64, currency: Currency?,
        description: String?, by principal: Principal, origin: RequestOrigin
    ) throws -> Transfer {
        let db = tx.db
        guard let from = try db.account(id: fromID), from.isControlled(by: principal) else {
            throw AppError(.notFound, "There is no account with id \(fromID).", details: ["field": "from_account_id"])
        }
        guard let to = try db.account(id: toID) else {
            throw AppError(.notFound, "There is no account with id \(toID).", details: ["field": "to_account_id"])
        }
        let receipt: LedgerReceipt
        do {
            receipt = try LedgerEngine(db: db, dailyOutflowLimit: settings.dailyOutflowLimit, maxBalance: settings.maxBalance)
                .post(
                    LedgerPosting(
                        .transfer(fromAccountID: from.id, toAccountID: toID), amount: amount, requestedCurrency: currency,
                        description: description, at: clock.now()))
        } catch let error as AppError where !to.isVisible(to: principal) && Self.describesDestination(error, to) {
            // Someone else's account: one answer for every reason it cannot receive, so the code
            // tells neither its status, nor its currency, nor how full it is (SECURITY.md).
            throw AppError(.accountNotActive, "The destination account cannot receive this transfer.")
        }
        guard let transfer = receipt.transfer else { preconditionFailure("a transfer posting records a transfer") }
        try AuditRecorder(origin: origin, clock: clock).record(db, .transferCreate, actor: principal.userID, target: ("transfer", transfer.id))
        return transfer
    }
}
