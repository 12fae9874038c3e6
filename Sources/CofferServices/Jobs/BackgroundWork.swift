import CofferCore
import CofferStore
import Foundation

/// What each kind of job does, and the periodic maintenance every runner keeps enqueued. Each
/// job runs its own write transactions; work that talks to the outside world (webhooks) runs
/// between them, never inside one.
public struct BackgroundWork: Sendable {
    /// How often the periodic jobs run.
    public var purgeEverySeconds: Int64 = 300
    public var holdExpiryEverySeconds: Int64 = 60
    /// Finished jobs are kept this long for operators to read.
    public var finishedJobsKeptSeconds: Int64 = 7 * 86_400
    /// How long a refresh token's row outlives its expiry. One row is added per refresh, so without
    /// a purge the table grows for as long as the service runs. Kept a while past expiry: until
    /// then, a rotated token presented again still revokes its whole login (reuse detection) and
    /// an expired one is told `token_expired`; afterwards it is simply not recognised. A family's
    /// revocation, which stops its access tokens, lives on its newest row, which expires after
    /// every access token of the family (an access token lives a day at most).
    public var expiredRefreshTokensKeptSeconds: Int64 = 30 * 86_400
    static let purgeBatch = 1_000
    let clock: Clock
    let webhooks: WebhookSettings
    let money: MoneySettings
    /// Where export files are written (`$DATA_DIR/exports`).
    let exportsDirectory: String

    public init(
        clock: Clock, webhooks: WebhookSettings = WebhookSettings(), money: MoneySettings = MoneySettings(), exportsDirectory: String
    ) {
        self.clock = clock
        self.webhooks = webhooks
        self.money = money
        self.exportsDirectory = exportsDirectory
    }

    /// One job per kind and period: the run key makes a second enqueue (this node's next pass, or
    /// another node's) add nothing.
    func enqueuePeriodic(_ db: any StoreWriter, now: Timestamp) throws {
        for (kind, runKey) in periodicRunKeys(now) {
            _ = try db.enqueueJob(.queued(kind: kind, runKey: runKey, maxAttempts: 3, runAt: now, now: now))
        }
    }

    /// The periodic jobs' run keys at `now`: they change once per period, and so does the work
    /// of enqueueing them.
    func periodicRunKeys(_ now: Timestamp) -> [(JobKind, String)] {
        [(JobKind.purge, purgeEverySeconds), (.holdExpiry, holdExpiryEverySeconds)].map { kind, every in
            (kind, "\(kind.rawValue):\(now.millisecondsSinceEpoch / (every * 1000))")
        }
    }

    /// Committed events into webhook deliveries (the outbox relay), before due jobs are claimed.
    func relayEvents(_ store: any Store) throws {
        try WebhookFanOut(clock: clock).run(store)
    }

    /// The first retry's delay; later ones double it.
    func retryBaseSeconds(_ job: Job) -> Int64 {
        30
    }

    func perform(_ job: Job, on store: any Store) throws {
        switch job.kind {
        case .purge: try purge(store)
        case .holdExpiry: try expireHolds(store)
        case .webhookDelivery: try WebhookDelivering(settings: webhooks, clock: clock).deliver(job, on: store)
        case .scheduledTransfer: try ScheduledTransferRunning(money: money, clock: clock).run(job, on: store)
        case .export: try ExportWriting(directory: exportsDirectory, clock: clock).write(job, on: store)
        }
    }

    private func purge(_ store: any Store) throws {
        let now = clock.now()
        try store.write { db in
            try db.purgeExpiredIdempotencyKeys(now: now)
            try db.purgeExpiredTokens(before: now)
            try db.purgeFinishedJobs(before: now.adding(seconds: -finishedJobsKeptSeconds))
        }
        // In short transactions: the first purge after an upgrade finds every refresh token ever
        // issued, and one DELETE of them all would hold SQLite's only writer, and every transfer
        // queued behind it, for as long as it took.
        let refreshTokensBefore = now.adding(seconds: -expiredRefreshTokensKeptSeconds)
        while try store.write({ try $0.purgeExpiredRefreshTokens(before: refreshTokensBefore, limit: Self.purgeBatch) }) == Self.purgeBatch {}
        // Export files past their 7 days: the row stays (its download answers 404).
        for id in try store.read({ try $0.expiredExports(at: now) }) {
            for format in Export.Format.allCases { try? FileManager.default.removeItem(atPath: "\(exportsDirectory)/\(id).\(format.rawValue)") }
        }
    }

    /// In batches, each with its `hold.expired` events in the same transaction. Reads are already
    /// exact without this (a pending hold past its expiry shows and counts as expired).
    private func expireHolds(_ store: any Store) throws {
        let events = EventRecorder(clock: clock)
        while true {
            let expired = try store.write { db in
                let holds = try db.expireDueHolds(at: clock.now(), limit: 100)
                for hold in holds {
                    guard let owner = try db.account(id: hold.accountID)?.ownerUserID else { preconditionFailure("accounts are never deleted") }
                    try events.record(db, .holdExpired, ResourceJSON.hold(hold, at: hold.updatedAt), users: [owner])
                }
                return holds.count
            }
            if expired < 100 { return }
        }
    }
}
