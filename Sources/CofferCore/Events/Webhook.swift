/// A user's endpoint for events (API.md "Events and webhooks"). Its secret signs every delivery;
/// after a rotation the previous one keeps signing beside it until `previousSecretUntil`.
public struct Webhook: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case enabled, disabled }

    public static let secretOverlapSeconds: Int64 = 86_400

    public let id: String
    public let userID: String
    public let url: String
    /// Event types, or `["*"]` for all.
    public let events: [String]
    public let description: String?
    public let status: Status
    public let secret: String
    public let previousSecret: String?
    public let previousSecretUntil: Timestamp?
    public let createdAt: Timestamp
    /// The outbox's newest event when the webhook was stored, read in the transaction that stored
    /// it (nil before). It receives only events after that one: comparing times instead handed it
    /// an event of the same millisecond that had committed before it was registered.
    public let afterEventSeq: Int64?

    public init(
        id: String, userID: String, url: String, events: [String], description: String?, status: Status, secret: String,
        previousSecret: String?, previousSecretUntil: Timestamp?, createdAt: Timestamp, afterEventSeq: Int64? = nil
    ) {
        self.id = id
        self.userID = userID
        self.url = url
        self.events = events
        self.description = description
        self.status = status
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretUntil = previousSecretUntil
        self.createdAt = createdAt
        self.afterEventSeq = afterEventSeq
    }

    /// Whether the relay hands `event` to this webhook: one of its types, stored after it was.
    public func receives(_ event: Event) -> Bool {
        guard let afterEventSeq, let seq = event.seq else { preconditionFailure("the relay compares a stored webhook with a stored event") }
        return seq > afterEventSeq && listens(to: event.type)
    }

    public func listens(to type: EventType) -> Bool {
        events.contains("*") || events.contains(type.rawValue)
    }

    /// The secrets that sign a delivery at `now`: the current one, and the previous one during
    /// its overlap.
    public func signingSecrets(at now: Timestamp) -> [String] {
        guard let previousSecret, let until = previousSecretUntil, now < until else { return [secret] }
        return [secret, previousSecret]
    }

    public func with(url: String? = nil, events: [String]? = nil, status: Status? = nil) -> Webhook {
        Webhook(
            id: id, userID: userID, url: url ?? self.url, events: events ?? self.events, description: description, status: status ?? self.status,
            secret: secret, previousSecret: previousSecret, previousSecretUntil: previousSecretUntil, createdAt: createdAt,
            afterEventSeq: afterEventSeq)
    }
}

/// One event's delivery to one webhook. Its attempts, schedule and dead-or-alive status are
/// those of the job that carries it.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case pending, succeeded, failed, dead }

    public let id: String
    public let webhookID: String
    public let eventID: String
    public let eventType: String
    public let jobID: String
    public let status: Status
    public let attempts: Int
    public let lastStatusCode: Int?
    public let lastError: String?
    /// When the next attempt is due; nil once it succeeded or died.
    public let nextAttemptAt: Timestamp?
    public let createdAt: Timestamp

    public init(
        id: String, webhookID: String, eventID: String, eventType: String, jobID: String, status: Status, attempts: Int, lastStatusCode: Int?,
        lastError: String?, nextAttemptAt: Timestamp?, createdAt: Timestamp
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.jobID = jobID
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
    }
}
