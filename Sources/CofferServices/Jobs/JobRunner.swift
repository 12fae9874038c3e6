import CofferCore
import CofferStore
import CoreMetrics
import Foundation
import Synchronization

/// One per cofferd (DESIGN.md "Events, jobs and background work"): `concurrency` threads, each
/// claiming one due job at a time with a lease and running it outside any request, so a slow job
/// (a webhook that takes its 10 s, a long export) holds up only its own thread. One more thread
/// relays new events to webhooks and enqueues the periodic maintenance every `interval` (once per
/// period across every node, by run key); it runs no job, so no job can hold that up. A last one,
/// the lease keeper, renews the leases of the jobs running here (`renewLeases`), so a job longer
/// than a lease is not run a second time elsewhere; a node that crashed stops renewing and loses
/// its jobs one lease later. A job that throws is tried again after an exponential back-off with
/// jitter, and is dead once its attempts run out.
public final class JobRunner: @unchecked Sendable {
    // @unchecked: `stopping`, `running` and `started` are guarded by `condition`, the running jobs'
    // leases (`jobs`) by their own lock; the rest is immutable.
    public struct Settings: Sendable {
        public var interval: Double = 1
        public var concurrency = 4
        public var leaseSeconds: Int64 = 60
        /// A job still running after this long is no longer renewed, so another runner takes it
        /// once its lease runs out: it has hung, most likely, and would otherwise never be tried
        /// again. Far above any job's real length (an export of millions of lines takes a minute).
        public var maxRunSeconds: Int64 = 3600
        public init() {}
    }

    /// What happened to one job, for the process's log.
    public typealias Report = @Sendable (_ job: Job, _ outcome: JobStatus, _ error: String?) -> Void

    let runnerID: String
    private let stores: [any Store]
    private let work: BackgroundWork
    private let settings: Settings
    private let clock: Clock
    private let report: Report
    private let condition = NSCondition()
    private var stopping = false
    private var running = 0
    private var started = false
    private let jobs = RunningJobs()
    private let claims = Atomic<Int>(0)

    private var relaySlot: Int { settings.concurrency }
    private var leaseKeeperSlot: Int { settings.concurrency + 1 }

    /// - Parameter makeStore: called `concurrency + 2` times, once per thread, on this thread.
    public init(makeStore: () throws -> any Store, work: BackgroundWork, settings: Settings = Settings(), clock: Clock, report: @escaping Report) rethrows {
        precondition(settings.concurrency >= 1 && settings.interval > 0 && settings.leaseSeconds > 0 && settings.maxRunSeconds > 0)
        runnerID = Identifier.make(at: clock.now())
        stores = try (0...settings.concurrency + 1).map { _ in try makeStore() }
        self.work = work
        self.settings = settings
        self.clock = clock
        self.report = report
    }

    public func start() {
        condition.withLock {
            started = true
            running = stores.count
        }
        for slot in stores.indices {
            let thread: Thread
            switch slot {
            case relaySlot:
                thread = Thread { [self] in periodicLoop(stores[slot]) }
                thread.name = "coffer-jobs-relay"
            case leaseKeeperSlot:
                thread = Thread { [self] in leaseKeeperLoop() }
                thread.name = "coffer-jobs-leases"
            default:
                thread = Thread { [self] in loop(slot) }
                thread.name = "coffer-jobs-\(slot)"
            }
            thread.start()
        }
    }

    /// Returns once every thread has finished the job in its hands (their leases renewed
    /// meanwhile); jobs not reached stay queued.
    public func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while running > 0 { condition.wait() }
        }
    }

    /// Each claim leases its jobs under a name of its own, the runner's id and the claim's number:
    /// a job whose lease lapsed and that another of this runner's threads claimed again is then
    /// that claim's, and the first run's outcome is refused like any lost lease's.
    private func nextHolder() -> String {
        "\(runnerID)/\(claims.add(1, ordering: .relaxed).newValue)"
    }

    /// A job thread's life: run due jobs one after another, and when none is due, wait `interval`.
    /// The first thread never takes a webhook delivery (when there are others to take them): a
    /// delivery may wait 10 s on its receiver, and deliveries come in floods, so without a thread
    /// of their own a scheduled transfer or a hold's expiry could wait for one of them to end.
    private func loop(_ slot: Int) {
        let store = stores[slot]
        let excluded: JobKind? = slot == 0 && settings.concurrency > 1 ? .webhookDelivery : nil
        while !condition.withLock({ stopping }) {
            let now = clock.now()
            let until = now.adding(seconds: settings.leaseSeconds)
            let holder = nextHolder()
            let claimed =
                (try? store.write { db in try db.claimJobs(runner: holder, now: now, until: until, limit: 1, excluding: excluded) }) ?? []
            for job in claimed { run(job, holder: holder, on: store, leasedUntil: until, claimedAt: now) }
            if !claimed.isEmpty { continue }
            if !waitOrStop() { break }
        }
        finished()
    }

    /// The relay thread's life: every `interval`, new events to webhooks' deliveries, and the
    /// periodic maintenance when a new period begins (a write only then, not every second).
    private func periodicLoop(_ store: any Store) {
        var enqueuedKeys: [String] = []
        while !condition.withLock({ stopping }) {
            let now = clock.now()
            let keys = work.periodicRunKeys(now).map(\.1)
            if keys != enqueuedKeys, (try? store.write { db in try work.enqueuePeriodic(db, now: now) }) != nil { enqueuedKeys = keys }
            try? work.relayEvents(store)
            if !waitOrStop() { break }
        }
        finished()
    }

    /// The lease keeper's life: every `interval`, `renewLeases`, on a thread of its own because
    /// the relay's pass over a backlog of events can take longer than a lease. It is the last
    /// thread to end: on `stop` the job threads finish the jobs in their hands, under leases it
    /// still renews.
    private func leaseKeeperLoop() {
        while true {
            _ = renew()
            let done = condition.withLock {
                if stopping && running == 1 { return true }
                _ = condition.wait(until: Date(timeIntervalSinceNow: settings.interval))
                return false
            }
            if done { break }
        }
        finished()
    }

    /// Waits `interval` unless asked to stop; false when stopping.
    private func waitOrStop() -> Bool {
        condition.withLock {
            if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: settings.interval)) }
            return !stopping
        }
    }

    private func finished() {
        condition.withLock {
            running -= 1
            condition.broadcast()
        }
    }

    /// One pass on the caller's thread, for tests: periodic work enqueued, up to `concurrency`
    /// due jobs claimed and run side by side. Returns how many ran.
    @discardableResult
    public func runDue() throws -> Int {
        let store = stores[0]
        let now = clock.now()
        try store.write { db in try work.enqueuePeriodic(db, now: now) }
        try work.relayEvents(store)
        let until = now.adding(seconds: settings.leaseSeconds)
        let holder = nextHolder()
        let claimed = try store.write { db in try db.claimJobs(runner: holder, now: now, until: until, limit: settings.concurrency) }
        DispatchQueue.concurrentPerform(iterations: claimed.count) { slot in
            run(claimed[slot], holder: holder, on: stores[slot], leasedUntil: until, claimedAt: now)
        }
        return claimed.count
    }

    /// Extends, by a whole lease from now, every lease of a job running here that would otherwise
    /// end before the next call can come (half a lease from now, plus an `interval`), so a job
    /// that outlasts a lease (a large export, a slow receiver under a short lease) is not claimed
    /// by another runner and run a second time while it still runs. A job running for longer than
    /// `maxRunSeconds` is reported and left to lapse. The lease keeper does this every `interval`;
    /// a test that drives the runner with `runDue` calls it instead (never on a started runner:
    /// it uses the keeper's store). Returns how many leases it extended.
    @discardableResult
    public func renewLeases() -> Int {
        precondition(!condition.withLock { started }, "a started runner's lease keeper renews its leases")
        return renew()
    }

    private func renew() -> Int {
        let now = clock.now()
        let deadline = now.adding(milliseconds: settings.leaseSeconds * 500 + Int64(settings.interval * 1000))
        let (due, abandoned) = jobs.due(endingBy: deadline, startedBefore: now.adding(seconds: -settings.maxRunSeconds))
        for lease in abandoned {
            report(lease.job, .running, "still running after \(settings.maxRunSeconds) s: its lease is no longer renewed, so another runner may take it")
        }
        guard !due.isEmpty else { return 0 }
        let until = now.adding(seconds: settings.leaseSeconds)
        guard
            let renewed = try? stores[leaseKeeperSlot].write({ db in
                try due.filter { try db.renewJobLease(id: $0.job.id, runner: $0.holder, until: until, at: now) }.map(\.claim)
            })
        else {
            return 0  // The store is unavailable: the next call tries again; the leases have half of theirs left.
        }
        let kept = Set(renewed)
        jobs.settle(renewed: renewed, until: until, lost: due.map(\.claim).filter { !kept.contains($0) })
        return renewed.count
    }

    private func run(_ job: Job, holder: String, on store: any Store, leasedUntil: Timestamp, claimedAt: Timestamp) {
        jobs.begin(job, holder: holder, until: leasedUntil, at: claimedAt)
        // Renewed until the outcome is written: that write waits its turn at the database too.
        defer { jobs.end(job, holder: holder) }
        var outcome = JobStatus.succeeded
        var message: String?
        var retryAt: Timestamp?
        do {
            try work.perform(job, on: store)
        } catch {
            message = String(describing: error)
            if job.attempts >= job.maxAttempts || error is FinalFailure {
                outcome = .dead
            } else {
                outcome = .failed
                retryAt = clock.now().adding(milliseconds: Self.backoffMilliseconds(afterAttempt: job.attempts, base: work.retryBaseSeconds(job)))
            }
        }
        let finished =
            (try? store.write { db in
                try db.finishJob(id: job.id, runner: holder, status: outcome, runAt: retryAt, error: message, at: clock.now())
            }) ?? false
        report(job, finished ? outcome : .running, finished ? message : "lease lost before the outcome was recorded")
        Counter(
            label: "coffer_jobs_finished_total", dimensions: [("kind", job.kind.rawValue), ("outcome", finished ? outcome.rawValue : "lease_lost")]
        ).increment()
    }

    /// `base` × 2^(attempt − 1), ±20% jitter so failures of many jobs do not retry in step.
    static func backoffMilliseconds(afterAttempt attempt: Int, base: Int64) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 16)
        let nominal = Double(base * 1000) * Double(1 << exponent)
        return Int64(nominal * Double.random(in: 0.8...1.2))
    }
}
