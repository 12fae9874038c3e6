/// API.md "Events and webhooks": every change worth telling, written in the transaction of the
/// change (never told of a change that rolled back, never lost with one that committed).
public enum EventType: String, Sendable, CaseIterable {
    case transactionCreated = "transaction.created"
    case transferCreated = "transfer.created"
    case transferReversed = "transfer.reversed"
    case transactionReversed = "transaction.reversed"
    case holdCreated = "hold.created"
    case holdCaptured = "hold.captured"
    case holdVoided = "hold.voided"
    case holdExpired = "hold.expired"
    case accountStatusChanged = "account.status_changed"
    case cardStatusChanged = "card.status_changed"
    case scheduledTransferExecuted = "scheduled_transfer.executed"
    case scheduledTransferFailed = "scheduled_transfer.failed"
    case exportCompleted = "export.completed"
}

public struct Event: Sendable, Equatable {
    public let id: String
    public let type: EventType
    public let createdAt: Timestamp
    /// The object as the API showed it when the event happened.
    public let data: JSONValue
    /// Whose resources the event is about (a transfer's two owners): they, and staff, see it.
    public let userIDs: [String]
    /// Its place in the outbox once stored (nil before): every later event has a larger one.
    public let seq: Int64?

    public init(id: String, type: EventType, createdAt: Timestamp, data: JSONValue, userIDs: [String], seq: Int64? = nil) {
        requireDistinctParties(userIDs)
        self.id = id
        self.type = type
        self.createdAt = createdAt
        self.data = data
        self.userIDs = userIDs
        self.seq = seq
    }

    /// `{id, type, created_at, data}`, as `GET /v1/events` lists it and a webhook delivers it.
    public var json: JSONValue {
        ["id": .string(id), "type": .string(type.rawValue), "created_at": .string(createdAt.rfc3339), "data": data]
    }
}

/// What the webhook relay reads of a stored event to route it: its type, the users it concerns and
/// its place in the outbox. Not its data: the relay runs inside a write (on SQLite, on the one
/// committer thread), where parsing every event's payload cost more than the rest of the relay
/// together, for nothing when no webhook listens; a delivery reads its event when it sends it.
public struct OutboxEntry: Sendable, Equatable {
    public let id: String
    public let type: EventType
    public let userIDs: [String]
    public let seq: Int64

    public init(id: String, type: EventType, userIDs: [String], seq: Int64) {
        requireDistinctParties(userIDs)
        self.id = id
        self.type = type
        self.userIDs = userIDs
        self.seq = seq
    }
}

/// An event concerns one user, or two distinct ones (a transfer's two owners).
private func requireDistinctParties(_ userIDs: [String]) {
    precondition(userIDs.count == 1 || (userIDs.count == 2 && userIDs[0] != userIDs[1]), "an event concerns one or two distinct users")
}
