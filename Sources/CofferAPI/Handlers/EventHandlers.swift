import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/events`: the outbox, oldest first after the cursor.
struct EventHandlers {
    let feed: EventFeed
    let authenticator: Authenticator

    func register(in router: inout Router) {
        router.add(.get, "/v1/events") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: ["type"], keyset: "events")
            let page = try feed.events(type: try query.choice("type", as: EventType.self), for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, \.json))
        }
    }
}
