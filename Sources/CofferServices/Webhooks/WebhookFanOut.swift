import CofferCore
import CofferStore

/// The outbox relay for webhooks: turns committed events, in order, into a delivery (and the job
/// that carries it) for each enabled webhook of the users an event concerns that listens to its
/// type and existed when it happened. It moves its cursor in the same transaction, under a lock
/// that keeps relays of other nodes out; a delivery is unique per webhook and event besides. On
/// PostgreSQL the events it reads are those of transactions older than every one still running,
/// so its cursor never passes an event that commits late.
struct WebhookFanOut {
    let clock: Clock
    static let cursor = "webhooks"
    static let batch = 200

    /// Relays every event committed so far; returns how many it looked at.
    @discardableResult
    func run(_ store: any Store) throws -> Int {
        var total = 0
        while true {
            let relayed = try store.write { db -> Int in
                let after = try db.outboxCursorForUpdate(name: Self.cursor)
                let events = try db.outboxEntries(after: after, limit: Self.batch)
                guard let last = events.last else { return 0 }
                let now = clock.now()
                // One lookup per user in a batch, not one per event: the relay runs on SQLite's
                // single writer, and a transfer's event each cost a query there (perf: 3.6% of the
                // committer's time under transfer load, with no webhook at all).
                var listening: [String: [Webhook]] = [:]
                func webhooks(of userIDs: [String]) throws -> [Webhook] {
                    try userIDs.flatMap { userID in
                        if let known = listening[userID] { return known }
                        let found = try db.webhooksListening(userID: userID)
                        listening[userID] = found
                        return found
                    }
                }
                for event in events {
                    for webhook in try webhooks(of: event.userIDs) where webhook.receives(event) {
                        let deliveryID = Identifier.make(at: now)
                        let job = Job.queued(
                            kind: .webhookDelivery, payload: ["delivery_id": .string(deliveryID)], runKey: nil,
                            maxAttempts: WebhookSettings.attemptsMax, runAt: now, now: now)
                        // Already handed on (a relay's position copied from elsewhere, or reset): nothing to add.
                        guard try db.insertDelivery(id: deliveryID, webhookID: webhook.id, event: event, jobID: job.id, at: now) else {
                            continue
                        }
                        guard try db.enqueueJob(job) else { preconditionFailure("a job without a run key is always added") }
                    }
                }
                try db.setOutboxCursor(name: Self.cursor, eventID: last.id)
                return events.count
            }
            total += relayed
            if relayed < Self.batch { return total }
        }
    }
}
