import CofferCore
import CofferStore

/// One `scheduled_transfer` job: the schedule's run for one date, in one write transaction with
/// the schedule locked. The run row is unique per schedule and date, so a retried job, a second
/// node or a crash halfway can never move money twice. A refused transfer is a run too, recorded
/// with its problem code and told as `scheduled_transfer.failed`; the schedule goes on.
struct ScheduledTransferRunning {
    let money: MoneySettings
    let clock: Clock

    struct Unreadable: Error, CustomStringConvertible {
        let description = "the job names no schedule and date"
    }

    func run(_ job: Job, on store: any Store) throws {
        guard let scheduleID = job.payload["schedule_id"]?.stringValue, let raw = job.payload["run_on"]?.stringValue,
            let runOn = CivilDate(iso8601: raw)
        else { throw Unreadable() }
        try store.write { db in
            // Paused, cancelled, or this date already passed on: nothing to do.
            guard let schedule = try db.scheduledTransferForUpdate(id: scheduleID), schedule.status == .active, schedule.nextRunOn == runOn
            else { return }
            let now = clock.now()
            let origin = RequestOrigin.background("scheduled_transfer:\(scheduleID):\(runOn.iso8601)")
            var transferID: String?
            var refusal: AppError?
            do {
                transferID = try db.savepoint { step in try transfer(schedule, step, origin: origin, at: now).id }
            } catch let error as AppError where [403, 404, 422].contains(error.code.entry.status) {
                refusal = error
            }
            let run = ScheduledRun(
                id: Identifier.make(at: now), scheduleID: scheduleID, runOn: runOn, outcome: refusal == nil ? .executed : .failed,
                transferID: transferID, errorCode: refusal?.code.rawValue, errorMessage: refusal?.detail, createdAt: now)
            guard try db.insertScheduledRun(run) else { preconditionFailure("schedule \(scheduleID) ran twice on \(runOn.iso8601) under its lock") }
            let next = schedule.dueDate(after: runOn)
            let advanced = schedule.with(status: next == nil ? .completed : .active, nextRunOn: next)
            try db.updateScheduledTransfer(id: scheduleID, status: advanced.status, nextRunOn: next)
            if let next { try ScheduleService.enqueueRun(scheduleID, on: next, db, now: now) }
            try EventRecorder(clock: clock).record(
                db, refusal == nil ? .scheduledTransferExecuted : .scheduledTransferFailed, ScheduleJSON.schedule(advanced, lastRun: run),
                users: [schedule.userID])
        }
    }

    /// The transfer as its owner would make it now, with the owner's current role.
    private func transfer(_ schedule: ScheduledTransfer, _ db: any StoreWriter, origin: RequestOrigin, at now: Timestamp) throws -> Transfer {
        guard let owner = try db.user(id: schedule.userID)?.user, owner.status == .active else {
            throw AppError(.forbidden, "The owner of this scheduled transfer is suspended.")
        }
        let principal = Principal(userID: owner.id, role: owner.role, tokenID: "", tokenExpiresAt: now)
        guard let from = try db.account(id: schedule.fromAccountID), from.isControlled(by: principal),
            let to = try db.account(id: schedule.toAccountID)
        else {
            throw AppError(.notFound, "An account of this scheduled transfer no longer exists for its owner.")
        }
        let receipt: LedgerReceipt
        do {
            receipt = try LedgerEngine(db: db, plans: money.plans, maxBalance: money.maxBalance).post(
                LedgerPosting(
                    .transfer(fromAccountID: from.id, toAccountID: to.id), amount: schedule.amount, requestedCurrency: schedule.currency,
                    description: schedule.description, metadata: schedule.metadata, at: now))
        } catch let error as AppError where !to.isVisible(to: principal) && PaymentService.describesDestination(error, to.id) {
            // As for a transfer made by hand: the recorded run tells nothing of someone else's account.
            throw AppError(.accountNotActive, "The destination account cannot receive this transfer.")
        }
        guard let transfer = receipt.transfer else { preconditionFailure("a transfer posting records a transfer") }
        try AuditRecorder(origin: origin, clock: clock).record(db, .transferCreate, actor: owner.id, target: ("transfer", transfer.id))
        try EventRecorder(clock: clock).record(db, .transferCreated, ResourceJSON.transfer(transfer), users: [from.ownerUserID, to.ownerUserID])
        return transfer
    }
}
