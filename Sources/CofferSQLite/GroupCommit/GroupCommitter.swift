import CofferCore
import CofferStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Group commit (DESIGN.md, "the write path"): one writer connection owned by one committer
/// thread. A worker hands over its whole write job and waits; the committer takes every job
/// queued, opens one `BEGIN IMMEDIATE`, runs the jobs one after another, and ends the batch with
/// one `COMMIT`, so one fsync covers every job of the batch. Then it wakes each waiter with its
/// own result. A refused job changes nothing: one refused before it changed a row has nothing to
/// undo, and one refused after it did makes the committer undo the batch and run it again with a
/// savepoint per job, which DESIGN.md asks of every job (`Database.runBare` says why not always).
/// A failed `COMMIT` answers every job of the batch with an unavailable-database error (503) and
/// acknowledges nothing. There is no linger timer: a batch forms while the previous one is being committed (and
/// while the committer yields its core once after each batch, see `loop`).
public final class GroupCommitter: @unchecked Sendable {
    // @unchecked: `writer` is touched only on the committer thread; everything else is guarded by
    // `lock` (queue, flags, counters) or is immutable.
    private let writer: Database
    private let capacity: Int
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let jobsAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let roomAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let exited = DispatchSemaphore(value: 0)
    private var queue: [Job] = []
    private var paused = false
    private var stopping = false
    private var batchSizes: [Int: Int] = [:]
    private let metrics = StoreMetrics(.sqlite)
    private var batches = 0
    private var replays = 0

    /// - Parameters:
    ///   - writer: the one connection that writes; it must not be used anywhere else.
    ///   - capacity: the most jobs that may wait (one per worker is enough: a worker submits one
    ///     job at a time); a full queue makes the next submitter wait for room.
    public init(writer: Database, capacity: Int) {
        precondition(capacity > 0, "the queue holds at least one job")
        self.writer = writer
        self.capacity = capacity
        precondition(
            pthread_mutex_init(lock, nil) == 0 && pthread_cond_init(jobsAvailable, nil) == 0
                && pthread_cond_init(roomAvailable, nil) == 0, "pthread init")
        let thread = Thread { [self] in
            // For top -H, perf and the bench's split of the committer's time.
            ThreadName.set("cofferd-commit")
            self.raisePriority()
            self.loop()
            self.exited.signal()
        }
        thread.start()
    }

    deinit {
        pthread_cond_destroy(roomAvailable)
        pthread_cond_destroy(jobsAvailable)
        pthread_mutex_destroy(lock)
        roomAvailable.deallocate()
        jobsAvailable.deallocate()
        lock.deallocate()
    }

    /// One job: the caller's closure, type-erased, and where its outcome lands.
    final class Job: @unchecked Sendable {
        // @unchecked: `run` captures the submitting worker's state, but that worker is blocked in
        // `perform` until `done` is signalled, so the closure and its captures are never used by
        // two threads at once; `commitFailure` is written before the signal and read after it.
        /// Runs the caller's closure; false when it threw. It runs a second time when its batch is
        /// run again (`GroupCommitter.runBare`).
        /// The committer drops it before waking the caller: the closure wraps a non-escaping one,
        /// which must not outlive the caller's `perform`.
        private var run: ((Database) -> Bool)?
        var commitFailure: StoreError?
        private let done = DispatchSemaphore(value: 0)

        init(run: @escaping (Database) -> Bool) { self.run = run }

        func execute(on database: Database) -> Bool {
            guard let run else { preconditionFailure("a job runs only before its caller is woken") }
            return run(database)
        }

        /// Wakes the caller with its outcome (or `commitFailure`).
        func finish() {
            run = nil
            done.signal()
        }

        func wait() { done.wait() }
    }

    /// Runs `body` on the writer connection inside the next batch and returns once that batch
    /// committed (or failed). Errors `body` throws come back as they are; its changes are undone.
    func perform<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var outcome: Result<T, any Error>?
            let job = Job { database in
                let result = Result { try body(database) }
                outcome = result
                if case .success = result { return true }
                return false
            }
            try enqueue(job)
            job.wait()
            if let failure = job.commitFailure { throw failure }
            guard let outcome else { preconditionFailure("a committed job always has an outcome") }
            return try outcome.get()
        }
    }

    private func enqueue(_ job: Job) throws {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while queue.count >= capacity && !stopping { pthread_cond_wait(roomAvailable, lock) }
        guard !stopping else { throw StoreError(.unavailable, "the committer is stopping") }
        queue.append(job)
        pthread_cond_signal(jobsAvailable)
    }

    /// The nice value the committer asks for. Every write waits on this one thread, but the
    /// scheduler shares the cores fairly among all runnable threads, so under load it queued behind
    /// 32 workers, nginx and wrk: at -10 transfers ran 10% faster (A/B on one stack, BENCHMARKS.md).
    public static let niceValue: Int32 = -10
    /// Whether the committer runs at `niceValue`; waits until its thread has tried. A raise needs
    /// RLIMIT_NICE (systemd `LimitNICE=`) or CAP_SYS_NICE; without either the committer stays at
    /// the workers' priority and works the same, only slower under load.
    public var raisedPriority: Bool {
        priorityTried.wait()
        priorityTried.signal()
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return raised
    }
    private let priorityTried = DispatchSemaphore(value: 0)
    private var raised = false

    /// Linux keeps a nice value per thread, and `who` 0 names the calling thread, so this raises
    /// the committer alone.
    private func raisePriority() {
        let ok = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceValue) == 0
        pthread_mutex_lock(lock)
        raised = ok
        pthread_mutex_unlock(lock)
        priorityTried.signal()
    }

    private func loop() {
        while let batch = nextBatch() {
            commit(batch)
            // Give the core away once before taking the next batch. At nice -10 the committer took
            // it straight back from the waiters it had just woken, and from the workers reading the
            // next requests, and committed the one or two jobs queued by then: under transfer load
            // 6-14% of batches held a single job. Yielding here, 2-4% do and batches are about half
            // as large again (BENCHMARKS.md). It is no timer: with nothing else runnable it returns at once,
            // and a lone client's latency is unchanged.
            sched_yield()
        }
    }

    /// Every job queued now, once there is at least one; nil when stopping with nothing left.
    private func nextBatch() -> [Job]? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while queue.isEmpty || paused {
            if stopping && queue.isEmpty { return nil }
            pthread_cond_wait(jobsAvailable, lock)
        }
        let batch = queue
        queue.removeAll(keepingCapacity: true)
        pthread_cond_broadcast(roomAvailable)
        return batch
    }

    private func commit(_ batch: [Job]) {
        do {
            try writer.beginBatch()
        } catch {
            fail(batch, error)
            return
        }
        var replayed = false
        do {
            if try !runBare(batch) {
                writer.rollbackBatch()
                try writer.beginBatch()
                for job in batch { try writer.inJobSavepoint(job.execute(on:)) }
                replayed = true
            }
        } catch {
            // The transaction ended inside a job, or a savepoint could not be rolled back: the
            // batch is in an unknown state.
            writer.rollbackBatch()
            fail(batch, error)
            return
        }
        let committing = ContinuousClock.now
        do {
            try writer.commitBatch()
        } catch {
            writer.rollbackBatch()
            metrics.commitFailed()
            fail(batch, error)
            return
        }
        let took = committing.duration(to: .now)
        record(batchSize: batch.count, replayed: replayed)
        for job in batch { job.finish() }
        // After the waiters are woken: the metrics backend's lock is never on their path.
        metrics.committed(took: took)
        metrics.batch(size: batch.count)
        if replayed { metrics.batchReplayed() }
    }

    /// Runs the batch's jobs one after another without savepoints; false as soon as one threw
    /// after changing rows, which leaves the transaction holding part of a refused job. The batch
    /// is then undone and run again, every job in its own savepoint: the jobs that ran are run a
    /// second time, and their second outcome is the one their callers get. A job's closure may
    /// therefore run twice, its first run's changes undone (`Store.write` says so).
    private func runBare(_ batch: [Job]) throws -> Bool {
        for job in batch {
            switch try writer.runBare(job.execute(on:)) {
            case .succeeded, .refusedUnchanged: continue
            case .refusedAfterChanges: return false
            }
        }
        return true
    }

    private func fail(_ batch: [Job], _ error: any Error) {
        let cause = (error as? StoreError)?.description ?? "\(error)"
        let failure = StoreError(.unavailable, "the batch could not be committed: \(cause)")
        for job in batch {
            job.commitFailure = failure
            job.finish()
        }
    }

    private func record(batchSize: Int, replayed: Bool) {
        pthread_mutex_lock(lock)
        batchSizes[batchSize, default: 0] += 1
        batches += 1
        if replayed { replays += 1 }
        pthread_mutex_unlock(lock)
    }

    // MARK: Observation and control

    /// How many batches committed, how many of each size, and how many were run a second time
    /// (for the bench, the tests and the shutdown log).
    public var statistics: (batches: Int, sizes: [Int: Int], replays: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return (batches, batchSizes, replays)
    }

    public var queuedJobs: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return queue.count
    }

    /// Holds queued jobs back until `resume()`: for tests that need several jobs in one batch.
    public func pause() {
        pthread_mutex_lock(lock)
        paused = true
        pthread_mutex_unlock(lock)
    }

    public func resume() {
        pthread_mutex_lock(lock)
        paused = false
        pthread_cond_signal(jobsAvailable)
        pthread_mutex_unlock(lock)
    }

    /// Commits what is queued, refuses new jobs, and returns once the committer thread has ended;
    /// calling it again returns at once. Call it after the workers have drained, so every accepted
    /// request has its answer.
    public func stop() {
        pthread_mutex_lock(lock)
        stopping = true
        paused = false
        pthread_cond_broadcast(jobsAvailable)
        pthread_cond_broadcast(roomAvailable)
        pthread_mutex_unlock(lock)
        // Waits for the thread's end, and leaves the semaphore signalled for any later call.
        exited.wait()
        exited.signal()
    }
}
