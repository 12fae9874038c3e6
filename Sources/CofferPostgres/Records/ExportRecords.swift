import CofferCore
import CofferStore

extension PostgresSession {
    static let exportColumns = """
        id, user_id, account_id, from_date, to_date, group_by, format, status, progress, rows, error, expires_at, created_at
        """

    public func insertExport(_ export: Export) throws {
        try run(
            """
            INSERT INTO exports (\(Self.exportColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            [
                .text(export.id), .text(export.userID), export.accountID.postgresValue, .integer(export.from.daysSinceEpoch),
                .integer(export.to.daysSinceEpoch), .text(export.groupBy.rawValue), .text(export.format.rawValue), .text(export.status.rawValue),
                .integer(Int64(export.progress)), .integer(Int64(export.rows)), export.error.postgresValue,
                export.expiresAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null, .integer(export.createdAt.millisecondsSinceEpoch),
            ])
    }

    public func export(id: String) throws -> Export? {
        try queryFirst("SELECT \(Self.exportColumns) FROM exports WHERE id = $1", [.text(id)], Export.init(row:))
    }

    @discardableResult
    public func updateExport(id: String, status: Export.Status, progress: Int, rows: Int, error: String?, expiresAt: Timestamp?) throws -> Bool {
        try run(
            "UPDATE exports SET status = $1, progress = $2, rows = $3, error = $4, expires_at = $5 WHERE id = $6 AND status != 'succeeded'",
            [
                .text(status.rawValue), .integer(Int64(progress)), .integer(Int64(rows)), error.postgresValue,
                expiresAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null, .text(id),
            ]) == 1
    }

    /// Ids of succeeded exports whose file has outlived `time`.
    public func expiredExports(at time: Timestamp) throws -> [String] {
        try query(
            "SELECT id FROM exports WHERE expires_at IS NOT NULL AND expires_at <= $1", [.integer(time.millisecondsSinceEpoch)]
        ) { $0.text(0) }
    }
}
