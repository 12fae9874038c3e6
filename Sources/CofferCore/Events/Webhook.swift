/// A user's endpoint for events (API.md "Events and webhooks"). Its secret signs every delivery;
/// after a rotation each replaced secret keeps signing beside it for a day (`retiredSecrets`).
public struct Webhook: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case enabled, disabled }

    public static let secretOverlapSeconds: Int64 = 86_400
    /// Replaced secrets still signing, at most. Every live secret adds a `v1=` to each delivery's
    /// signature header, so a user rotating in a loop would otherwise grow it without bound; past
    /// this many rotations within a day, the oldest one's overlap ends early.
    public static let maxRetiredSecrets = 10

    public let id: String
    public let userID: String
    public let url: String
    /// Event types, or `["*"]` for all.
    public let events: [String]
    public let description: String?
    public let status: Status
    public let secret: String
    /// Secrets that rotations replaced, oldest first; each signs until its `until`.
    public let retiredSecrets: [RetiredSecret]
    public let createdAt: Timestamp
    /// The outbox's newest event when the webhook was stored, read in the transaction that stored
    /// it (nil before). It receives only events after that one: comparing times instead handed it
    /// an event of the same millisecond that had committed before it was registered.
    public let afterEventSeq: Int64?

    public init(
        id: String, userID: String, url: String, events: [String], description: String?, status: Status, secret: String,
        retiredSecrets: [RetiredSecret] = [], createdAt: Timestamp, afterEventSeq: Int64? = nil
    ) {
        self.id = id
        self.userID = userID
        self.url = url
        self.events = events
        self.description = description
        self.status = status
        self.secret = secret
        self.retiredSecrets = retiredSecrets
        self.createdAt = createdAt
        self.afterEventSeq = afterEventSeq
    }

    /// Whether the relay hands `event` to this webhook: one of its types, stored after it was.
    public func receives(_ event: OutboxEntry) -> Bool {
        guard let afterEventSeq else { preconditionFailure("the relay compares a stored webhook with a stored event") }
        return event.seq > afterEventSeq && listens(to: event.type)
    }

    public func listens(to type: EventType) -> Bool {
        events.contains("*") || events.contains(type.rawValue)
    }

    /// The secrets that sign a delivery at `now`: the current one, then every replaced one still in
    /// its overlap, newest first.
    public func signingSecrets(at now: Timestamp) -> [String] {
        [secret] + retiredSecrets.reversed().filter { now < $0.until }.map(\.secret)
    }

    /// The retired secrets once a rotation at `now` replaces the current one: those still signing,
    /// then the current one for a day, keeping the newest `maxRetiredSecrets`.
    public func retiring(at now: Timestamp) -> [RetiredSecret] {
        let live = retiredSecrets.filter { now < $0.until }
        return Array((live + [RetiredSecret(secret: secret, until: now.adding(seconds: Self.secretOverlapSeconds))]).suffix(Self.maxRetiredSecrets))
    }

    public func with(url: String? = nil, events: [String]? = nil, status: Status? = nil) -> Webhook {
        Webhook(
            id: id, userID: userID, url: url ?? self.url, events: events ?? self.events, description: description, status: status ?? self.status,
            secret: secret, retiredSecrets: retiredSecrets, createdAt: createdAt,
            afterEventSeq: afterEventSeq)
    }
}

/// A webhook secret that a rotation replaced, and when it stops signing.
public struct RetiredSecret: Sendable, Equatable {
    public let secret: String
    public let until: Timestamp

    public init(secret: String, until: Timestamp) {
        self.secret = secret
        self.until = until
    }

    /// How a webhook row keeps its list: a JSON array of `{"secret", "until"}` (milliseconds).
    public static func storedText(_ secrets: [RetiredSecret]) -> String {
        let items = secrets.map { JSONValue.object([("secret", .string($0.secret)), ("until", .int($0.until.millisecondsSinceEpoch))]) }
        return String(decoding: JSONValue.array(items).serialized(), as: UTF8.self)
    }

    /// nil when the text is not such a list.
    public static func list(storedText text: String) -> [RetiredSecret]? {
        guard case let .array(items)? = try? JSONParser.parse(text) else { return nil }
        var secrets: [RetiredSecret] = []
        for item in items {
            guard let secret = item["secret"]?.stringValue, let until = item["until"]?.int64Value else { return nil }
            secrets.append(RetiredSecret(secret: secret, until: Timestamp(millisecondsSinceEpoch: until)))
        }
        return secrets
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
