/// One row of the append-only audit trail, written in the same transaction as the action.
public struct AuditEvent: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case signup = "auth.signup"
        case login = "auth.login"
        case lockout = "auth.lockout"
        case refreshReuse = "auth.refresh_reuse"
        case logout = "auth.logout"
        case passwordChange = "auth.password_change"
        case userUpdate = "admin.user_update"
        case planChange = "admin.plan_change"
        case accountCreate = "account.create"
        case accountStatusChange = "account.status_change"
        case transactionCreate = "transaction.create"
        case transferCreate = "transfer.create"
        case cardCreate = "card.create"
        case cardStatusChange = "card.status_change"
        case holdCreate = "hold.create"
        case holdCapture = "hold.capture"
        case holdVoid = "hold.void"
        case transactionReverse = "transaction.reverse"
        case transferReverse = "transfer.reverse"
        case webhookCreate = "webhook.create"
        case webhookUpdate = "webhook.update"
        case webhookDelete = "webhook.delete"
        case webhookRotateSecret = "webhook.rotate_secret"
        case scheduledTransferCreate = "scheduled_transfer.create"
        case scheduledTransferStatusChange = "scheduled_transfer.status_change"
        case exportCreate = "export.create"
    }

    public enum Outcome: String, Sendable, CaseIterable { case success, failure }

    public let id: String
    public let at: Timestamp
    public let actorID: String?
    public let action: Action
    public let targetType: String?
    public let targetID: String?
    public let outcome: Outcome
    /// Why a failure failed (`wrong_password`, `unknown_email`, …); never a secret.
    public let reason: String?
    /// The client's `X-Request-Id` when it sent a sane one, else the server's.
    public let requestID: String?
    /// The id the server gave the request; unlike `requestID`, no client chooses it.
    public let serverRequestID: String?
    public let ip: String?

    public init(
        id: String, at: Timestamp, actorID: String?, action: Action, targetType: String?, targetID: String?,
        outcome: Outcome, reason: String?, requestID: String?, serverRequestID: String?, ip: String?
    ) {
        self.id = id
        self.at = at
        self.actorID = actorID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.outcome = outcome
        self.reason = reason
        self.requestID = requestID
        self.serverRequestID = serverRequestID
        self.ip = ip
    }
}

/// Where a request came from, for the audit trail.
public struct RequestOrigin: Sendable {
    public let requestID: String?
    public let serverRequestID: String?
    public let ip: String?

    public init(requestID: String?, serverRequestID: String?, ip: String?) {
        self.requestID = requestID
        self.serverRequestID = serverRequestID
        self.ip = ip
    }

    /// Actions run from the command line, outside any HTTP request.
    public static let commandLine = RequestOrigin(requestID: nil, serverRequestID: nil, ip: nil)

    /// Actions of background work (a scheduled transfer's run), named by what triggered them.
    public static func background(_ what: String) -> RequestOrigin { RequestOrigin(requestID: what, serverRequestID: nil, ip: nil) }
}
