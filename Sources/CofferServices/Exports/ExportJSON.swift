import CofferCore

/// An export as the API shows it; shared by answers and the `export.completed` event.
public enum ExportJSON {
    public static func export(_ export: Export, at now: Timestamp) -> JSONValue {
        [
            "id": .string(export.id), "account_id": export.accountID.map(JSONValue.string) ?? .null, "from": .string(export.from.iso8601),
            "to": .string(export.to.iso8601), "group_by": .string(export.groupBy.rawValue), "format": .string(export.format.rawValue),
            "status": .string(export.status.rawValue), "progress": .int(export.progress), "rows": .int(export.rows),
            "error": export.error.map(JSONValue.string) ?? .null,
            "download_url": export.isDownloadable(at: now) ? .string("/v1/exports/\(export.id)/download") : .null,
            "expires_at": export.expiresAt.map { .string($0.rfc3339) } ?? .null, "created_at": .string(export.createdAt.rfc3339),
        ]
    }
}
