import CofferCore
import CofferStore

/// Writes events into the outbox, in the caller's transaction, so an event exists exactly when
/// its change committed. Webhook deliveries are made from them afterwards (`WebhookFanOut`), so
/// no write waits on a webhook lookup.
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
        try db.appendEvent(Event(id: Identifier.make(at: now), type: type, createdAt: now, data: data, userIDs: distinct))
    }
}
