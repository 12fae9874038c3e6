/// A standing order (API.md "Scheduled transfers"): a transfer that runs once per due date (UTC),
/// from `startDate`, every day, week or month, until `endDate` if any.
public struct ScheduledTransfer: Sendable, Equatable {
    public enum Interval: String, Sendable, CaseIterable { case once, daily, weekly, monthly }
    public enum Status: String, Sendable, CaseIterable { case active, paused, completed, cancelled }

    public let id: String
    public let userID: String
    public let fromAccountID: String
    public let toAccountID: String
    public let amount: Int64
    public let currency: Currency?
    public let description: String?
    public let metadata: Metadata
    public let startDate: CivilDate
    public let interval: Interval
    public let endDate: CivilDate?
    public let status: Status
    /// The next due date; nil once completed or cancelled.
    public let nextRunOn: CivilDate?
    public let createdAt: Timestamp

    public init(
        id: String, userID: String, fromAccountID: String, toAccountID: String, amount: Int64, currency: Currency?, description: String?,
        metadata: Metadata, startDate: CivilDate, interval: Interval, endDate: CivilDate?, status: Status, nextRunOn: CivilDate?,
        createdAt: Timestamp
    ) {
        self.id = id
        self.userID = userID
        self.fromAccountID = fromAccountID
        self.toAccountID = toAccountID
        self.amount = amount
        self.currency = currency
        self.description = description
        self.metadata = metadata
        self.startDate = startDate
        self.interval = interval
        self.endDate = endDate
        self.status = status
        self.nextRunOn = nextRunOn
        self.createdAt = createdAt
    }

    /// The due date after `date`, or nil when the schedule ends first. Monthly schedules keep the
    /// start's day of the month, on the last day of shorter months: started on Jan 31, they run on
    /// Feb 28 (29) and Mar 31.
    public func dueDate(after date: CivilDate) -> CivilDate? {
        let next: CivilDate
        switch interval {
        case .once: return nil
        case .daily: next = CivilDate(daysSinceEpoch: date.daysSinceEpoch + 1)
        case .weekly: next = CivilDate(daysSinceEpoch: date.daysSinceEpoch + 7)
        case .monthly:
            let month = date.month == 12 ? 1 : date.month + 1
            let year = date.month == 12 ? date.year + 1 : date.year
            // Past the last representable year the schedule simply ends.
            guard let due = CivilDate(year: year, month: month, day: min(startDate.day, CivilDate.daysIn(month: month, year: year))) else {
                return nil
            }
            next = due
        }
        if let endDate, next > endDate { return nil }
        return next
    }

    /// The first due date on or after `date` (a paused schedule resuming), or nil when it has ended.
    public func dueDate(onOrAfter date: CivilDate) -> CivilDate? {
        var due = startDate
        if let endDate, due > endDate { return nil }
        while due < date {
            guard let next = dueDate(after: due) else { return nil }
            due = next
        }
        return due
    }

    public func with(status: Status, nextRunOn: CivilDate?) -> ScheduledTransfer {
        ScheduledTransfer(
            id: id, userID: userID, fromAccountID: fromAccountID, toAccountID: toAccountID, amount: amount, currency: currency,
            description: description, metadata: metadata, startDate: startDate, interval: interval, endDate: endDate, status: status,
            nextRunOn: nextRunOn, createdAt: createdAt)
    }
}

/// One due date of a schedule, run once: the transfer it made, or the problem that refused it.
public struct ScheduledRun: Sendable, Equatable {
    public enum Outcome: String, Sendable { case executed, failed }

    public let id: String
    public let scheduleID: String
    public let runOn: CivilDate
    public let outcome: Outcome
    public let transferID: String?
    public let errorCode: String?
    public let errorMessage: String?
    public let createdAt: Timestamp

    public init(
        id: String, scheduleID: String, runOn: CivilDate, outcome: Outcome, transferID: String?, errorCode: String?, errorMessage: String?,
        createdAt: Timestamp
    ) {
        self.id = id
        self.scheduleID = scheduleID
        self.runOn = runOn
        self.outcome = outcome
        self.transferID = transferID
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.createdAt = createdAt
    }
}
