/// Thrown by a job's work when trying again can never succeed (what it was for is gone): the job
/// is dead at once instead of being retried with back-off until its attempts run out. An admin or
/// owner can still queue it again (a dead webhook delivery's retry).
struct FinalFailure: Error, CustomStringConvertible {
    let description: String
}
