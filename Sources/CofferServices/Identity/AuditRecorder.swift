import CofferCore
import CofferStore

/// Builds audit events with the request's origin filled in; callers pass the transaction's
/// database so the event commits or rolls back with the action.
public struct AuditRecorder: Sendable {
    let origin: RequestOrigin
    let clock: Clock

    public init(origin: RequestOrigin, clock: Clock) {
        self.origin = origin
        self.clock = clock
    }

    public func record(
        _ db: any StoreWriter, _ action: AuditEvent.Action, actor: String?, target: (type: String, id: String)? = nil,
        outcome: AuditEvent.Outcome = .success, reason: String? = nil
    ) throws {
        let now = clock.now()
        try db.appendAudit(
            AuditEvent(
                id: Identifier.make(at: now), at: now, actorID: actor, action: action,
                targetType: target?.type, targetID: target?.id, outcome: outcome, reason: reason,
                requestID: origin.requestID, serverRequestID: origin.serverRequestID, ip: origin.ip))
    }
}
