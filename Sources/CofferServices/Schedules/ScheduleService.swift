import CofferCore
import CofferStore

/// Standing orders (API.md "Scheduled transfers"): create, read, pause, resume, cancel, and read
/// runs. Each due date is one `scheduled_transfer` job whose run key is the schedule and the date,
/// so however many runners see it, and whatever crashes, it runs once.
public struct ScheduleService {
    let store: any Store
    let clock: Clock

    public init(store: any Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// A standing order: the transfer, and when it runs.
    public struct Order: Sendable {
        public let transfer: TransferOrder
        public let startDate: CivilDate
        public let interval: ScheduledTransfer.Interval
        public let endDate: CivilDate?

        public init(transfer: TransferOrder, startDate: CivilDate, interval: ScheduledTransfer.Interval, endDate: CivilDate?) {
            self.transfer = transfer
            self.startDate = startDate
            self.interval = interval
            self.endDate = endDate
        }
    }

    public func create(in tx: WriteTransaction, _ order: Order, by principal: Principal, origin: RequestOrigin) throws -> ScheduledTransfer {
        let db = tx.db
        let now = clock.now()
        var problems: [FieldError] = []
        if order.startDate < now.date { problems.append(FieldError("start_date", "must be today (\(now.date.iso8601), UTC) or later")) }
        if let end = order.endDate, end < order.startDate { problems.append(FieldError("end_date", "must not be before start_date")) }
        if order.startDate.year >= 9999 { problems.append(FieldError("start_date", "must be before 9999-01-01")) }
        if !problems.isEmpty { throw AppError.validation(problems) }
        let transfer = order.transfer
        // The schedule's two foreign keys lock both accounts when it is inserted, from first, to
        // second; transfers lock them in id order. A schedule B→A created while a transfer A→B
        // waited on B deadlocked with it on PostgreSQL. Read here with their locks, in id order as
        // a transfer takes them, no wait goes in a circle.
        let locked = try db.accountsForUpdate(ids: [transfer.fromAccountID, transfer.toAccountID])
        func ownership(_ id: String) -> AccountOwnership? { locked.first { $0.account.id == id }?.account.ownership }
        let from = try PaymentService.TransferParties.check(
            from: ownership(transfer.fromAccountID), transfer.fromAccountID, to: ownership(transfer.toAccountID), transfer.toAccountID,
            by: principal
        ).from
        try LedgerRules.requireCurrency(transfer.currency, matches: from.currency)
        let schedule = ScheduledTransfer(
            id: Identifier.make(at: now), userID: principal.userID, fromAccountID: from.id, toAccountID: transfer.toAccountID,
            amount: transfer.amount, currency: from.currency, description: transfer.description, metadata: transfer.metadata,
            startDate: order.startDate, interval: order.interval, endDate: order.endDate, status: .active, nextRunOn: order.startDate,
            createdAt: now)
        try db.insertScheduledTransfer(schedule)
        try Self.enqueueRun(schedule.id, on: order.startDate, db, now: now)
        try AuditRecorder(origin: origin, clock: clock).record(
            db, .scheduledTransferCreate, actor: principal.userID, target: ("scheduled_transfer", schedule.id))
        return schedule
    }

    /// The job for one due date, due as that date begins (UTC). A second enqueue of the same
    /// schedule and date adds nothing; if that date's job already finished without running (the
    /// order was paused when it came, and resumed the same day), it is queued again: the run
    /// itself is what happens once.
    static func enqueueRun(_ scheduleID: String, on date: CivilDate, _ db: any StoreWriter, now: Timestamp) throws {
        let runKey = "scheduled_transfer:\(scheduleID):\(date.iso8601)"
        let added = try db.enqueueJob(
            .queued(
                kind: .scheduledTransfer, payload: ["schedule_id": .string(scheduleID), "run_on": .string(date.iso8601)],
                runKey: runKey, maxAttempts: 5, runAt: date.startOfDay, now: now))
        if !added { _ = try db.requeueJob(runKey: runKey, runAt: date.startOfDay, at: now) }
    }

    public func schedule(_ id: String, for principal: Principal) throws -> (ScheduledTransfer, ScheduledRun?) {
        try store.read { db in
            let schedule = try visible(id, principal, db)
            return (schedule, try db.scheduledRuns(scheduleID: id, page: PageRequest(limit: 1, offset: 0)).items.first)
        }
    }

    public func list(for principal: Principal, metadata: [String: String] = [:], page: PageRequest) throws -> Page<(ScheduledTransfer, ScheduledRun?)> {
        try store.read { db in
            let page = try db.scheduledTransfers(userID: principal.role.seesEverything ? nil : principal.userID, metadata: metadata, page: page)
            let items = try page.items.map { ($0, try db.scheduledRuns(scheduleID: $0.id, page: PageRequest(limit: 1, offset: 0)).items.first) }
            return Page(items: items, total: page.total, nextAfter: nil)
        }
    }

    public func runs(_ id: String, for principal: Principal, page: PageRequest) throws -> Page<ScheduledRun> {
        try store.read { db in
            _ = try visible(id, principal, db)
            return try db.scheduledRuns(scheduleID: id, page: page)
        }
    }

    /// active ↔ paused, and active or paused → cancelled, which is final (so is completed).
    /// Resuming picks the first due date from today on.
    public func changeStatus(
        _ id: String, to status: ScheduledTransfer.Status, by principal: Principal, origin: RequestOrigin
    ) throws -> (ScheduledTransfer, ScheduledRun?) {
        try store.write { db in
            guard let schedule = try db.scheduledTransferForUpdate(id: id), schedule.userID == principal.userID || principal.role == .admin else {
                throw AppError(.notFound, "There is no scheduled transfer with this id.")
            }
            let lastRun = try db.scheduledRuns(scheduleID: id, page: PageRequest(limit: 1, offset: 0)).items.first
            guard schedule.status != status else { return (schedule, lastRun) }
            let now = clock.now()
            let changed: ScheduledTransfer
            switch (schedule.status, status) {
            case (.active, .paused):
                changed = schedule.with(status: .paused, nextRunOn: nil)
            case (.paused, .active):
                let from = lastRun.map { max(now.date, CivilDate(daysSinceEpoch: $0.runOn.daysSinceEpoch + 1)) } ?? now.date
                let next = schedule.dueDate(onOrAfter: from)
                changed = schedule.with(status: next == nil ? .completed : .active, nextRunOn: next)
                if let next { try Self.enqueueRun(id, on: next, db, now: now) }
            case (.active, .cancelled), (.paused, .cancelled):
                changed = schedule.with(status: .cancelled, nextRunOn: nil)
            default:
                throw AppError(
                    .invalidTransition, "A \(schedule.status.rawValue) scheduled transfer cannot become \(status.rawValue).",
                    details: ["status": .string(schedule.status.rawValue)])
            }
            try db.updateScheduledTransfer(id: id, status: changed.status, nextRunOn: changed.nextRunOn)
            try AuditRecorder(origin: origin, clock: clock).record(
                db, .scheduledTransferStatusChange, actor: principal.userID, target: ("scheduled_transfer", id),
                reason: "\(schedule.status.rawValue)->\(changed.status.rawValue)")
            return (changed, lastRun)
        }
    }

    private func visible(_ id: String, _ principal: Principal, _ db: any StoreReader) throws -> ScheduledTransfer {
        guard let schedule = try db.scheduledTransfer(id: id), schedule.userID == principal.userID || principal.role.seesEverything else {
            throw AppError(.notFound, "There is no scheduled transfer with this id.")
        }
        return schedule
    }
}
