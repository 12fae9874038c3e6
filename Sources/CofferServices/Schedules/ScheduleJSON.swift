import CofferCore

/// The JSON of a standing order as the API shows it, with its latest run; shared by answers and
/// the `scheduled_transfer.*` events.
public enum ScheduleJSON {
    public static func schedule(_ schedule: ScheduledTransfer, lastRun: ScheduledRun?) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "id": .string(schedule.id), "from_account_id": .string(schedule.fromAccountID), "to_account_id": .string(schedule.toAccountID),
            "amount": .int(schedule.amount), "currency": optional(schedule.currency?.code), "description": optional(schedule.description),
            "metadata": schedule.metadata.json, "start_date": .string(schedule.startDate.iso8601), "interval": .string(schedule.interval.rawValue),
            "end_date": optional(schedule.endDate?.iso8601), "status": .string(schedule.status.rawValue),
            "next_run_on": optional(schedule.nextRunOn?.iso8601), "last_run": lastRun.map(run) ?? .null,
            "created_at": .string(schedule.createdAt.rfc3339),
        ]
    }

    public static func run(_ run: ScheduledRun) -> JSONValue {
        let error: JSONValue = run.errorCode.map { ["code": .string($0), "message": .string(run.errorMessage ?? "")] } ?? .null
        return [
            "id": .string(run.id), "run_on": .string(run.runOn.iso8601), "outcome": .string(run.outcome.rawValue),
            "transfer_id": run.transferID.map(JSONValue.string) ?? .null, "error": error, "created_at": .string(run.createdAt.rfc3339),
        ]
    }
}
