/// DESIGN.md "Events, jobs and background work": every piece of background work is a row of one
/// `jobs` table, claimed by a runner with a lease, retried with back-off, and dead after its
/// attempts run out.
public enum JobStatus: String, Sendable, CaseIterable {
    /// Waiting for `run_at`.
    case queued
    /// Claimed by a runner until its lease ends; a runner that died leaves it to be claimed again.
    case running
    case succeeded
    /// Failed; tried again at `run_at` while attempts remain.
    case failed
    /// Out of attempts; only an operator's retry queues it again.
    case dead
}

public enum JobKind: String, Sendable, CaseIterable {
    /// Expired idempotency keys, refresh tokens, denied access tokens and old finished jobs.
    case purge
    /// Pending holds past their expiry recorded as expired, with a `hold.expired` event each.
    case holdExpiry = "hold_expiry"
    /// One event to one webhook; its payload names the delivery.
    case webhookDelivery = "webhook_delivery"
    /// One schedule's run for one date; its run key (schedule id + date) makes it happen once.
    case scheduledTransfer = "scheduled_transfer"
    /// One export's file; its payload names the export.
    case export
}

public struct Job: Sendable, Equatable {
    public let id: String
    public let kind: JobKind
    public let payload: JSONValue
    /// Work that must happen once (a period's maintenance, a schedule's run for a date) carries a
    /// unique key: a second enqueue of the same key, from any node, adds nothing.
    public let runKey: String?
    public let status: JobStatus
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Timestamp
    public let lastError: String?
    public let createdAt: Timestamp

    public init(
        id: String, kind: JobKind, payload: JSONValue, runKey: String?, status: JobStatus, attempts: Int, maxAttempts: Int,
        runAt: Timestamp, lastError: String?, createdAt: Timestamp
    ) {
        precondition(maxAttempts >= 1 && attempts >= 0)
        self.id = id
        self.kind = kind
        self.payload = payload
        self.runKey = runKey
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lastError = lastError
        self.createdAt = createdAt
    }

    /// A new job, due at `runAt`.
    public static func queued(kind: JobKind, payload: JSONValue = [:], runKey: String?, maxAttempts: Int, runAt: Timestamp, now: Timestamp) -> Job {
        Job(
            id: Identifier.make(at: now), kind: kind, payload: payload, runKey: runKey, status: .queued, attempts: 0, maxAttempts: maxAttempts,
            runAt: runAt, lastError: nil, createdAt: now)
    }
}

/// Which jobs an operator lists.
public struct JobFilter: Sendable {
    public var status: JobStatus?
    public var kind: JobKind?

    public init(status: JobStatus? = nil, kind: JobKind? = nil) {
        self.status = status
        self.kind = kind
    }
}

/// How many jobs of one kind are in one status (`coffer_jobs` in /metrics).
public struct JobCount: Sendable, Equatable {
    public let kind: JobKind
    public let status: JobStatus
    public let count: Int

    public init(kind: JobKind, status: JobStatus, count: Int) {
        self.kind = kind
        self.status = status
        self.count = count
    }
}
