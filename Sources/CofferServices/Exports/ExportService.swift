import CofferCore
import CofferStore
import Foundation

/// Exports (API.md "Exports"): requested here, written by an `export` job into `directory`,
/// downloaded while they last. Each user sees only their own.
public struct ExportService {
    let store: any Store
    let directory: String
    let clock: Clock

    public init(store: any Store, directory: String, clock: Clock = .system) {
        self.store = store
        self.directory = directory
        self.clock = clock
    }

    public struct Request: Sendable {
        public let accountID: String?
        public let from: CivilDate
        public let to: CivilDate
        public let groupBy: Export.Grouping
        public let format: Export.Format

        public init(accountID: String?, from: CivilDate, to: CivilDate, groupBy: Export.Grouping, format: Export.Format) {
            self.accountID = accountID
            self.from = from
            self.to = to
            self.groupBy = groupBy
            self.format = format
        }
    }

    public func create(in tx: WriteTransaction, _ request: Request, by principal: Principal, origin: RequestOrigin) throws -> Export {
        let db = tx.db
        guard request.from <= request.to else { throw AppError.validation([FieldError("from", "must not be after to")]) }
        // Periods are counted up to the one after `to`, which must still be a date.
        guard request.to.year < 9999 else { throw AppError.validation([FieldError("to", "must be before 9999-01-01")]) }
        guard request.to.daysSinceEpoch - request.from.daysSinceEpoch <= 3660 else {
            throw AppError.validation([FieldError("to", "must be at most ten years after from")])
        }
        if let accountID = request.accountID {
            guard let account = try db.account(id: accountID), account.isVisible(to: principal) else {
                throw AppError(.notFound, "There is no account with this id.")
            }
        }
        let now = clock.now()
        let export = Export(
            id: Identifier.make(at: now), userID: principal.userID, accountID: request.accountID, from: request.from, to: request.to,
            groupBy: request.groupBy, format: request.format, status: .queued, progress: 0, rows: 0, error: nil, expiresAt: nil, createdAt: now)
        try db.insertExport(export)
        _ = try db.enqueueJob(.queued(kind: .export, payload: ["export_id": .string(export.id)], runKey: nil, maxAttempts: 3, runAt: now, now: now))
        try AuditRecorder(origin: origin, clock: clock).record(db, .exportCreate, actor: principal.userID, target: ("export", export.id))
        return export
    }

    /// The caller's own, or any for support and admins (API.md: support has read-only access to
    /// everything).
    public func export(_ id: String, for principal: Principal) throws -> Export {
        guard let export = try store.readOnce({ try $0.export(id: id) }), export.userID == principal.userID || principal.role.seesEverything else {
            throw AppError(.notFound, "There is no export with this id.")
        }
        return export
    }

    /// The file, only once it succeeded and until it expires.
    public func download(_ id: String, for principal: Principal) throws -> (Export, [UInt8]) {
        let export = try export(id, for: principal)
        guard export.isDownloadable(at: clock.now()), let data = FileManager.default.contents(atPath: Self.path(export, in: directory)) else {
            throw AppError(.notFound, "This export has no file to download (not finished, failed, or expired).")
        }
        return (export, Array(data))
    }

    public var now: Timestamp { clock.now() }

    static func path(_ export: Export, in directory: String) -> String {
        "\(directory)/\(export.id).\(export.format.rawValue)"
    }
}
