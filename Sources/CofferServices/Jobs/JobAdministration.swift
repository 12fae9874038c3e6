import CofferCore
import CofferStore

/// Operators' view of background work (`GET /v1/admin/jobs`, `coffer jobs`): list, and queue a
/// dead or failed job again.
public struct JobAdministration {
    let store: any Store
    let clock: Clock

    public init(store: any Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func jobs(_ filter: JobFilter, page: PageRequest) throws -> Page<Job> {
        try store.read { db in try db.jobs(filter, page: page) }
    }

    /// A dead or failed job is queued again with fresh attempts, due now; any other status is
    /// `invalid_transition`.
    public func retry(_ id: String) throws -> Job {
        try store.write { db in
            guard let job = try db.job(id: id) else { throw AppError(.notFound, "There is no job with this id.") }
            guard try db.retryJob(id: id, at: clock.now()) else {
                throw AppError(
                    .invalidTransition, "Only a dead or failed job can be retried; this one is \(job.status.rawValue).",
                    details: ["status": .string(job.status.rawValue)])
            }
            guard let queued = try db.job(id: id) else { preconditionFailure("jobs are never deleted while queued") }
            return queued
        }
    }
}
