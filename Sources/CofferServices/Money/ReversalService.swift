import CofferCore
import CofferStore

/// Corrections (API.md "Reversals", admin only): a reversal is a new journal entry in the other
/// direction that names what it compensates; the original is never touched, and shows
/// `reversed_by` through that link. Each check runs under the locks of the accounts involved,
/// so two concurrent reversals of one entry cannot both see it unreversed (and the unique index
/// on the link would refuse the second anyway).
public struct ReversalService {
    let store: any Store
    let settings: MoneySettings
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    private func engine(_ db: any StoreWriter) -> LedgerEngine {
        LedgerEngine(db: db, plans: settings.plans, maxBalance: settings.maxBalance)
    }

    /// A deposit becomes a withdrawal and a withdrawal a deposit. A transfer's own lines are
    /// reversed by reversing the transfer.
    public func reverseTransaction(
        in tx: WriteTransaction, _ id: String, reason: String, by principal: Principal, origin: RequestOrigin
    ) throws -> LedgerTransaction {
        let db = tx.db
        guard principal.role == .admin else { throw AppError(.forbidden, "Only an admin can reverse a transaction.") }
        guard let seen = try db.transaction(id: id) else { throw AppError(.notFound, "There is no transaction with this id.") }
        let engine = engine(db)
        _ = try engine.lock([seen.accountID])
        guard let original = try db.transaction(id: id) else { preconditionFailure("the journal is append-only") }
        try Self.requireReversible(reversesID: original.reversesID, reversedBy: original.reversedBy, what: "transaction")
        let kind: LedgerPosting.Kind
        switch original.type {
        case .deposit: kind = .withdrawal(accountID: original.accountID)
        case .withdrawal: kind = .deposit(accountID: original.accountID)
        case .transferIn, .transferOut:
            throw AppError(
                .invalidTransition, "This transaction is one side of transfer \(original.transferID ?? ""); reverse the transfer instead.",
                details: ["transfer_id": original.transferID.map(JSONValue.string) ?? .null])
        }
        let receipt = try engine.post(
            LedgerPosting(
                kind, amount: original.amount, requestedCurrency: nil, description: Self.description(reason), funding: .correction(reversing: original.id),
                at: clock.now()))
        guard let compensation = receipt.transactions.first else { preconditionFailure("a cash movement records one transaction") }
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .transactionReverse, actor: principal.userID, target: ("transaction", original.id), reason: reason)
        guard let owner = try db.account(id: original.accountID)?.ownerUserID, let reversed = try db.transaction(id: original.id) else {
            preconditionFailure("accounts and the journal are never deleted")
        }
        let events = EventRecorder(clock: clock)
        try events.record(db, .transactionReversed, ResourceJSON.transaction(reversed), users: [owner])
        try events.record(db, .transactionCreated, ResourceJSON.transaction(compensation), users: [owner])
        return compensation
    }

    /// A transfer of the same amount the other way.
    public func reverseTransfer(in tx: WriteTransaction, _ id: String, reason: String, by principal: Principal, origin: RequestOrigin) throws -> Transfer {
        let db = tx.db
        guard principal.role == .admin else { throw AppError(.forbidden, "Only an admin can reverse a transfer.") }
        guard let seen = try db.transfer(id: id) else { throw AppError(.notFound, "There is no transfer with this id.") }
        let engine = engine(db)
        _ = try engine.lock([seen.fromAccountID, seen.toAccountID])
        guard let original = try db.transfer(id: id) else { preconditionFailure("transfers are append-only") }
        try Self.requireReversible(reversesID: original.reversesID, reversedBy: original.reversedBy, what: "transfer")
        let receipt = try engine.post(
            LedgerPosting(
                .transfer(fromAccountID: original.toAccountID, toAccountID: original.fromAccountID), amount: original.amount,
                requestedCurrency: nil, description: Self.description(reason), funding: .correction(reversing: original.id), at: clock.now()))
        guard let compensation = receipt.transfer else { preconditionFailure("a transfer posting records a transfer") }
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .transferReverse, actor: principal.userID, target: ("transfer", original.id), reason: reason)
        guard let from = try db.account(id: original.fromAccountID), let to = try db.account(id: original.toAccountID),
            let reversed = try db.transfer(id: original.id)
        else { preconditionFailure("accounts and transfers are never deleted") }
        let events = EventRecorder(clock: clock)
        try events.record(db, .transferReversed, ResourceJSON.transfer(reversed), users: [from.ownerUserID, to.ownerUserID])
        try events.record(db, .transferCreated, ResourceJSON.transfer(compensation), users: [from.ownerUserID, to.ownerUserID])
        return compensation
    }

    /// Checked first: a reversal cannot be reversed, and nothing is reversed twice.
    static func requireReversible(reversesID: String?, reversedBy: String?, what: String) throws(AppError) {
        if let reversesID {
            throw AppError(
                .invalidTransition, "This \(what) is itself the reversal of \(reversesID) and cannot be reversed.",
                details: ["reverses_id": .string(reversesID)])
        }
        if let reversedBy {
            throw AppError(.invalidTransition, "This \(what) was already reversed by \(reversedBy).", details: ["reversed_by": .string(reversedBy)])
        }
    }

    static func description(_ reason: String) -> String {
        String("Reversal: \(reason)".prefix(MoneyRules.descriptionLengthMax))
    }
}
