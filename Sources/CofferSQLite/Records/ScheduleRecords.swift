import CofferCore
import CofferStore

extension Database {
    static let scheduleColumns = """
        id, user_id, from_account_id, to_account_id, amount, currency, description, metadata, start_date, interval, end_date, status,
        next_run_on, created_at
        """
    static let runColumns = "id, schedule_id, run_on, outcome, transfer_id, error_code, error_message, created_at"

    public func insertScheduledTransfer(_ schedule: ScheduledTransfer) throws {
        try run(
            """
            INSERT INTO scheduled_transfers (\(Self.scheduleColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(schedule.id), .text(schedule.userID), .text(schedule.fromAccountID), .text(schedule.toAccountID), .integer(schedule.amount),
                (schedule.currency?.code).sqliteValue, schedule.description.sqliteValue, schedule.metadata.storedText.sqliteValue,
                .integer(schedule.startDate.daysSinceEpoch), .text(schedule.interval.rawValue),
                schedule.endDate.map { .integer($0.daysSinceEpoch) } ?? .null, .text(schedule.status.rawValue),
                schedule.nextRunOn.map { .integer($0.daysSinceEpoch) } ?? .null, .integer(schedule.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func scheduledTransfer(id: String) throws -> ScheduledTransfer? {
        try queryFirst("SELECT \(Self.scheduleColumns) FROM scheduled_transfers WHERE id = ?", [.text(id)], ScheduledTransfer.init(row:))
    }

    public func scheduledTransferForUpdate(id: String) throws -> ScheduledTransfer? {
        try queryFirst("SELECT \(Self.scheduleColumns) FROM scheduled_transfers WHERE id = ?", [.text(id)], ScheduledTransfer.init(row:))
    }

    /// Oldest first; every user's when `userID` is nil.
    public func scheduledTransfers(userID: String?, metadata: [String: String], page: PageRequest) throws -> Page<ScheduledTransfer> {
        var conditions = SQLConditions()
        if let userID { conditions.add("user_id = ?", .text(userID)) }
        for key in metadata.keys.sorted() {
            conditions.add("EXISTS (SELECT 1 FROM json_each(metadata) WHERE key = ? AND value = ?)", .text(key), .text(metadata[key]!))
        }
        let total = try scalarInt("SELECT count(*) FROM scheduled_transfers WHERE \(conditions.sql)", conditions.arguments)
        let rows = try query(
            "SELECT \(Self.scheduleColumns) FROM scheduled_transfers WHERE \(conditions.sql) ORDER BY seq LIMIT ? OFFSET ?",
            conditions.arguments + [.integer(Int64(page.limit)), .integer(Int64(page.offset))], ScheduledTransfer.init(row:))
        return Page(items: rows, total: Int(total), nextAfter: nil)
    }

    public func updateScheduledTransfer(id: String, status: ScheduledTransfer.Status, nextRunOn: CivilDate?) throws {
        try run(
            "UPDATE scheduled_transfers SET status = ?, next_run_on = ? WHERE id = ?",
            [.text(status.rawValue), nextRunOn.map { .integer($0.daysSinceEpoch) } ?? .null, .text(id)])
    }

    public func insertScheduledRun(_ run: ScheduledRun) throws -> Bool {
        try self.run(
            """
            INSERT INTO scheduled_transfer_runs (\(Self.runColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (schedule_id, run_on) DO NOTHING
            """,
            [
                .text(run.id), .text(run.scheduleID), .integer(run.runOn.daysSinceEpoch), .text(run.outcome.rawValue), run.transferID.sqliteValue,
                run.errorCode.sqliteValue, run.errorMessage.sqliteValue, .integer(run.createdAt.millisecondsSinceEpoch),
            ]) == 1
    }

    /// Newest first.
    public func scheduledRuns(scheduleID: String, page: PageRequest) throws -> Page<ScheduledRun> {
        let total = try scalarInt("SELECT count(*) FROM scheduled_transfer_runs WHERE schedule_id = ?", [.text(scheduleID)])
        let rows = try query(
            "SELECT \(Self.runColumns) FROM scheduled_transfer_runs WHERE schedule_id = ? ORDER BY run_on DESC LIMIT ? OFFSET ?",
            [.text(scheduleID), .integer(Int64(page.limit)), .integer(Int64(page.offset))], ScheduledRun.init(row:))
        return Page(items: rows, total: Int(total), nextAfter: nil)
    }
}
