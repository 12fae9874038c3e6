/// API.md "Exports": background work with status. A file of a period's statement lines, or of
/// per-period totals, for one account or all of a user's, kept 7 days.
public struct Export: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case queued, running, succeeded, failed }
    public enum Grouping: String, Sendable, CaseIterable { case none, day, week, month, year }
    public enum Format: String, Sendable, CaseIterable { case csv, json }

    public static let keptSeconds: Int64 = 7 * 86_400

    public let id: String
    public let userID: String
    /// Nil: all the user's accounts, one block per account.
    public let accountID: String?
    public let from: CivilDate
    public let to: CivilDate
    public let groupBy: Grouping
    public let format: Format
    public let status: Status
    /// 0–100.
    public let progress: Int
    public let rows: Int
    public let error: String?
    public let expiresAt: Timestamp?
    public let createdAt: Timestamp

    public init(
        id: String, userID: String, accountID: String?, from: CivilDate, to: CivilDate, groupBy: Grouping, format: Format, status: Status,
        progress: Int, rows: Int, error: String?, expiresAt: Timestamp?, createdAt: Timestamp
    ) {
        self.id = id
        self.userID = userID
        self.accountID = accountID
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.format = format
        self.status = status
        self.progress = progress
        self.rows = rows
        self.error = error
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }

    public func isDownloadable(at now: Timestamp) -> Bool {
        status == .succeeded && (expiresAt.map { now < $0 } ?? false)
    }
}

extension Export.Grouping {
    /// The first day of the period holding `date`; ISO weeks start on Monday.
    public func periodStart(_ date: CivilDate) -> CivilDate {
        switch self {
        case .none, .day: return date
        case .week:
            // 1970-01-01 was a Thursday: three days after a Monday.
            let days = date.daysSinceEpoch
            let sinceMonday = ((days + 3) % 7 + 7) % 7
            return CivilDate(daysSinceEpoch: days - sinceMonday)
        case .month: return CivilDate(year: date.year, month: date.month, day: 1)!
        case .year: return CivilDate(year: date.year, month: 1, day: 1)!
        }
    }

    /// The first day of the period after the one starting on `start`.
    public func nextPeriod(_ start: CivilDate) -> CivilDate {
        switch self {
        case .none, .day: return CivilDate(daysSinceEpoch: start.daysSinceEpoch + 1)
        case .week: return CivilDate(daysSinceEpoch: start.daysSinceEpoch + 7)
        case .month:
            return start.month == 12 ? CivilDate(year: start.year + 1, month: 1, day: 1)! : CivilDate(year: start.year, month: start.month + 1, day: 1)!
        case .year: return CivilDate(year: start.year + 1, month: 1, day: 1)!
        }
    }
}
