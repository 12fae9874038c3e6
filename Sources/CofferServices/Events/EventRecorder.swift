import CofferCore
import CofferStore

/// Writes events into the outbox, in the caller's transaction, so an event exists exactly when
/// its change committed.
public struct EventRecorder: Sendable {
    let clock: Clock

    public init(clock: Clock) {
        self.clock = clock
    }

    /// - Parameter users: whose resources it is about (a transfer's two owners; one when they are
    ///   the same person).
    public func record(_ db: any StoreWriter, _ type: EventType, _ data: JSONValue, users: [String]) throws {
        let now = clock.now()
        var distinct: [String] = []
        for user in users where !distinct.contains(user) { distinct.append(user) }
        let event = Event(id: Identifier.make(at: now), type: type, createdAt: now, data: data, userIDs: distinct)
        try db.appendEvent(event)
        try fanOut(event, db, now: now)
    }

    /// A delivery, and the job that carries it, for each enabled webhook of those users that
    /// listens to this type: in the same transaction, so a committed event is never left
    /// undelivered and a rolled-back one never goes out.
    private func fanOut(_ event: Event, _ db: any StoreWriter, now: Timestamp) throws {
        for webhook in try db.webhooksListening(userIDs: event.userIDs) where webhook.listens(to: event.type) {
            let deliveryID = Identifier.make(at: now)
            let job = Job.queued(
                kind: .webhookDelivery, payload: ["delivery_id": .string(deliveryID)], runKey: nil, maxAttempts: WebhookSettings.attemptsMax,
                runAt: now, now: now)
            guard try db.enqueueJob(job) else { preconditionFailure("a job without a run key is always added") }
            try db.insertDelivery(id: deliveryID, webhookID: webhook.id, event: event, jobID: job.id, at: now)
        }
    }
}
