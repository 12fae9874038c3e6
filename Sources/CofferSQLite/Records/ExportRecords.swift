import CofferCore
import CofferStore

extension Database {
    static let exportColumns = """
        id, user_id, account_id, from_date, to_date, group_by, format, status, progress, rows, error, expires_at, created_at
        """

    public func insertExport(_ export: Export) throws {
        try run(
            """
            INSERT INTO exports (\(Self.exportColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(export.id), .text(export.userID), export.accountID.sqliteValue, .integer(export.from.daysSinceEpoch),
                .integer(export.to.daysSinceEpoch), .text(export.groupBy.rawValue), .text(export.format.rawValue), .text(export.status.rawValue),
                .integer(Int64(export.progress)), .integer(Int64(export.rows)), export.error.sqliteValue,
                export.expiresAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null, .integer(export.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func export(id: String) throws -> Export? {
        try queryFirst("SELECT \(Self.exportColumns) FROM exports WHERE id = ?", [.text(id)], Export.init(row:))
    }

    @discardableResult
    public func updateExport(id: String, status: Export.Status, progress: Int, rows: Int, error: String?, expiresAt: Timestamp?) throws -> Bool {
        try run(
            "UPDATE exports SET status = ?, progress = ?, rows = ?, error = ?, expires_at = ? WHERE id = ? AND status != 'succeeded'",
            [
                .text(status.rawValue), .integer(Int64(progress)), .integer(Int64(rows)), error.sqliteValue,
                expiresAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null, .text(id),
            ]) == 1
    }

    /// Ids of succeeded exports whose file has outlived `time`.
    public func expiredExports(at time: Timestamp) throws -> [String] {
        try query(
            "SELECT id FROM exports WHERE expires_at IS NOT NULL AND expires_at <= ?", [.integer(time.millisecondsSinceEpoch)]
        ) { $0.text(0) }
    }
}
