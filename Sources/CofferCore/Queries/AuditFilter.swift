public struct AuditFilter: Sendable {
    public var actorID: String?
    public var action: AuditEvent.Action?
    public var outcome: AuditEvent.Outcome?

    public init(actorID: String? = nil, action: AuditEvent.Action? = nil, outcome: AuditEvent.Outcome? = nil) {
        self.actorID = actorID
        self.action = action
        self.outcome = outcome
    }
}
