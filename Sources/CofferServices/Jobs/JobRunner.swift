import CofferCore
import CofferStore
import CoreMetrics
import Foundation

/// One per cofferd (DESIGN.md "Events, jobs and background work"): `concurrency` threads, each
/// claiming one due job at a time with a lease and running it outside any request, so a slow job
/// (a webhook that takes its 10 s, a long export) holds up only its own thread. One more thread
/// relays new events to webhooks and enqueues the periodic maintenance every `interval` (once per
/// period across every node, by run key); it runs no job, so no job can hold that up. A job that
/// throws is tried again after an exponential back-off with jitter, and is dead once its attempts
/// run out. The relay thread also renews the leases of the jobs running here (`renewLeases`), so
/// only a runner that stopped loses its jobs to another.
public final class JobRunner: @unchecked Sendable {
    // @unchecked: `stopping`, `running` and `leases` are guarded by `condition`; the rest is immutable.
    public struct Settings: Sendable {
        public var interval: Double = 1
        public var concurrency = 4
        public var leaseSeconds: Int64 = 60
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
    /// The jobs running on this runner's threads, and when each one's lease ends.
    private var leases: [String: Timestamp] = [:]

    /// - Parameter makeStore: called `concurrency + 1` times, once per thread, on this thread.
    public init(makeStore: () throws -> any Store, work: BackgroundWork, settings: Settings = Settings(), clock: Clock, report: @escaping Report) rethrows {
        precondition(settings.concurrency >= 1 && settings.interval > 0 && settings.leaseSeconds > 0)
        runnerID = Identifier.make(at: clock.now())
        stores = try (0...settings.concurrency).map { _ in try makeStore() }
        self.work = work
        self.settings = settings
        self.clock = clock
        self.report = report
    }

    public func start() {
        condition.withLock { running = stores.count }
        for slot in stores.indices {
            let periodic = slot == settings.concurrency
            let thread = Thread { [self] in periodic ? periodicLoop(stores[slot]) : loop(slot) }
            thread.name = periodic ? "coffer-jobs-relay" : "coffer-jobs-\(slot)"
            thread.start()
        }
    }

    /// Returns once every thread has finished the job in its hands; jobs not reached stay queued.
    public func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while running > 0 { condition.wait() }
        }
    }

    /// A job thread's life: run due jobs one after another, and when none is due, wait `interval`.
    /// The first thread never takes a webhook delivery (when there are others to take them): a
    /// delivery may wait 10 s on its receiver, and deliveries come in floods, so without a thread
    /// of their own a scheduled transfer or a hold's expiry could wait behind every one of them.
    private func loop(_ slot: Int) {
        let store = stores[slot]
        let excluded: JobKind? = slot == 0 && settings.concurrency > 1 ? .webhookDelivery : nil
        while !condition.withLock({ stopping }) {
            let now = clock.now()
            let until = now.adding(seconds: settings.leaseSeconds)
            let claimed =
                (try? store.write { db in try db.claimJobs(runner: runnerID, now: now, until: until, limit: 1, excluding: excluded) }) ?? []
            for job in claimed { run(job, on: store, leasedUntil: until) }
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
            // First: the relay below may take a while, and a lease must not run out behind it.
            renewLeases()
            if keys != enqueuedKeys, (try? store.write { db in try work.enqueuePeriodic(db, now: now) }) != nil { enqueuedKeys = keys }
            try? work.relayEvents(store)
            if !waitOrStop() { break }
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
        let claimed = try store.write { db in try db.claimJobs(runner: runnerID, now: now, until: until, limit: settings.concurrency) }
        DispatchQueue.concurrentPerform(iterations: claimed.count) { slot in
            run(claimed[slot], on: stores[slot], leasedUntil: until)
        }
        return claimed.count
    }

    /// Extends, by a whole lease from now, the lease of every job running here that is past half
    /// of its lease, so a job that outlasts one (a large export, a slow receiver under a short
    /// lease) is not claimed by another runner and run a second time while it still runs. A runner that stops renewing, because it crashed or hangs, loses its jobs one
    /// lease later, as before. The relay thread calls it every `interval`; a test calls it while
    /// the runner is not started (it uses the relay thread's store). Returns how many it extended.
    @discardableResult
    public func renewLeases() -> Int {
        let now = clock.now()
        let halfway = now.adding(milliseconds: settings.leaseSeconds * 500)
        let due = condition.withLock { leases.filter { $0.value <= halfway }.map(\.key) }
        guard !due.isEmpty else { return 0 }
        let until = now.adding(seconds: settings.leaseSeconds)
        guard
            let renewed = try? stores[settings.concurrency].write({ db in
                try due.filter { try db.renewJobLease(id: $0, runner: runnerID, until: until, at: now) }
            })
        else {
            return 0  // The store is unavailable: the next tick tries again, well within the lease.
        }
        condition.withLock {
            // A lease not renewed was lost (another runner holds the job now): the job's outcome
            // will be refused, and asking again would only cost a write a tick.
            for id in due where leases[id] != nil { leases[id] = renewed.contains(id) ? until : nil }
        }
        return renewed.count
    }

    private func run(_ job: Job, on store: any Store, leasedUntil: Timestamp) {
        condition.withLock { leases[job.id] = leasedUntil }
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
        condition.withLock { leases[job.id] = nil }
        let finished =
            (try? store.write { db in
                try db.finishJob(id: job.id, runner: runnerID, status: outcome, runAt: retryAt, error: message, at: clock.now())
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
