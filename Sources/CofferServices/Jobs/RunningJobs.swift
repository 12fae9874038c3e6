import CofferCore
import Foundation

/// The jobs a runner's threads are running, each under the claim that leased it, and when each
/// lease ends: what the runner's lease keeper renews. A claim is named by its holder (unique per
/// claim, see `JobRunner`) and the job, so a job whose lease lapsed and that one of the runner's
/// other threads claimed again is a second entry, never confused with the first.
final class RunningJobs: @unchecked Sendable {
    // @unchecked: `leases` is guarded by `lock`.
    struct Claim: Hashable {
        let jobID: String
        let holder: String
    }

    struct Lease {
        let job: Job
        let holder: String
        let started: Timestamp
        var until: Timestamp

        var claim: Claim { Claim(jobID: job.id, holder: holder) }
    }

    private let lock = NSLock()
    private var leases: [Claim: Lease] = [:]

    func begin(_ job: Job, holder: String, until: Timestamp, at now: Timestamp) {
        let lease = Lease(job: job, holder: holder, started: now, until: until)
        lock.withLock { leases[lease.claim] = lease }
    }

    func end(_ job: Job, holder: String) {
        _ = lock.withLock { leases.removeValue(forKey: Claim(jobID: job.id, holder: holder)) }
    }

    /// The leases that end by `deadline`, to renew, and, taken out of the table, those of jobs
    /// that started before `startedBefore`: no longer renewed.
    func due(endingBy deadline: Timestamp, startedBefore: Timestamp) -> (renew: [Lease], abandon: [Lease]) {
        lock.withLock {
            let abandoned = leases.values.filter { $0.started < startedBefore }
            for lease in abandoned { leases[lease.claim] = nil }
            return (leases.values.filter { $0.until <= deadline }, abandoned)
        }
    }

    /// Records the renewed leases' new end, and drops the leases `lost` (another claim holds
    /// their job now, so asking again would only cost a write a tick). A job that ended meanwhile
    /// stays ended.
    func settle(renewed: [Claim], until: Timestamp, lost: [Claim]) {
        lock.withLock {
            for claim in renewed { leases[claim]?.until = until }
            for claim in lost { leases[claim] = nil }
        }
    }
}
