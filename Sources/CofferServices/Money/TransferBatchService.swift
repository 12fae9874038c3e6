import CofferCore
import CofferStore

/// `POST /v1/transfers/batch` (API.md "Batches"): up to 1,000 transfers in one write
/// transaction, so one commit (on SQLite, one job of the group committer). Every account the
/// batch touches is locked up front in one global id order, so two batches never wait on each
/// other in a circle; items then run in order, each an ordinary transfer through the engine.
public struct TransferBatchService {
    public static let itemsMax = 1000

    public enum Mode: String, Sendable, CaseIterable {
        /// All or nothing: the first refused item refuses the batch.
        case atomic
        /// Each item on its own: refused items are reported and the others applied.
        case independent
    }

    /// One item's outcome, in item order.
    public enum ItemOutcome: Sendable {
        case applied(Transfer)
        case refused(AppError)
    }

    let store: any Store
    let settings: MoneySettings
    let clock: Clock

    public init(store: any Store, settings: MoneySettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// In `atomic` mode a refused item throws `batch_item_failed` naming it, and the caller's
    /// transaction (with every item before it) rolls back.
    public func run(in tx: WriteTransaction, _ mode: Mode, _ items: [TransferOrder], by principal: Principal, origin: RequestOrigin) throws -> [ItemOutcome] {
        precondition((1...Self.itemsMax).contains(items.count), "batch sizes are validated before the write")
        let db = tx.db
        let engine = LedgerEngine(db: db, plans: settings.plans, maxBalance: settings.maxBalance)
        _ = try engine.lock(items.flatMap { [$0.fromAccountID, $0.toAccountID] })
        // An atomic batch runs in a savepoint of its own, so that a refused item undoes the items
        // before it here: on SQLite a job that threw with changes left in place makes the committer
        // run its whole batch, other callers' jobs too, a second time (`Database.runBare`).
        guard mode == .independent else { return try db.savepoint { _ in try applyAll(mode, items, db, engine, principal, origin) } }
        return try applyAll(mode, items, db, engine, principal, origin)
    }

    private func applyAll(
        _ mode: Mode, _ items: [TransferOrder], _ db: any StoreWriter, _ engine: LedgerEngine, _ principal: Principal, _ origin: RequestOrigin
    ) throws -> [ItemOutcome] {
        let audit = AuditRecorder(origin: origin, clock: clock)
        var outcomes: [ItemOutcome] = []
        outcomes.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                let transfer =
                    try mode == .atomic
                    ? apply(item, engine, db, principal, audit)
                    : db.savepoint {
                        try apply(
                            item, LedgerEngine(db: $0, plans: settings.plans, maxBalance: settings.maxBalance), $0, principal, audit)
                    }
                outcomes.append(.applied(transfer))
            } catch let error as AppError where [404, 422].contains(error.code.entry.status) {
                guard mode == .independent else {
                    throw AppError(
                        .batchItemFailed, "Item \(index) was refused (\(error.code.rawValue)): \(error.detail) Nothing was applied.",
                        details: [
                            "index": .int(index),
                            "item": ["code": .string(error.code.rawValue), "message": .string(error.detail), "details": error.details],
                        ])
                }
                outcomes.append(.refused(error))
            }
        }
        return outcomes
    }

    /// One transfer, with the checks of `POST /v1/transfers`: the source must be the caller's (or
    /// the caller an admin), else the item is "not found", and so is a missing destination.
    private func apply(_ item: TransferOrder, _ engine: LedgerEngine, _ db: any StoreWriter, _ principal: Principal, _ audit: AuditRecorder) throws -> Transfer
    {
        let parties = try PaymentService.TransferParties.find(from: item.fromAccountID, to: item.toAccountID, by: principal, in: db)
        let (from, to) = (parties.from, parties.to)
        let receipt: LedgerReceipt
        do {
            receipt = try engine.post(
                LedgerPosting(
                    .transfer(fromAccountID: from.id, toAccountID: to.id), amount: item.amount, requestedCurrency: item.currency,
                    description: item.description, metadata: item.metadata, at: clock.now()))
        } catch let error as AppError where !to.isVisible(to: principal) && PaymentService.describesDestination(error, to.id) {
            throw AppError(.accountNotActive, "The destination account cannot receive this transfer.")
        }
        guard let transfer = receipt.transfer else { preconditionFailure("a transfer posting records a transfer") }
        try audit.record(db, .transferCreate, actor: principal.userID, target: ("transfer", transfer.id))
        try EventRecorder(clock: clock).record(db, .transferCreated, ResourceJSON.transfer(transfer), users: [from.ownerUserID, to.ownerUserID])
        return transfer
    }
}
