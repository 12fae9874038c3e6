import CofferCore
import CofferStore

/// `GET /v1/events`: polling the outbox instead of receiving webhooks. A user sees the events
/// about their own resources; support and admin see every event.
public struct EventFeed {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func events(type: EventType?, for principal: Principal, page: PageRequest) throws -> Page<Event> {
        try store.read { db in
            try db.events(EventFilter(userID: principal.role.seesEverything ? nil : principal.userID, type: type), page: page)
        }
    }
}
